"""THE training loop of the course, with a progress bar (Chapters 2-6), and ``accuracy``.

``train`` asks ``next_batch(step)`` for a batch, takes one Adam step on ``loss(model, batch)`` and
every ``eval_every`` steps calls ``evaluate()`` to record accuracies. The same loop trains one
model (Chapters 2-4) or several seeds at once as one :class:`~attnlab.core.seedstack.SeedStack`
(Chapters 5-6): then the loss has one value per seed, and their sum is what is minimised. The
seeds share no weights, so each seed's gradient is its own, as if it trained alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from attnlab.core import validate

__all__ = ["train", "next_token_loss", "accuracy", "NonFiniteLoss"]


class NonFiniteLoss(FloatingPointError):
    """Training stopped because the loss became nan or infinite (a learning rate too large)."""


def next_token_loss(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Cross-entropy of the model's scores for the next token against the right one (Chapter 3)."""
    contexts, targets = batch
    return nn.functional.cross_entropy(model(contexts), targets)


def accuracy(scores: torch.Tensor, targets: torch.Tensor, per_seed: bool = False) -> Any:
    """The fraction of rows whose highest score is the target (Chapters 2-6).

    ``scores`` has one score per class in its last axis, ``targets`` the right class (its shape is
    ``scores``' without the last axis). With ``per_seed=True`` the first axis counts seeds (a
    :class:`~attnlab.core.seedstack.SeedStack`'s output) and the answer is one fraction per seed.
    """
    validate.tensor("scores", scores, floating=True)
    validate.tensor("targets", targets, floating=False)
    if tuple(scores.shape[:-1]) != tuple(targets.shape):
        raise ValueError(
            f"targets must have the shape of scores without its last axis, "
            f"{tuple(scores.shape[:-1])}, got {tuple(targets.shape)}"
        )
    right = (scores.argmax(-1) == targets).float()
    if per_seed:
        return right.flatten(1).mean(1)
    return right.mean().item()


def _check_train(
    model, next_batch, steps, lr, loss, evaluate, eval_every, weight_decay, lr_schedule, decoupled
) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(next_batch):
        raise TypeError("next_batch must be a function step -> batch")
    validate.positive_int("steps", steps)
    validate.positive_number("lr", lr)
    validate.positive_int("eval_every", eval_every)
    if not callable(loss):
        raise TypeError("loss must be a function (model, batch) -> loss tensor")
    if evaluate is not None and not callable(evaluate):
        raise TypeError("evaluate must be None or a function () -> dict of accuracies")
    if weight_decay != 0:
        validate.positive_number("weight_decay", weight_decay)
    if lr_schedule is not None and not callable(lr_schedule):
        raise TypeError("lr_schedule must be None or a function step -> factor of lr")
    if not isinstance(decoupled, bool):
        raise TypeError(f"decoupled must be True or False, got {decoupled!r}")


def train(
    model: nn.Module,
    next_batch: Callable[[int], Any],
    steps: int,
    lr: float,
    loss: Callable[[nn.Module, Any], torch.Tensor] = next_token_loss,
    evaluate: Callable[[], dict[str, Any]] | None = None,
    eval_every: int = 25,
    weight_decay: float = 0.0,
    progress: bool = True,
    description: str = "training",
    lr_schedule: Callable[[int], float] | None = None,
    decoupled: bool = False,
) -> dict[str, list]:
    """Train ``model`` with Adam for ``steps`` steps; return the history (Chapters 2-6).

    ``next_batch(step)`` gives the batch of step 1, 2, ..., ``steps``; ``loss(model, batch)`` scores
    it (one number, or one per seed). The history holds ``loss`` (one value, or one list of values
    per seed, per step) and, if ``evaluate`` is given, ``eval_step`` plus one list per key that
    ``evaluate()`` returns, recorded before the first step, every ``eval_every`` steps and after
    the last. A loss that becomes nan or infinite stops training with :class:`NonFiniteLoss`.
    ``lr_schedule(step)``, if given, multiplies ``lr`` at each step (Chapter 7 lets it fall to 0).
    ``weight_decay`` pulls the weights towards 0: added to the gradient (Adam's L2 penalty), or,
    with ``decoupled=True``, as AdamW does it, shrinking only the matrices of the linear layers
    and leaving biases, norms and embeddings alone (as minGPT does; Chapter 7).
    """
    _check_train(
        model,
        next_batch,
        steps,
        lr,
        loss,
        evaluate,
        eval_every,
        weight_decay,
        lr_schedule,
        decoupled,
    )
    optimizer = _adam(model, lr, weight_decay, decoupled)
    history: dict[str, list] = {"loss": []}

    def record(step: int) -> None:
        if evaluate is None:
            return
        was_training = model.training
        model.eval()
        history.setdefault("eval_step", []).append(step)
        for key, value in evaluate().items():
            history.setdefault(key, []).append(value)
        model.train(was_training)

    record(0)
    model.train()
    for step in tqdm(range(1, steps + 1), desc=description, disable=not progress, leave=False):
        value = loss(model, next_batch(step))  # 1. predict, then score
        if not torch.isfinite(value).all():
            raise NonFiniteLoss(
                f"training stopped at step {step}: the loss is {value.tolist()}, not a finite "
                f"number. The learning rate lr={lr:g} is probably too large; try a smaller one"
            )
        optimizer.zero_grad(set_to_none=True)  # 2. forget the last step's gradient
        value.sum().backward()  # 3. autograd: the gradient of every weight
        if lr_schedule is not None:
            for group in optimizer.param_groups:
                group["lr"] = lr * lr_schedule(step)
        optimizer.step()  # 4. Adam steps every weight downhill
        history["loss"].append(value.tolist())
        if step % eval_every == 0 or step == steps:
            record(step)
    model.eval()
    return history


def _adam(
    model: nn.Module, lr: float, weight_decay: float, decoupled: bool = False
) -> torch.optim.Optimizer:
    """Adam with weight decay as an L2 penalty on every weight, or (``decoupled``) AdamW shrinking
    only the linear layers' matrices, as minGPT does."""
    if decoupled:
        matrices = {id(m.weight) for m in model.modules() if isinstance(m, nn.Linear)}
        decay = [p for p in model.parameters() if id(p) in matrices]
        rest = [p for p in model.parameters() if id(p) not in matrices]
        groups = [
            {"params": decay, "weight_decay": weight_decay},
            {"params": rest, "weight_decay": 0.0},
        ]
        params = [group for group in groups if group["params"]]
        optimizer, options = torch.optim.AdamW, {}
    else:
        params, optimizer = list(model.parameters()), torch.optim.Adam
        options = {"weight_decay": weight_decay}
    # fused=True: the same update in one kernel, faster for the course's small models (older
    # PyTorch versions have no fused Adam on the CPU: fall back to the plain one).
    try:
        return optimizer(params, lr=lr, fused=True, **options)
    except RuntimeError:
        return optimizer(params, lr=lr, **options)
