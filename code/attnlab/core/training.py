"""The training loop every next-token chapter uses, with a progress bar (Chapters 3-6).

``train`` asks ``next_batch(step)`` for a batch of (contexts, targets), takes one Adam step on the
cross-entropy loss, and every ``eval_every`` steps calls ``evaluate()`` to record accuracies.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from tqdm.auto import tqdm

from attnlab.core import validate

__all__ = ["train", "accuracy", "NonFiniteLoss"]


class NonFiniteLoss(FloatingPointError):
    """Training stopped because the loss became nan or infinite (a learning rate too large)."""


Batch = tuple[torch.Tensor, torch.Tensor]


@torch.no_grad()
def accuracy(model: nn.Module, contexts: torch.Tensor, targets: torch.Tensor) -> float:
    """The fraction of ``contexts`` whose highest-scoring next token is the target (Chapters 3-6)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    validate.tensor("targets", targets, ndim=1, floating=False)
    if len(contexts) != len(targets):
        raise ValueError(
            f"contexts and targets must hold the same number of examples, got "
            f"{len(contexts)} and {len(targets)}"
        )
    was_training = model.training
    model.eval()
    predicted = model(contexts).argmax(dim=-1)
    model.train(was_training)
    return (predicted == targets).float().mean().item()


def train(
    model: nn.Module,
    next_batch: Callable[[int], Batch],
    steps: int,
    lr: float,
    evaluate: Callable[[], dict[str, float]] | None = None,
    eval_every: int = 25,
    progress: bool = True,
    description: str = "training",
) -> dict[str, list[float]]:
    """Train ``model`` with Adam for ``steps`` steps; return the history (Chapters 3-6).

    The history holds ``loss`` (one value per step) and, if ``evaluate`` is given, ``eval_step``
    plus one list per key that ``evaluate()`` returns, recorded before the first step, every
    ``eval_every`` steps and after the last. A loss that becomes nan or infinite stops training
    with :class:`NonFiniteLoss`.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(next_batch):
        raise TypeError("next_batch must be a function step -> (contexts, targets)")
    steps = validate.positive_int("steps", steps)
    lr = validate.positive_number("lr", lr)
    eval_every = validate.positive_int("eval_every", eval_every)
    if evaluate is not None and not callable(evaluate):
        raise TypeError("evaluate must be None or a function () -> dict of accuracies")

    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"loss": []}

    def record(step: int) -> None:
        if evaluate is None:
            return
        history.setdefault("eval_step", []).append(step)
        for key, value in evaluate().items():
            history.setdefault(key, []).append(value)

    record(0)
    model.train()
    for step in tqdm(range(1, steps + 1), desc=description, disable=not progress, leave=False):
        contexts, targets = next_batch(step)
        loss = nn.functional.cross_entropy(model(contexts), targets)
        if not torch.isfinite(loss):
            raise NonFiniteLoss(
                f"training stopped at step {step}: the loss is {loss.item()}, not a finite "
                f"number. The learning rate lr={lr:g} is probably too large; try a smaller one"
            )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        history["loss"].append(loss.item())
        if step % eval_every == 0 or step == steps:
            record(step)
    model.eval()
    return history
