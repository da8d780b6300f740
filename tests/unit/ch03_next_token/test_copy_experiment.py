"""The copy experiment's code: bookkeeping, determinism, the data stream, errors (Chapters 3-4).

What the chapters claim about its results, over many seeds, is in tests/claims. Chapter 4's
attention run on the same machinery is tested in tests/unit/ch04_attention/test_copy_run.py.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from attnlab.ch03_next_token import copy_experiment
from attnlab.ch03_next_token.copy_analysis import results_table, slot_similarity
from attnlab.ch03_next_token.copy_experiment import (
    LARGE_MLP,
    CopyConfig,
    copy_batches,
    run,
    train_and_measure,
)
from attnlab.ch03_next_token.copytask import CopyTask
from attnlab.ch03_next_token.model import WindowMLP


@pytest.fixture(scope="module")
def mlp_run():
    return run(CopyConfig(), 0)


def test_history_and_bookkeeping(mlp_run):
    r = mlp_run
    assert r.model == "mlp" and r.config == CopyConfig()
    assert len(r.history["loss"]) == r.config.steps == 300
    steps = r.history["eval_step"]
    assert steps[0] == 0 and steps[-1] == 300
    assert len(r.history["train_accuracy"]) == len(r.history["heldout_accuracy"]) == len(steps)
    assert r.seconds > 0 and r.n_params > 0
    assert r.config.lr == 0.03 and r.group_slot_accuracy.shape == (2, 7)
    assert r.chance == pytest.approx(1 / 200) and r.seen_group_slot.shape == (2, 7)
    assert r.net.width == 22 and "mlp" in results_table([r])


def test_the_config_holds_every_setting():
    fields = {f.name for f in dataclasses.fields(CopyConfig)}
    assert fields == {
        "n_names",
        "n_slots",
        "n_fillers",
        "split",
        "n_groups",
        "steps",
        "batch_size",
        "lr",
        "eval_size",
        "eval_every",
        "progress",
        "d_model",
        "width",
    }
    assert (LARGE_MLP.d_model, LARGE_MLP.width, LARGE_MLP.lr) == (64, 512, 0.01)


def test_runs_are_deterministic():
    again = run(CopyConfig(steps=20), 0)
    once = run(CopyConfig(steps=20), 0)
    assert again.history["loss"] == once.history["loss"]
    assert np.array_equal(again.group_slot_accuracy, once.group_slot_accuracy)


def test_every_model_sees_the_same_data_stream():
    task = CopyTask()
    a, b = copy_batches(task, seed=3, batch_size=16), copy_batches(task, seed=3, batch_size=16)
    for step in range(1, 4):
        xa, ya = a(step)
        xb, yb = b(step)
        assert torch.equal(xa, xb) and torch.equal(ya, yb)


def test_train_and_measure_takes_any_network():
    config = CopyConfig(steps=2, eval_size=10, eval_every=1)

    def build(task):
        return WindowMLP(task.vocab_size, task.context_length, 8, 4)

    r = train_and_measure("small", build, config, 0)
    assert r.model == "small" and r.net.width == 4 and len(r.history["loss"]) == 2
    with pytest.raises(TypeError, match="build must return"):
        train_and_measure("none", lambda task: None, config, 0)
    with pytest.raises(TypeError, match="config"):
        train_and_measure("mlp", build, {"steps": 2}, 0)


@pytest.mark.parametrize(
    "options, error, words",
    [
        ({"steps": 0}, ValueError, "steps"),
        ({"lr": -0.1}, ValueError, "lr"),
        ({"width": 2.5}, TypeError, "width"),
        ({"split": "holes"}, ValueError, "split"),
        ({"progress": "no"}, TypeError, "progress"),
        ({"n_names": 1}, ValueError, "n_names"),
        ({"stepz": 10}, TypeError, "stepz"),
    ],
)
def test_bad_input(options, error, words):
    with pytest.raises(error, match=words):
        CopyConfig(**options)


def test_bad_run_arguments():
    with pytest.raises(TypeError, match="seed"):
        run(CopyConfig(), seed=1.5)
    with pytest.raises(TypeError, match="CopyConfig"):
        run({"steps": 2}, 0)
    with pytest.raises(TypeError, match="CopyConfig"):
        copy_experiment.run("mlp", 0)


def test_slot_similarity_shape_and_errors(mlp_run):
    sim = slot_similarity(mlp_run)
    assert sim.shape == (7, 7) and np.allclose(np.diag(sim), 1, atol=1e-5)
    assert np.allclose(sim, sim.T, atol=1e-5)
    with pytest.raises(ValueError, match="MLP"):
        slot_similarity("run")


def test_attention_weights_need_attention(mlp_run):
    contexts = mlp_run.task.sample(4, torch.Generator().manual_seed(9))[0]
    with pytest.raises(ValueError, match="model='attention'"):
        mlp_run.attention_weights(contexts)
    assert mlp_run.predict(contexts).shape == (4,)
