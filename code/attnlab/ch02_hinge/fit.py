"""Training Chapter 2's networks: full-batch Adam, class scores, and fitting a curve (Chapter 2).

Every network of the chapter trains through the course's one loop,
:func:`attnlab.core.training.train`: "full batch" means that ``next_batch`` hands back the same
inputs and targets at every step. :func:`train` only names the loss (``"mse"``, ``"bce"`` or
``"cross_entropy"``) and returns the loss per step. Accuracy is the course's one
:func:`attnlab.core.training.accuracy` on :func:`class_scores` (a one-logit classifier's logit
``z`` becomes the two class scores ``(0, z)``, so class 1 wins exactly where ``z > 0``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from attnlab.ch02_hinge.hinge import MLP, TARGETS, X_RANGE, bend_points, curve_grid, target_curve
from attnlab.core import training, validate
from attnlab.core.seeds import keeps_global_rng, shift_seed

__all__ = ["LOSSES", "train", "class_scores", "predict", "CurveFit", "fit_curve"]

LOSSES = ("mse", "bce", "cross_entropy")

_LOSS_FUNCTIONS = {
    "mse": nn.functional.mse_loss,
    "bce": nn.functional.binary_cross_entropy_with_logits,
    "cross_entropy": nn.functional.cross_entropy,
}


def _check_train(model, inputs, targets, loss) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    validate.tensor("inputs", inputs, ndim=2, floating=True)
    validate.non_empty("inputs", inputs)
    validate.one_of("loss", loss, LOSSES)
    if loss == "cross_entropy":
        validate.tensor("targets", targets, ndim=1, floating=False)
    else:
        validate.tensor("targets", targets, ndim=(1, 2), floating=True)
    if targets.shape[0] != inputs.shape[0]:
        raise ValueError(
            f"inputs and targets must have the same number of rows, got {inputs.shape[0]} "
            f"and {targets.shape[0]}"
        )


def train(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    *,
    loss: str = "mse",
    steps: int = 500,
    lr: float = 0.01,
    weight_decay: float = 0.0,
    progress: bool = True,
    desc: str = "training",
) -> list[float]:
    """Full-batch gradient descent (Adam) on ``inputs -> targets``; returns the loss per step.

    ``loss`` is ``"mse"`` (curves), ``"bce"`` (one logit per point, targets 0/1) or
    ``"cross_entropy"`` (one logit per class, integer targets). The steps are those of the
    course's one loop, :func:`attnlab.core.training.train`, with the whole data set as the batch
    of every step. Seed with ``attnlab.set_seed`` before building the model for repeatable runs.
    """
    _check_train(model, inputs, targets, loss)
    loss_fn = _LOSS_FUNCTIONS[loss]

    def batch_loss(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        x, y = batch
        out = model(x)
        if loss != "cross_entropy" and y.dim() == 1:  # one output per row: match (N,) targets
            out = out.reshape(y.shape)
        return loss_fn(out, y)

    history = training.train(
        model,
        lambda step: (inputs, targets),  # full batch: the same data at every step
        steps,
        lr,
        loss=batch_loss,
        weight_decay=weight_decay,
        progress=progress,
        description=desc,
    )
    return history["loss"]


@torch.no_grad()
def class_scores(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """One score per class and row, (N, n_classes), for :func:`attnlab.core.training.accuracy`.

    A model with one output (a logit ``z``, trained with ``"bce"``) gets the two scores ``(0, z)``:
    the highest is class 1 exactly where ``z > 0``. A model with several outputs keeps its own.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    validate.tensor("inputs", inputs, ndim=2, floating=True)
    out = model(inputs)
    if out.shape[-1] == 1:
        return torch.cat([torch.zeros_like(out), out], dim=-1)
    return out


def predict(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Class predictions (N,): logit > 0 for a one-output model, else the largest logit."""
    return class_scores(model, inputs).argmax(dim=-1)


@dataclass
class CurveFit:
    """The result of :func:`fit_curve`: the model, its mean squared error and its bends."""

    model: MLP
    n_hidden: int
    seed: int
    error: float
    bends_inside: int  # hidden units whose bend lies inside X_RANGE: the hinges actually used
    losses: list[float]


@keeps_global_rng
def fit_curve(
    target: str = "sine",
    n_hidden: int = 8,
    *,
    seed: int = 0,
    steps: int = 1000,
    lr: float = 0.02,
    n_points: int = 121,
    progress: bool = False,
) -> CurveFit:
    """Fit the builder's ``target`` with an MLP(1, n_hidden, 1) by gradient descent (Chapter 2).

    ``error`` is the mean squared error on the same grid the builder uses, so the two compare.
    """
    validate.one_of("target", target, list(TARGETS))
    n_hidden = validate.positive_int("n_hidden", n_hidden)
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    x = curve_grid(n_points)
    inputs = torch.tensor(x, dtype=torch.float32)[:, None]
    goal = torch.tensor(target_curve(target, x), dtype=torch.float32)
    torch.manual_seed(seed)
    model = MLP(1, n_hidden, 1)
    losses = train(
        model,
        inputs,
        goal,
        loss="mse",
        steps=steps,
        lr=lr,
        progress=progress,
        desc=f"{n_hidden} hinges",
    )
    with torch.no_grad():
        error = float(((model(inputs)[:, 0] - goal) ** 2).mean())
    bends = bend_points(model)
    inside = int(np.sum((bends > X_RANGE[0]) & (bends < X_RANGE[1])))
    return CurveFit(model, n_hidden, seed, error, inside, losses)
