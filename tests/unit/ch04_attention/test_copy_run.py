"""Chapter 4's attention model on Chapter 3's copy experiment: the run, the fair MLP, its rate.

What the chapter claims about the results, over many seeds, is in tests/claims.
"""

from __future__ import annotations

import dataclasses

import pytest
import torch

from attnlab.ch03_next_token import copy_experiment
from attnlab.ch03_next_token.copy_analysis import tune_lr
from attnlab.ch03_next_token.copy_experiment import CopyConfig, CopyTraining
from attnlab.ch04_attention import copy_run
from attnlab.ch04_attention.copy_run import DEFAULT_LR, AttentionCopyConfig, fair_mlp
from attnlab.ch04_attention.model import OneLayerAttention


@pytest.fixture(scope="module")
def runs() -> dict:
    return {
        "attention": copy_run.run(AttentionCopyConfig(), 0),
        "mlp": copy_experiment.run(fair_mlp(), 0),
    }


def test_attention_weights_of_the_last_token(runs):
    r = runs["attention"]
    assert r.model == "attention" and isinstance(r.net, OneLayerAttention)
    contexts, _, _, slots = r.task.sample(200, torch.Generator().manual_seed(9), heldout=True)
    weights = r.attention_weights(contexts)
    assert weights.shape == (200, r.task.context_length)
    assert ((weights >= 0) & (weights <= 1)).all() and torch.allclose(
        weights.sum(1), torch.ones(200)
    )
    assert slots.shape == (200,)


def test_the_fair_mlp_has_as_many_parameters(runs):
    # the two models of the comparison have the same parameter count (within 1%)
    a, m = runs["attention"], runs["mlp"]
    assert abs(m.n_params - a.n_params) <= 0.01 * m.n_params
    # Chapter 3's default MLP is that fair MLP (its width, 22, is sized after this model)
    assert fair_mlp() == CopyConfig()
    assert fair_mlp(AttentionCopyConfig(d_model=16)).width != CopyConfig().width
    assert fair_mlp(lr=0.01).lr == 0.01
    shared = [f.name for f in dataclasses.fields(CopyTraining) if f.name != "lr"]
    config = AttentionCopyConfig(steps=7, split="random", positions=True)
    assert all(getattr(fair_mlp(config), n) == getattr(config, n) for n in shared)


def test_fair_mlp_leaves_the_callers_random_numbers_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    fair_mlp()
    assert torch.equal(torch.rand(3), expected)


def test_positions_and_bad_input():
    r = copy_run.run(AttentionCopyConfig(positions=True, steps=2, eval_size=10, eval_every=1), 1)
    assert r.net.position is not None and r.config.positions
    with pytest.raises(TypeError, match="positions"):
        AttentionCopyConfig(positions="yes")
    with pytest.raises(ValueError, match="d_model"):
        AttentionCopyConfig(d_model=0)
    with pytest.raises(TypeError, match="AttentionCopyConfig"):
        copy_run.run(CopyConfig(), 0)
    with pytest.raises(TypeError, match="AttentionCopyConfig"):
        fair_mlp(CopyConfig())


def test_tune_lr_picks_the_default_rate_on_seen_combinations():
    best, rows = tune_lr(copy_run.run, AttentionCopyConfig(eval_size=500))
    assert best == DEFAULT_LR == AttentionCopyConfig().lr, rows
    by_lr = {row["lr"]: row for row in rows}
    # As the comment on DEFAULT_LR says: 100% at 0.003-0.03, and 0.03 reaches 99% fastest.
    for lr in (0.003, 0.01, 0.03):
        assert by_lr[lr]["train_accuracy"] >= 0.99, rows
    assert by_lr[0.1]["train_accuracy"] <= 0.9, rows
    assert by_lr[0.03]["steps_to_99"] < min(by_lr[0.01]["steps_to_99"], by_lr[0.003]["steps_to_99"])
