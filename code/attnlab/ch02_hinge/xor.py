"""XOR: four points no line can separate, and the hinges that can (Chapter 2).

The chapter's argument in code: :func:`best_line` searches every straight line and never gets all
four points right; :func:`train_line_classifier` trains one (a logistic regression) and does no
better; two hand-set hinges (``XOR_HAND_WEIGHTS``) and a small trained MLP (:func:`train_xor_mlp`)
get all four. Training goes through :func:`attnlab.ch02_hinge.fit.train`, accuracy through the
course's one :func:`attnlab.core.training.accuracy`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from attnlab.ch02_hinge.fit import class_scores, train
from attnlab.ch02_hinge.hinge import MLP
from attnlab.core import training, validate
from attnlab.core.seeds import keeps_global_rng, shift_seed

__all__ = [
    "xor_data",
    "XOR_HAND_WEIGHTS",
    "LineFit",
    "best_line",
    "train_line_classifier",
    "train_xor_mlp",
]


def xor_data() -> tuple[torch.Tensor, torch.Tensor]:
    """The four XOR points: inputs (4, 2) in {0, 1} and labels (4,) = 1 where exactly one is on."""
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([0.0, 1.0, 1.0, 0.0])
    return x, y


XOR_HAND_WEIGHTS: dict[str, torch.Tensor] = {
    # hinge 1 = max(0, x1 - x2) turns on at (1, 0); hinge 2 = max(0, x2 - x1) turns on at (0, 1).
    "W1": torch.tensor([[1.0, -1.0], [-1.0, 1.0]]),
    "b1": torch.tensor([0.0, 0.0]),
    # the output adds them: |x1 - x2|, which is 1 on the two XOR points and 0 on the others.
    "W2": torch.tensor([[1.0], [1.0]]),
    "b2": torch.tensor([-0.5]),  # minus a threshold: output > 0 means "class 1"
}
"""Two hand-set hinges that solve XOR (the chapter's worked example)."""


@dataclass
class LineFit:
    """A straight decision line ``w·x + b = 0``: class 1 where ``w·x + b > 0``."""

    w: torch.Tensor
    b: float
    accuracy: float


def _line_accuracy(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: float) -> float:
    logit = x @ w + b  # class 1 where it is > 0: the two class scores are (0, logit)
    return training.accuracy(torch.stack([torch.zeros_like(logit), logit], dim=-1), y.long())


def best_line(x: torch.Tensor, y: torch.Tensor, n_angles: int = 720) -> LineFit:
    """Try every direction (``n_angles`` of them) and every cut between the points; keep the best.

    For each direction the points are projected onto it and every threshold halfway between two
    neighbours (and beyond both ends) is tried, both ways round. This is a brute-force search, so
    its accuracy is the best any line achieves up to the angle resolution (Chapter 2). Among
    equally good lines it keeps the one farthest from its nearest point.
    """
    validate.tensor("x", x, ndim=2, floating=True)
    validate.tensor("y", y, ndim=1)
    if x.shape[1] != 2 or x.shape[0] != y.shape[0] or x.shape[0] == 0:
        raise ValueError(
            f"x must be (N, 2) points and y (N,) labels, got {tuple(x.shape)} and {tuple(y.shape)}"
        )
    n_angles = validate.positive_int("n_angles", n_angles)
    best, best_margin = LineFit(torch.tensor([0.0, 0.0]), -1.0, -1.0), -1.0
    for k in range(n_angles):
        angle = 2 * math.pi * k / n_angles
        w = torch.tensor([math.cos(angle), math.sin(angle)], dtype=x.dtype)
        proj = torch.sort(torch.unique(x @ w)).values
        cuts = torch.cat([proj[:1] - 1, (proj[1:] + proj[:-1]) / 2, proj[-1:] + 1])
        for cut in cuts.tolist():
            acc = _line_accuracy(x, y, w, -cut)
            margin = float((x @ w - cut).abs().min())  # distance to the nearest point
            if acc > best.accuracy + 1e-9 or (acc > best.accuracy - 1e-9 and margin > best_margin):
                best, best_margin = LineFit(w.clone(), -cut, acc), margin
    return best


@keeps_global_rng
def train_line_classifier(
    x: torch.Tensor, y: torch.Tensor, *, seed: int = 0, steps: int = 500, lr: float = 0.1
) -> tuple[nn.Linear, float]:
    """Train a line (``nn.Linear(2, 1)``, a logistic regression) on ``x -> y``; return it and
    its accuracy (Chapter 2: on XOR it never beats 75%)."""
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    validate.tensor("x", x, ndim=2, floating=True)
    torch.manual_seed(seed)
    line = nn.Linear(x.shape[1], 1)
    train(line, x, y.float(), loss="bce", steps=steps, lr=lr, progress=False)
    return line, training.accuracy(class_scores(line, x), y.long())


@keeps_global_rng
def train_xor_mlp(
    *, seed: int = 0, n_hidden: int = 16, steps: int = 500, lr: float = 0.05, progress: bool = False
) -> tuple[MLP, float]:
    """Train a tiny MLP(2, n_hidden, 1) on the four XOR points; return it and its accuracy."""
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    x, y = xor_data()
    torch.manual_seed(seed)
    model = MLP(2, n_hidden, 1)
    train(model, x, y, loss="bce", steps=steps, lr=lr, progress=progress, desc="XOR")
    return model, training.accuracy(class_scores(model, x), y.long())
