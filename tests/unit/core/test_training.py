"""The training loop and ``accuracy`` (Chapters 2-6)."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch03_next_token.model import WindowMLP
from attnlab.core.training import NonFiniteLoss, accuracy, next_token_loss, train


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
    before = accuracy(model(contexts), targets)
    history = train(
        model,
        next_batch,
        steps=60,
        lr=0.05,
        progress=False,
        evaluate=lambda: {"acc": accuracy(model(contexts), targets)},
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


def test_the_loss_is_a_function_of_model_and_batch():
    model, contexts, targets, next_batch = _task()
    seen = []

    def loss(model, batch):
        seen.append(batch)
        return next_token_loss(model, batch) * 2

    history = train(model, next_batch, steps=3, lr=0.01, loss=loss, progress=False)
    assert len(seen) == 3 and seen[0][0] is contexts
    assert len(history["loss"]) == 3 and "eval_step" not in history
    first = _task()
    assert history["loss"][0] == pytest.approx(
        2 * next_token_loss(first[0], (contexts, targets)).item()
    )


def test_a_loss_that_is_not_finite_stops_training():
    model, _, _, next_batch = _task()
    with pytest.raises(NonFiniteLoss, match="lr=0.01"):
        train(model, next_batch, 3, 0.01, loss=lambda m, b: torch.tensor(float("nan")))


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"steps": 0}, ValueError, "steps"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"eval_every": 0}, ValueError, "eval_every"),
        ({"evaluate": 3}, TypeError, "evaluate"),
        ({"loss": "mse"}, TypeError, "loss"),
        ({"weight_decay": -1.0}, ValueError, "weight_decay"),
        ({"decoupled": "yes"}, TypeError, "decoupled"),
        ({"next_batch": None}, TypeError, "next_batch"),
        ({"model": "mlp"}, TypeError, "model"),
    ],
)
def test_bad_input(kwargs, error, words):
    model, _, _, next_batch = _task()
    arguments = {"model": model, "next_batch": next_batch, "steps": 5, "lr": 0.01, **kwargs}
    with pytest.raises(error, match=words):
        train(**arguments)


def test_decoupled_decay_shrinks_only_the_linear_matrices():
    """With a zero loss, AdamW's decay is all that moves a weight: the linear layers' matrices
    shrink by lr * weight_decay per step; biases and embeddings stay where they are."""
    model, _, _, next_batch = _task()
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    zero = lambda m, b: sum(p.sum() for p in m.parameters()) * 0.0  # noqa: E731
    train(model, next_batch, 3, 0.1, loss=zero, weight_decay=0.5, decoupled=True, progress=False)
    linear = {
        f"{name}.weight" for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)
    }
    assert linear, "the test model has linear layers"
    for name, p in model.named_parameters():
        factor = (1 - 0.1 * 0.5) ** 3 if name in linear else 1.0
        torch.testing.assert_close(p.detach(), before[name] * factor, msg=name)


def test_accuracy_takes_scores():
    scores = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(scores, torch.tensor([1, 0, 0])) == pytest.approx(2 / 3)
    per_seed = accuracy(scores.expand(2, 3, 2), torch.tensor([[1, 0, 0], [1, 0, 1]]), per_seed=True)
    assert per_seed.tolist() == pytest.approx([2 / 3, 1.0])


def test_accuracy_bad_input():
    model, contexts, targets, _ = _task()
    with pytest.raises(ValueError, match="shape"):
        accuracy(model(contexts), targets[:3])
    with pytest.raises(TypeError, match="targets"):
        accuracy(model(contexts), targets.float())
    with pytest.raises(TypeError, match="scores"):
        accuracy(contexts, targets)
