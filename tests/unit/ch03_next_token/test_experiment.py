"""The copy experiment's code: bookkeeping, determinism, the data stream, errors (Chapters 3-4).

What the chapters claim about its results, over many seeds, is in tests/claims.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attnlab.ch03_next_token.copytask import CopyTask
from attnlab.ch03_next_token.experiment import copy_batches, run_copy_experiment, slot_similarity


@pytest.fixture(scope="module")
def runs() -> dict:
    return {
        "mlp": [run_copy_experiment("mlp", 0)],
        "attention": [run_copy_experiment("attention", 0)],
    }


def test_attention_weights_of_the_last_token(runs):
    r = runs["attention"][0]
    contexts, _, _, slots = r.task.sample(200, torch.Generator().manual_seed(9), heldout=True)
    weights = r.attention_weights(contexts)
    assert weights.shape == (200, r.task.context_length)
    assert ((weights >= 0) & (weights <= 1)).all() and torch.allclose(
        weights.sum(1), torch.ones(200)
    )
    assert slots.shape == (200,)
    with pytest.raises(ValueError, match="model='attention'"):
        runs["mlp"][0].attention_weights(contexts)


def test_history_and_bookkeeping(runs):
    r = runs["mlp"][0]
    assert len(r.history["loss"]) == r.options["steps"] == 300
    steps = r.history["eval_step"]
    assert steps[0] == 0 and steps[-1] == 300
    assert len(r.history["train_accuracy"]) == len(r.history["heldout_accuracy"]) == len(steps)
    assert r.seconds > 0 and r.n_params > 0
    assert r.options["lr"] == 0.03 and r.group_slot_accuracy.shape == (2, 7)
    assert r.chance == pytest.approx(1 / 200) and r.seen_group_slot.shape == (2, 7)
    # the two models of the comparison have the same parameter count (within 1%)
    assert abs(r.n_params - runs["attention"][0].n_params) <= 0.01 * r.n_params


def test_runs_are_deterministic(runs):
    again = run_copy_experiment("mlp", 0, steps=20)
    once = run_copy_experiment("mlp", 0, steps=20)
    assert again.history["loss"] == once.history["loss"]
    assert np.array_equal(again.group_slot_accuracy, once.group_slot_accuracy)


def test_every_model_sees_the_same_data_stream():
    task = CopyTask()
    a, b = copy_batches(task, seed=3, batch_size=16), copy_batches(task, seed=3, batch_size=16)
    for step in range(1, 4):
        xa, ya = a(step)
        xb, yb = b(step)
        assert torch.equal(xa, xb) and torch.equal(ya, yb)


@pytest.mark.parametrize(
    "model, options, error, words",
    [
        ("transformer", {}, ValueError, "model must be one of"),
        (3, {}, ValueError, "model must be one of"),
        ("mlp", {"stepz": 10}, ValueError, "unknown option"),
        ("mlp", {"steps": 0}, ValueError, "steps"),
        ("mlp", {"lr": -0.1}, ValueError, "lr"),
        ("mlp", {"width": 2.5}, TypeError, "width"),
        ("mlp", {"split": "holes"}, ValueError, "split"),
        ("mlp", {"positions": True}, ValueError, "positions"),
        ("attention", {"progress": "no"}, TypeError, "progress"),
        ("mlp", {"n_names": 1}, ValueError, "n_names"),
    ],
)
def test_bad_input(model, options, error, words):
    with pytest.raises(error, match=words):
        run_copy_experiment(model, **options)
    with pytest.raises(TypeError, match="seed"):
        run_copy_experiment("mlp", seed=1.5)


def test_slot_similarity_shape_and_errors(runs):
    sim = slot_similarity(runs["mlp"][0])
    assert sim.shape == (7, 7) and np.allclose(np.diag(sim), 1, atol=1e-5)
    assert np.allclose(sim, sim.T, atol=1e-5)
    with pytest.raises(ValueError, match="mlp"):
        slot_similarity(runs["attention"][0])
