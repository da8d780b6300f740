"""Looking inside TinyGPT, the CLI and the figures (fast: untrained or hand-set models)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from attnlab.ch07_name import analysis, complete, plots
from attnlab.ch07_name.model import TinyGPT
from attnlab.ch07_name.sentences import course_tokenizer, make_split


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return TinyGPT(course_tokenizer().vocab_size, 64, 16, 2, 2, 16).eval()


def test_patterns_have_one_causal_row_per_token(model):
    patterns = analysis.attention_patterns(model, list(range(300, 310)))
    assert patterns.shape == (2, 2, 10, 10)
    assert torch.allclose(patterns.sum(-1), torch.ones(2, 2, 10), atol=1e-5)
    assert patterns.triu(1).abs().max() == 0  # nothing from the future
    assert all(b.weights is None and not b.keep_weights for b in model.blocks)


def test_copy_sentences_point_at_the_name_twice():
    tok = course_tokenizer()
    for ids, steps in analysis.copy_sentences(64, n=4, seed=1):
        assert len(ids) == 64
        for write, source in steps:
            assert write > source
        pieces = [ids[source] for _, source in steps]
        assert tok.decode(pieces) in make_split().train["middle"]
        first, *_ = steps
        assert (
            tok.token_string(ids[first[1] - 1]) == " called"
            and tok.token_string(ids[first[0]]) == " is"
        )
        assert [ids[w + 1] for w, _ in steps] == pieces  # after each writing position: the piece
    with pytest.raises(ValueError, match="window"):
        analysis.copy_sentences(10)


def test_scores_find_a_hand_made_previous_token_head(model, monkeypatch):
    def fake(m, tokens):
        n = len(tokens)
        prev = torch.zeros(n, n)
        prev[0, 0] = 1
        prev[torch.arange(1, n), torch.arange(n - 1)] = 1
        uniform = torch.tril(torch.ones(n, n)) / torch.arange(1, n + 1)[:, None]
        return torch.stack([torch.stack([uniform, prev]), torch.stack([uniform, uniform])])

    monkeypatch.setattr(analysis, "attention_patterns", fake)
    scores = analysis.head_scores(model, n=2)
    assert scores["previous_token"][0, 1] == pytest.approx(1.0)
    assert scores["previous_token"][0, 0] < 0.5 and scores["induction"][0, 1] == 0
    assert analysis.circuit_heads(model, scores)["previous-token head"] == (1, 1)


def test_switching_a_head_off_changes_the_output_and_comes_back(model):
    tokens = torch.arange(300, 316)[None]
    before = model(tokens)
    with analysis.switched_off(model, 2, (1,)):
        assert not torch.allclose(model(tokens), before)
    assert torch.allclose(model(tokens), before, atol=1e-6)
    with pytest.raises(ValueError, match="layer"):
        with analysis.switched_off(model, 3, (0,)):
            pass
    with pytest.raises(ValueError, match="heads"):
        with analysis.switched_off(model, 1, (2,)):
            pass


def test_ablation_reports_every_head(model):
    tests = make_split().tests["names_x_distances"][:4]
    scores = analysis.ablation(model, tests, {"a": (1, 0), "b": (2, 1)})
    assert list(scores) == ["nothing off", "a", "b"]


def test_copy_steps_lines_up_weights_tokens_and_pieces(model):
    weights, tokens, written = analysis.copy_steps(model, "I'm called Keyvan, so my name is", 2, 0)
    assert len(weights) == len(written) >= 1
    assert all(len(w) == len(tokens) for w in weights)
    assert tokens[:4] == [" I", "'", "m", " called"]


def test_figures_draw(model):
    scores = analysis.head_scores(model, n=1)
    plots.plot_head_scores(scores)
    weights, tokens, written = analysis.copy_steps(model, "I'm called Lan, so my name is", 2, 1)
    plots.plot_copy_steps(weights, tokens, written)


def test_analysis_refuses_other_models():
    with pytest.raises(TypeError, match="TinyGPT"):
        analysis.attention_patterns(torch.nn.Linear(2, 2), [1, 2])


def test_the_cli_finishes_the_sentence_from_a_cached_model(model, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATTNLAB_CACHE", str(tmp_path))
    calls = []

    def fake_run(config, seed):
        calls.append(seed)
        return type("R", (), {"model": model, "accuracy": {"names_x_distances": 0.9}})()

    monkeypatch.setattr(complete, "run", fake_run)
    monkeypatch.setattr(
        complete, "make_model", lambda config, vocab: TinyGPT(vocab, 64, 16, 2, 2, 16)
    )
    assert complete.main(["--seed", "2", "I'm called Keyvan, so my name is"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert first[0].startswith("I'm called Keyvan, so my name is")
    assert "piece 1:" in first[1] and "90%" in first[-1]
    assert complete.main(["--seed", "2"]) == 0  # the second call reuses the cache
    assert calls == [2] and len(list(tmp_path.iterdir())) == 1
    assert complete.main(["--seed", "2", "I'm called Gqz, so my name is"]) == 0
    assert "never saw in a name" in capsys.readouterr().out


def test_the_cli_refuses_bad_input(capsys):
    with pytest.raises(SystemExit):
        complete.main(["--seed", "-1"])
    assert "--seed must be" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        complete.main(["   "])
    assert "prompt must not be empty" in capsys.readouterr().err


def test_unseen_pieces():
    assert complete.unseen_pieces(" Keyvan") == []
    assert " G" in complete.unseen_pieces(" Glan")


def test_copy_views_hold_every_head_at_every_step(model):
    views = analysis.copy_views(model, "I'm called Keyvan, so my name is", max_pieces=3)
    steps = len(views["written"])
    assert 1 <= steps <= 3 and len(views["tokens"]) == len(views["weights"]) == steps
    assert views["head_names"][0] == "layer 1, head 0" and len(views["head_names"]) == 4
    for k, (tokens, weights) in enumerate(zip(views["tokens"], views["weights"], strict=True)):
        assert len(tokens) == len(views["tokens"][0]) + k
        assert len(weights) == 4 and len(weights[0]) == len(tokens)
    with pytest.raises(ValueError, match="prompt"):
        analysis.copy_views(model, "  ")
