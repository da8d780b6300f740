"""The training loop (Chapters 3-6)."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch03_next_token.model import WindowMLP
from attnlab.core.training import accuracy, train


def _task():
    torch.manual_seed(0)
    model = WindowMLP(vocab_size=6, context_length=2, d_embed=4, width=16)
    contexts = torch.randint(0, 6, (64, 2))
    targets = contexts[:, 0]  # next token = the first token of the window

    def next_batch(step):
        return contexts, targets

    return model, contexts, targets, next_batch


def test_training_learns_and_records_history():
    model, contexts, targets, next_batch = _task()
    before = accuracy(model, contexts, targets)
    history = train(
        model,
        next_batch,
        steps=60,
        lr=0.05,
        progress=False,
        evaluate=lambda: {"acc": accuracy(model, contexts, targets)},
        eval_every=20,
    )
    assert len(history["loss"]) == 60
    assert history["eval_step"] == [0, 20, 40, 60]
    assert history["acc"][0] == pytest.approx(before)
    assert history["loss"][-1] < history["loss"][0]
    assert history["acc"][-1] == 1.0


def test_training_is_deterministic():
    runs = []
    for _ in range(2):
        model, _, _, next_batch = _task()
        runs.append(train(model, next_batch, steps=10, lr=0.01, progress=False)["loss"])
    assert runs[0] == runs[1]


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"steps": 0}, ValueError, "steps"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"eval_every": 0}, ValueError, "eval_every"),
        ({"evaluate": 3}, TypeError, "evaluate"),
        ({"next_batch": None}, TypeError, "next_batch"),
        ({"model": "mlp"}, TypeError, "model"),
    ],
)
def test_bad_input(kwargs, error, words):
    model, _, _, next_batch = _task()
    arguments = {"model": model, "next_batch": next_batch, "steps": 5, "lr": 0.01, **kwargs}
    with pytest.raises(error, match=words):
        train(**arguments)


def test_accuracy_bad_input():
    model, contexts, targets, _ = _task()
    with pytest.raises(ValueError, match="same number"):
        accuracy(model, contexts, targets[:3])
    with pytest.raises(TypeError, match="targets"):
        accuracy(model, contexts, targets.float())
