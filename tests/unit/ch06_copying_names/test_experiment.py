"""Chapter 6's experiment: the config of the three models, their runs and their bad input (fast)."""

from __future__ import annotations

import math

import pytest
import torch

from attnlab.ch04_attention.name_model import NameModel, init_generator
from attnlab.ch04_attention.names import VOCAB, encode
from attnlab.ch06_copying_names import experiment as ex
from attnlab.ch06_copying_names.name_mlp import NameMLP


@pytest.mark.parametrize("kind", ex.MODELS)
def test_run_returns_the_documented_fields(kind):
    r = ex.run(ex.NameExperiment(kind, steps=20, eval_every=10, eval_size=32), seed=0)
    assert 0 <= r.train_accuracy <= 1 and 0 <= r.heldout_accuracy <= 1
    assert r.n_params > 1000 and r.seconds > 0
    assert r.history["step"] == [0, 10, 20]
    assert len(r.history["train"]) == len(r.history["heldout"]) == 3
    assert len(r.history["loss"]) == 20
    assert r.kind == kind and r.seed == 0
    assert isinstance(r.model, NameMLP if kind == "mlp" else NameModel)


def test_config_builds_each_model_with_its_rate():
    assert ex.NameExperiment().kind == "two_layer"
    assert ex.NameExperiment("mlp").learning_rate == 1e-2
    assert ex.NameExperiment("two_layer").learning_rate == 5e-3
    assert ex.NameExperiment("one_layer").build(0).n_layers == 1
    whole = ex.NameExperiment("mlp", context_length=10, name_length=(2, 3))
    assert whole.build(0).length == whole.task.length


def test_mlp_starting_weights_come_from_the_seed_in_a_fixed_order():
    model = NameMLP(length=12, seed=5)
    g = init_generator(5)  # embedding first, then the hidden weight
    assert torch.equal(model.embedding, torch.randn(len(VOCAB), 16, generator=g))
    assert torch.equal(
        model.hidden_weight, torch.randn(12 * 16, 48, generator=g) * (1 / math.sqrt(12 * 16))
    )
    assert not model.hidden_bias.detach().any()


def test_mlp_reads_a_window_and_its_positions_are_independent():
    model = NameMLP(length=12, seed=0)
    tokens = torch.tensor([encode("rose called key hill rain sky star lake so my name is")])
    logits, patterns = model(tokens)
    assert logits.shape == (1, 12, len(VOCAB)) and patterns == []
    later, _ = model(tokens, start=11)
    assert torch.allclose(later, logits[:, 11:], atol=1e-6)
    # a position's logits depend only on the tokens up to it (the window is padded on the left)
    short, _ = model(tokens[:, :5])
    assert torch.allclose(short, logits[:, :5], atol=1e-6)


def test_run_is_deterministic_and_seeds_are_independent():
    config = ex.NameExperiment("two_layer", steps=30, eval_every=10, eval_size=64)
    a, b = ex.run(config, seed=3), ex.run(config, seed=3)
    assert a.history == b.history
    both = ex.run_seeds(config, [1, 3])
    assert both[1].seed == 3
    assert both[1].history["loss"] == pytest.approx(a.history["loss"], rel=1e-4, abs=1e-5)


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: ex.NameExperiment("transformer"), ValueError, "kind"),
        (lambda: ex.run(ex.NameExperiment("mlp"), seed=-1), ValueError, "seed"),
        (lambda: ex.run(ex.NameExperiment("mlp"), seed=1.5), TypeError, "seed"),
        (lambda: ex.NameExperiment("mlp", stepz=10), TypeError, "stepz"),
        (lambda: ex.NameExperiment("mlp", steps=0), ValueError, "steps"),
        (lambda: ex.NameExperiment("mlp", lr=-1.0), ValueError, "lr"),
        (lambda: ex.NameExperiment("mlp", split="holes"), ValueError, "split"),
        (lambda: ex.NameExperiment("mlp", hidden=0), ValueError, "hidden"),
        (lambda: ex.run(ex.NameExperiment("mlp"), progress="yes"), TypeError, "progress"),
        (lambda: ex.run_seeds(ex.NameExperiment("mlp"), seeds=[]), TypeError, "seeds"),
        (lambda: ex.run_seeds(ex.NameExperiment("mlp"), seeds=[1, 1]), ValueError, "seeds"),
        (lambda: NameMLP()(torch.zeros(1, 3, dtype=torch.long), ablate=(1,)), ValueError, "MLP"),
        (lambda: NameMLP()(torch.zeros(1, 13, dtype=torch.long)), ValueError, "tokens"),
    ],
)
def test_run_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
