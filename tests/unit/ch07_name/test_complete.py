"""The CLI's cache of trained weights never breaks the command: a damaged file, a folder that
cannot be written, two runs at once (fast: a tiny untrained TinyGPT stands in for training)."""

from __future__ import annotations

import threading
import time

import pytest
import torch

from attnlab.ch07_name import complete
from attnlab.ch07_name.model import TinyGPT
from attnlab.ch07_name.sentences import course_tokenizer


def _tiny() -> TinyGPT:
    torch.manual_seed(0)
    return TinyGPT(course_tokenizer().vocab_size, 64, 16, 2, 2, 16).eval()


@pytest.fixture
def fake_training(tmp_path, monkeypatch):
    """Training replaced by a tiny model (after a short pause, so two runs overlap); returns the
    seeds it was asked to train."""
    monkeypatch.setenv("ATTNLAB_CACHE", str(tmp_path / "cache"))
    calls: list[int] = []

    def fake_run(config, seed):
        calls.append(seed)
        time.sleep(0.3)
        return type("R", (), {"model": _tiny(), "accuracy": {"names_x_distances": 0.9}})()

    monkeypatch.setattr(complete, "run", fake_run)
    monkeypatch.setattr(complete, "make_model", lambda config, vocab: _tiny())
    return calls


def _kept(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_damaged_file_is_reported_set_aside_and_trained_again(fake_training, tmp_path, capsys):
    complete.trained_model(4)
    (path,) = (tmp_path / "cache").iterdir()
    path.write_bytes(path.read_bytes()[:100])  # cut short, as by a Ctrl-C during the save
    model, heldout, _ = complete.trained_model(4)
    out = capsys.readouterr().out
    assert "could not be read" in out and len(out.strip().splitlines()) == 1
    assert fake_training == [4, 4] and heldout == pytest.approx(0.9)
    assert _kept(tmp_path / "cache") == sorted([path.name, path.name + ".damaged"])
    complete.trained_model(4)  # the new file is good: no third training
    assert fake_training == [4, 4]


def test_a_file_of_garbage_does_not_stop_the_command(fake_training, tmp_path, capsys):
    path = complete._cache_file(complete.shift_seed(5))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a checkpoint at all")
    assert complete.main(["--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("note: the kept weights") and "I'm called Keyvan" in out


def test_a_folder_that_cannot_be_written_warns_and_still_completes(
    fake_training, tmp_path, monkeypatch, capsys
):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ATTNLAB_CACHE", str(blocker / "cache"))  # a file stands where a folder must
    assert complete.main(["--seed", "6"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("note: could not keep the trained weights")
    assert out[1].startswith("I'm called Keyvan, so my name is")


def test_two_runs_at_once_both_finish_and_leave_one_good_file(fake_training, tmp_path):
    results, errors = [], []

    def one_run():
        try:
            results.append(complete.trained_model(7))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 2 and fake_training == [7, 7]
    (path,) = (tmp_path / "cache").iterdir()  # one file, no half-written leftovers
    saved = torch.load(path, weights_only=True)
    assert saved["heldout"] == pytest.approx(0.9) and "unembed.weight" in saved["weights"]
