"""Chapter 7's experiment: configs, a short run of each model, completion, bad input (fast)."""

from __future__ import annotations

import dataclasses
import math
import random

import pytest
import torch

from attnlab.ch03_next_token.model import WindowMLP
from attnlab.ch07_name import experiment as ex
from attnlab.ch07_name.model import TinyGPT
from attnlab.ch07_name.sentences import course_tokenizer, make_split

TINY = {"steps": 3, "close_first": 1, "n_sentences": 20, "batch_size": 4}


@pytest.mark.parametrize("name", ex.MODELS)
def test_a_short_run_of_each_model_reports_every_test_set(name):
    config = dataclasses.replace(ex.MODELS[name], **TINY)
    r = ex.run(config, seed=0)
    assert set(r.accuracy) == set(make_split().tests)
    assert all(0 <= a <= 1 for a in r.accuracy.values())
    assert set(r.keyvan) == {"sentence", "middle"}
    assert len(r.history["loss"]) == 3 and r.seconds > 0 and r.seed == 0
    assert isinstance(r.model, TinyGPT if name == "tinygpt" else WindowMLP)
    assert r.parameters == sum(p.numel() for p in r.model.parameters())


def test_the_wide_mlp_has_more_weights_than_tinygpt():
    vocab = course_tokenizer().vocab_size
    count = {
        n: sum(p.numel() for p in ex.make_model(c, vocab).parameters())
        for n, c in ex.MODELS.items()
    }
    assert count["mlp24"] > 1.5 * count["tinygpt"]
    assert ex.MODELS["mlp5"].window == 5 and ex.MODELS["mlp24"].window == 24


def test_the_same_seed_gives_the_same_run():
    config = dataclasses.replace(ex.MODELS["mlp5"], **TINY)
    a, b = ex.run(config, seed=3), ex.run(config, seed=3)
    assert a.history["loss"] == b.history["loss"]
    assert all(
        torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters(), strict=True)
    )


class _Copier(torch.nn.Module):
    """A fake model that writes a fixed list of tokens, one per call."""

    def __init__(self, tokens, window=8):
        super().__init__()
        self.tokens, self.context_length, self.calls = tokens, window, 0

    def forward(self, windows):
        scores = torch.zeros(len(windows), course_tokenizer().vocab_size)
        scores[:, self.tokens[min(self.calls, len(self.tokens) - 1)]] = 1
        self.calls += 1
        return scores


def test_writing_stops_where_the_name_ends():
    tok = course_tokenizer()
    name = tok.encode(" Keyvan") + tok.encode(".")
    written = ex.write_name(_Copier(name), [list(range(300, 310))])
    assert written == [tok.encode(" Keyvan")]
    more = tok.encode(" Keyvan") + tok.encode("an") + tok.encode(".")
    assert ex.write_name(_Copier(more), [list(range(300, 310))]) == [more[:-1]]


def test_name_accuracy_counts_exact_names_only():
    tok = course_tokenizer()
    keyvan = ex.name_accuracy(_Copier(tok.encode(" Keyvan.")), ((" Keyvan", "short"),))
    assert keyvan == 1.0
    assert ex.name_accuracy(_Copier(tok.encode(" Keyv.")), ((" Keyvan", "short"),)) == 0.0


def test_lead_in_is_long_enough():
    assert len(ex.lead_in(64, random.Random(0))) >= 64


def test_sample_is_repeatable_and_checks_its_input():
    model = TinyGPT(course_tokenizer().vocab_size, 16, 16, 2, 1, 16)
    a = ex.sample(model, " Tom held", n_tokens=5, seed=1)
    assert a == ex.sample(model, " Tom held", n_tokens=5, seed=1) and a.startswith(" Tom held")
    with pytest.raises(ValueError, match="temperature"):
        ex.sample(model, " Tom", temperature=0)
    with pytest.raises(TypeError, match="prompt"):
        ex.sample(model, 3)


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"model": "rnn"}, ValueError, "model must be one of"),
        ({"steps": 0}, ValueError, "steps"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"d_model": 30, "n_heads": 4}, ValueError, "divisible"),
        ({"progress": "yes"}, TypeError, "progress"),
        ({"close_first": 1500}, ValueError, "close_first must be .* 0 to steps - 1 = 1499"),
        ({"close_first": -1}, ValueError, "close_first"),
        ({"middle_share": 1.5}, ValueError, "middle_share must be a share from 0 to 1"),
    ],
)
def test_bad_config_is_named(kw, error, match):
    with pytest.raises(error, match=match):
        ex.SentenceConfig(**kw)


