"""Chapter 6's analysis functions on trained models: attention, probes, ablation, generation."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch04_attention.names import SPECIALS
from attnlab.ch06_copying_names import analysis as an
from attnlab.ch06_copying_names.experiment import NameExperiment, run, run_seeds


@pytest.fixture(scope="module")
def tiny():
    return run_seeds(NameExperiment("two_layer", steps=10, eval_every=10, eval_size=16), [0, 1])


def test_attention_patterns_are_causal_rows_of_weights(tiny):
    patterns = an.attention_patterns(tiny[1], "rose called key hill sky rain so my name is")
    assert len(patterns) == 2
    for p in patterns:
        assert p.shape == (10, 10)
        assert torch.allclose(p.sum(-1), torch.ones(10))
        assert float(p.triu(1).abs().max()) == 0.0


def test_induction_and_previous_token_scores_on_planted_patterns():
    period, length = 4, 8
    perfect = torch.zeros(length, length)
    prev = torch.zeros(length, length)
    for i in range(length):
        perfect[i, i - period + 1 if i >= period else 0] = 1.0
        prev[i, max(i - 1, 0)] = 1.0
    assert an.induction_score(perfect, period) == 1.0
    assert an.induction_score(prev, period) == 0.0
    assert an.previous_token_score(prev) == 1.0
    assert an.previous_token_score(perfect) == pytest.approx(1 / 7)  # only row 1 looks back one


def test_repeated_sequence():
    seq = an.repeated_sequence(5, seed=2)
    assert seq.shape == (10,) and torch.equal(seq[:5], seq[5:]) and len(set(seq[:5].tolist())) == 5
    assert torch.equal(seq, an.repeated_sequence(5, seed=2))
    assert an.repeated_sequence(3, seed=0, repeats=3).shape == (9,)


def test_repeated_sequence_from_part_of_the_pool():
    assert torch.equal(an.repeated_sequence(6, seed=3, pool_size=48), an.repeated_sequence(6, 3))
    for seed in range(20):
        seq = an.repeated_sequence(6, seed=seed, pool_size=42)
        assert int(seq.max()) < len(SPECIALS) + 42 and len(set(seq[:6].tolist())) == 6


def test_probes_on_trained_models(tiny):
    r = tiny[0]
    assert 0 <= an.previous_token_probe(r, n=8) <= 1
    assert 0 <= an.induction_probe(r, n=2) <= 1
    assert torch.equal(an.probe_tokens(r, 6, 1), an.repeated_sequence(6, 1))  # no unseen tokens


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda r: an.induction_score(torch.zeros(3, 4), 1), ValueError, "square"),
        (lambda r: an.induction_score(torch.zeros(4, 4), 4), ValueError, "period"),
        (
            lambda r: an.induction_score(torch.zeros(4, 4, dtype=torch.long), 1),
            TypeError,
            "pattern",
        ),
        (lambda r: an.previous_token_score([[1.0]]), TypeError, "pattern"),
        (lambda r: an.repeated_sequence(0), ValueError, "period"),
        (lambda r: an.repeated_sequence(60), ValueError, "period"),
        (lambda r: an.repeated_sequence(3, repeats=1), ValueError, "repeats"),
        (lambda r: an.attention_patterns("model", "is"), TypeError, "result"),
        (lambda r: an.attention_patterns(r, "called Keyvan"), ValueError, "vocabulary"),
        (
            lambda r: an.attention_patterns(r, torch.zeros(2, 3, dtype=torch.long)),
            ValueError,
            "tokens",
        ),
        (lambda r: an.attention_patterns(r, list(range(7, 30))), ValueError, "at most"),
        (lambda r: an.evaluate(r, "test"), ValueError, "part"),
        (lambda r: an.evaluate(r, ablate=(3,)), ValueError, "ablate"),
        (lambda r: an.evaluate(r, ablate=1), TypeError, "ablate"),
        (lambda r: an.generate(r, "so my name is", max_new=0), ValueError, "max_new"),
        (lambda r: an.whole_name_accuracy(r, n=0), ValueError, "n"),
        (lambda r: an.circuit_summary(r, part="unseen"), ValueError, "part"),
        (lambda r: an.circuit_summary("r"), TypeError, "result"),
        (lambda r: an.induction_probe(r, layer=3), ValueError, "layer"),
        (lambda r: an.induction_probe(r, period=7), ValueError, "period"),
        (lambda r: an.induction_probe(r, n=0), ValueError, "n"),
        (lambda r: an.repeated_sequence(3, pool_size=0), ValueError, "pool_size"),
        (lambda r: an.repeated_sequence(3, pool_size=49), ValueError, "pool_size"),
        (lambda r: an.repeated_sequence(5, pool_size=4), ValueError, "period"),
        (lambda r: an.probe_tokens("r"), TypeError, "result"),
        (lambda r: an.previous_token_probe(r, layer=3), ValueError, "layer"),
        (lambda r: an.previous_token_probe(r, n=0), ValueError, "n"),
        (lambda r: an.previous_token_probe(r, part="test"), ValueError, "part"),
    ],
)
def test_analysis_bad_input(tiny, call, error, match):
    with pytest.raises(error, match=match):
        call(tiny[0])


def test_mlp_has_no_heads():
    r = run(NameExperiment("mlp", steps=5, eval_every=5, eval_size=8))
    with pytest.raises(ValueError, match="MLP"):
        an.attention_patterns(r, "so my name is")
    with pytest.raises(ValueError, match="MLP"):
        an.ablate_accuracy(r)
    with pytest.raises(ValueError, match="layer"):
        an.induction_probe(r)


def test_generate_stops_at_the_comma(tiny):
    text = an.generate(tiny[0], "rose called key hill sky rain pat so my name is", max_new=1)
    assert len(text.split()) == 1


def test_circuit_summary_needs_a_single_name_two_layer_model(tiny):
    summary = an.circuit_summary(tiny[0], n=16)
    assert set(summary) == {"layer 1: name -> called", "layer 2: is -> name"}
    assert all(0 <= v <= 1 for v in summary.values())
    one = run(NameExperiment("one_layer", steps=2, eval_every=2, eval_size=4))
    with pytest.raises(ValueError, match="two_layer"):
        an.circuit_summary(one)
