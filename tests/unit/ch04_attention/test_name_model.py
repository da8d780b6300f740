"""Chapter 4's attention model of the "called" task, its config and its runs on several seeds."""

from __future__ import annotations

import math

import pytest
import torch

from attnlab.ch04_attention import name_model as nm
from attnlab.ch04_attention.names import VOCAB, NameTask, encode
from attnlab.core.seedstack import SeedStack

TEXT = "rose called key hill rain sky star lake so my name is"


def test_forward_shapes_and_causal_patterns():
    model = nm.NameModel(n_layers=2, length=12, seed=0)
    tokens = torch.tensor([encode(TEXT)] * 3)
    logits, patterns = model(tokens)
    assert logits.shape == (3, 12, len(VOCAB)) and len(patterns) == 2
    for p in patterns:
        assert p.shape == (3, 12, 12)
        assert torch.allclose(p.sum(-1), torch.ones(3, 12))
        assert not p.triu(1).any()
    later, _ = model(tokens, start=11)
    assert torch.allclose(later, logits[:, 11:], atol=1e-6)
    off, _ = model(tokens, ablate=(2,))
    assert not torch.allclose(off, logits)


def test_starting_weights_come_from_the_seed_in_a_fixed_order():
    a, b = nm.NameModel(2, 12, seed=3), nm.NameModel(2, 12, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    g = nm.init_generator(3)  # embedding first, then positions, then the first query
    assert torch.equal(a.embedding, torch.randn(len(VOCAB), 32, generator=g))
    assert torch.equal(a.position, torch.randn(12, 32, generator=g))
    assert torch.equal(a.query[0], torch.randn(32, 32, generator=g) * (1 / math.sqrt(32)))
    assert not torch.equal(a.embedding, nm.NameModel(2, 12, seed=4).embedding)


def test_a_member_of_the_stack_is_the_same_model():
    models = [nm.NameModel(2, 12, seed=s) for s in (0, 1, 2)]
    stack = SeedStack(models)
    tokens = torch.tensor([encode(TEXT)] * 4)
    logits, patterns = stack(tokens[None].expand(3, -1, -1), start=2)
    for i, model in enumerate(models):
        one, own = stack.member(i)(tokens, start=2)
        assert torch.allclose(one, logits[i], atol=1e-5)
        assert torch.allclose(own[1], patterns[1][i], atol=1e-6)
        assert torch.allclose(model(tokens, start=2)[0], logits[i], atol=1e-5)


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda m: nm.NameModel(n_layers=3), ValueError, "n_layers"),
        (lambda m: nm.NameModel(seed=-1), ValueError, "seed"),
        (lambda m: m(torch.zeros(2, 13, dtype=torch.long)), ValueError, "tokens"),
        (lambda m: m(torch.zeros(2, 3)), TypeError, "tokens"),
        (lambda m: m(torch.zeros(3, dtype=torch.long)), ValueError, "tokens"),
        (lambda m: m(torch.zeros(2, 3, dtype=torch.long), ablate=(3,)), ValueError, "ablate"),
        (lambda m: m(torch.zeros(2, 3, dtype=torch.long), ablate=1), TypeError, "ablate"),
        (lambda m: m(torch.zeros(2, 3, dtype=torch.long), start=3), ValueError, "start"),
        (lambda m: m(torch.zeros(2, 3, dtype=torch.long), start=1.0), TypeError, "start"),
    ],
)
def test_model_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call(nm.NameModel(2, 12))


def test_config_fields_and_defaults():
    one, two = nm.NameConfig(), nm.NameConfig(n_layers=2)
    assert (one.kind, one.learning_rate) == ("one_layer", 1e-2)
    assert (two.kind, two.learning_rate) == ("two_layer", 5e-3)
    assert nm.NameConfig(lr=0.02).learning_rate == 0.02
    assert nm.NameConfig(name_length=2).name_length == (2, 2)
    assert one.task == NameTask() and one.steps == 400 and one.batch_size == 64
    assert isinstance(two.build(0), nm.NameModel) and two.build(0).n_layers == 2


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"n_layers": 0}, ValueError, "n_layers"),
        ({"steps": 0}, ValueError, "steps"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"split": "holes"}, ValueError, "split"),
        ({"name_length": (2, 4)}, ValueError, "name_length"),
        ({"stepz": 10}, TypeError, "stepz"),
    ],
)
def test_config_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        nm.NameConfig(**kwargs)


def test_run_returns_the_documented_fields_and_a_plain_model():
    r = nm.run(nm.NameConfig(steps=20, eval_every=10, eval_size=32), seed=0)
    assert 0 <= r.train_accuracy <= 1 and 0 <= r.heldout_accuracy <= 1
    assert r.n_params > 1000 and r.seconds > 0
    assert r.history["step"] == [0, 10, 20]
    assert len(r.history["train"]) == len(r.history["heldout"]) == 3
    assert len(r.history["loss"]) == 20
    assert r.kind == "one_layer" and r.seed == 0
    assert type(r.model) is nm.NameModel and not r.model.training
    assert r.n_params == sum(p.numel() for p in r.model.parameters())


def test_runs_are_deterministic_and_seeds_are_independent():
    config = nm.NameConfig(n_layers=2, steps=30, eval_every=10, eval_size=64)
    a, b = nm.run(config, seed=3), nm.run(config, seed=3)
    assert a.history == b.history
    both = nm.run_seeds(config, [1, 3])
    assert both[1].seed == 3
    assert both[1].history["loss"] == pytest.approx(a.history["loss"], rel=1e-4, abs=1e-5)
    tokens = torch.tensor([encode(TEXT)])
    assert torch.allclose(both[1].model(tokens)[0], a.model(tokens)[0], atol=1e-4)


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: nm.run("one_layer"), TypeError, "config"),
        (lambda: nm.run(nm.NameConfig(), seed=-1), ValueError, "seed"),
        (lambda: nm.run(nm.NameConfig(), seed=1.5), TypeError, "seed"),
        (lambda: nm.run(nm.NameConfig(), progress="yes"), TypeError, "progress"),
        (lambda: nm.run_seeds(nm.NameConfig(), seeds=[]), TypeError, "seeds"),
        (lambda: nm.run_seeds(nm.NameConfig(), seeds=[1, 1]), ValueError, "seeds"),
    ],
)
def test_run_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