def test_the_first_steps_read_close_names_only(monkeypatch):
    """Batches come from the close-only text up to step ``close_first``, then from the mixed one."""
    shares, batches = [], {}

    def fake_stream(n_sentences, seed, names_each=1, middle_share=0.5):
        shares.append(middle_share)
        return torch.full((500,), 7 if middle_share == 0 else 9)

    def fake_train(model, next_batch, steps, lr, **kw):
        for step in (1, 2, 3):
            batches[step] = next_batch(step)[0]
        raise RuntimeError("stop here")

    monkeypatch.setattr(ex, "training_stream", fake_stream)
    monkeypatch.setattr(ex, "train", fake_train)
    config = dataclasses.replace(ex.MODELS["tinygpt"], steps=10, close_first=2)
    with pytest.raises(RuntimeError, match="stop here"):
        ex.run(config, seed=0)
    assert sorted(shares) == [0.0, config.middle_share]
    assert (batches[1] == 7).all() and (batches[2] == 7).all() and (batches[3] == 9).all()


def test_run_refuses_a_wrong_config():
    with pytest.raises(TypeError, match="SentenceConfig"):
        ex.run({"model": "tinygpt"})


def test_name_positions_are_the_pieces_written_again_and_the_stop():
    tok = course_tokenizer()
    ids = tok.encode(" Tom held it. I'm called Keyvan, so my name is Keyvan. The end")
    found = ex.name_positions(torch.tensor(ids)).tolist()
    assert [tok.token_string(ids[k]) for k in found] == [" Key", "v", "an", "."]
    assert ex.is_piece(tok.encode("an")[0]) and not ex.is_piece(tok.encode(" Key")[0])


def test_names_only_training_runs():
    config = dataclasses.replace(ex.MODELS["mlp24"], **TINY)
    assert config.names_only and not ex.MODELS["tinygpt"].names_only
    assert ex.run(config, seed=1).parameters > 0


def test_wrong_answers_lists_only_the_misses():
    tok = course_tokenizer()
    tests = ((" Keyvan", "short"), (" Lan", "short"))
    assert ex.wrong_answers(_Copier(tok.encode(" Keyvan.")), tests) == [(" Lan", " Keyvan")]


@pytest.mark.parametrize(
    ("tests", "match"),
    [
        ((), "non-empty"),
        ("Keyvan", "non-empty"),
        (((" Keyvan",),), "pairs"),
        (((" Lan", "near"),), "distance"),
    ],
)
def test_bad_tests_are_named(tests, match):
    model = _Copier(course_tokenizer().encode(" Keyvan."))
    for measure in (ex.name_accuracy, ex.wrong_answers, ex.first_piece_probability):
        with pytest.raises(ValueError, match=match):
            measure(model, tests)


def test_write_name_refuses_a_prompt_shorter_than_the_window():
    with pytest.raises(ValueError, match="at least 8 tokens"):
        ex.write_name(_Copier([1]), [[300, 301]])


def test_the_learning_rate_climbs_then_falls_to_zero_and_names_bad_input():
    schedule = ex.warm_then_cosine(1500)
    assert schedule(0) == 0.0  # the climb times half a cosine that falls from 1 to 0
    assert schedule(100) == pytest.approx(0.5 * (1 + math.cos(math.pi * 100 / 1500)))
    assert schedule(1500) == pytest.approx(0.0, abs=1e-12)
    assert schedule(50) < schedule(100) and schedule(1000) < schedule(500)
    with pytest.raises((TypeError, ValueError), match="steps"):
        ex.warm_then_cosine(0)
    with pytest.raises((TypeError, ValueError), match="warmup"):
        ex.warm_then_cosine(100, warmup=-1)
