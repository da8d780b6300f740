"""The hinge (ReLU), sums of hinges, the multi-layer perceptron and XOR (Chapter 2).

A line cannot bend. A hinge can: ``max(0, w·x + b)`` is flat (zero) on one side of its bend
point and a line on the other. Add a few hinges and you can draw any curve made of straight
pieces; a one-hidden-layer MLP is exactly such a sum, with the bends and slopes learned.

Two families live here:

- plain NumPy functions for the hinge builder (``hinge``, ``hinge_sum``, ``target_curve``): small
  and stable, so the web book can port them to JavaScript one line at a time;
- the PyTorch side (``relu``, ``MLP``, ``train``, the XOR helpers) that learns the hinges.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from attnlab.core import validate
from attnlab.core.seeds import keeps_global_rng, shift_seed

__all__ = [
    "X_RANGE",
    "TARGETS",
    "hinge",
    "hinge_sum",
    "target_curve",
    "curve_grid",
    "best_slopes",
    "relu",
    "two_layer_forward",
    "MLP",
    "hinge_parts",
    "bend_points",
    "train",
    "accuracy",
    "predict",
    "CurveFit",
    "fit_curve",
    "xor_data",
    "LineFit",
    "best_line",
    "train_line_classifier",
    "train_xor_mlp",
    "XOR_HAND_WEIGHTS",
]

# ---------------------------------------------------------------------------------------------
# The hinge builder's arithmetic (plain NumPy; the web book ports these to JavaScript)
# ---------------------------------------------------------------------------------------------

X_RANGE: tuple[float, float] = (-3.0, 3.0)
"""The window on the x axis where the builder draws and measures its error."""

TARGETS: dict[str, str] = {
    "sine": "sin(x)",
    "bump": "exp(-2 x^2)",
}
"""The curves the hinge builder can aim at, with their formulas."""


def _numbers(name: str, value: object) -> np.ndarray:
    """A 1-D float64 array from a number, list, array or tensor of finite numbers."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, bool) or isinstance(value, str):
        raise TypeError(f"{name} must be a number or a list of numbers, got {value!r}")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a number or a list of numbers, got {type(value).__name__} {value!r}"
        ) from None
    if array.ndim > 1:
        raise ValueError(f"{name} must be a number or a flat list, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers, got {array.tolist()}")
    return np.atleast_1d(array)


def hinge(x: object, w: float, b: float) -> np.ndarray:
    """One hinge, ``max(0, w·x + b)``, at every point of ``x`` (Chapter 2).

    It is zero on one side of the bend point ``x = -b / w`` and rises with slope ``w`` on the
    other: ``w`` sets how steep (and, by its sign, which way it opens), ``b`` where it bends.
    """
    x = _numbers("x", x)
    w = validate.finite_number("w", w)
    b = validate.finite_number("b", b)
    return np.maximum(0.0, w * x + b)


def hinge_sum(
    x: object, bends: Sequence[float], slopes: Sequence[float], offset: float = 0.0
) -> np.ndarray:
    """``offset + sum_k slopes[k] * max(0, x - bends[k])``: the hinge builder's curve (Chapter 2).

    Hinge ``k`` is flat left of ``bends[k]`` and adds a line of slope ``slopes[k]`` to its right,
    so at each bend the curve's slope changes by that hinge's slope. (In the ``w, b`` form this is
    ``slopes[k] * max(0, 1·x - bends[k])``: ``w = 1``, ``b = -bend``, then an output weight.)
    """
    x = _numbers("x", x)
    bends = _numbers("bends", bends)
    slopes = _numbers("slopes", slopes)
    offset = validate.finite_number("offset", offset)
    if bends.shape != slopes.shape:
        raise ValueError(
            f"bends and slopes must have the same length (one of each per hinge), "
            f"got {bends.size} bends and {slopes.size} slopes"
        )
    parts = slopes[:, None] * np.maximum(0.0, x[None, :] - bends[:, None])
    return offset + parts.sum(axis=0)


def best_slopes(
    bends: Sequence[float], target: str = "sine", n_points: int = 121
) -> tuple[np.ndarray, float]:
    """For hinges bent at ``bends``, the slopes and offset that fit ``target`` best.

    "Best" means the least mean squared error on ``curve_grid(n_points)``: a linear
    least-squares problem, because the curve is linear in the slopes once the bends are fixed.
    Returns ``(slopes, offset)`` for :func:`hinge_sum` (Chapter 2).
    """
    bends = _numbers("bends", bends)
    x = curve_grid(n_points)
    columns = [np.ones_like(x)] + [np.maximum(0.0, x - bend) for bend in bends]
    solution, *_ = np.linalg.lstsq(np.column_stack(columns), target_curve(target, x), rcond=None)
    return solution[1:], float(solution[0])


def curve_grid(n_points: int = 121) -> np.ndarray:
    """``n_points`` evenly spaced x values across ``X_RANGE``, ends included."""
    n_points = validate.positive_int("n_points", n_points, minimum=2)
    return np.linspace(X_RANGE[0], X_RANGE[1], n_points)


def target_curve(name: str, x: object) -> np.ndarray:
    """The builder's target curve ``name`` (a key of ``TARGETS``) at the points ``x``."""
    validate.one_of("target", name, list(TARGETS))
    x = _numbers("x", x)
    if name == "sine":
        return np.sin(x)
    return np.exp(-2.0 * x**2)


# ---------------------------------------------------------------------------------------------
# The multi-layer perceptron: hinges whose bends and slopes are learned
# ---------------------------------------------------------------------------------------------


def relu(x: torch.Tensor) -> torch.Tensor:
    """The hinge as a neural-network layer: ``max(0, x)`` element by element (Chapter 2)."""
    validate.tensor("x", x, floating=True)
    return torch.clamp(x, min=0.0)


def two_layer_forward(
    x: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor
) -> torch.Tensor:
    """``relu(x @ W1 + b1) @ W2 + b2``: an MLP with one hidden layer, written out (Chapter 2).

    Shapes: ``x`` (N, d_in), ``W1`` (d_in, H), ``b1`` (H,), ``W2`` (H, d_out), ``b2`` (d_out,).
    Each of the H hidden units is one hinge over the input; the output adds them up with weights.
    """
    for name, value, ndim in (
        ("x", x, 2),
        ("W1", W1, 2),
        ("b1", b1, 1),
        ("W2", W2, 2),
        ("b2", b2, 1),
    ):
        validate.tensor(name, value, ndim=ndim, floating=True)
    if W1.shape[0] != x.shape[1]:
        raise ValueError(f"W1 must have {x.shape[1]} rows (one per input), got {tuple(W1.shape)}")
    if b1.shape[0] != W1.shape[1] or W2.shape[0] != W1.shape[1]:
        raise ValueError(
            f"b1 and the rows of W2 must match the {W1.shape[1]} hidden units of W1, "
            f"got b1 {tuple(b1.shape)} and W2 {tuple(W2.shape)}"
        )
    if b2.shape[0] != W2.shape[1]:
        raise ValueError(f"b2 must have {W2.shape[1]} values, got {tuple(b2.shape)}")
    return relu(x @ W1 + b1) @ W2 + b2


class MLP(nn.Module):
    """A multi-layer perceptron with one hidden layer of hinges (Chapter 2).

    ``forward(x)`` is ``output(relu(hidden(x)))``. After training, every weight is one fixed
    number: ``hidden.weight[j, i]`` connects input ``i`` to hidden unit ``j`` whatever the input.
    """

    def __init__(self, n_inputs: int, n_hidden: int, n_outputs: int) -> None:
        super().__init__()
        self.n_inputs = validate.positive_int("n_inputs", n_inputs)
        self.n_hidden = validate.positive_int("n_hidden", n_hidden)
        self.n_outputs = validate.positive_int("n_outputs", n_outputs)
        self.hidden = nn.Linear(self.n_inputs, self.n_hidden)
        self.output = nn.Linear(self.n_hidden, self.n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        validate.tensor("x", x, ndim=2, floating=True)
        if x.shape[1] != self.n_inputs:
            raise ValueError(
                f"x must have {self.n_inputs} columns (n_inputs), got shape {tuple(x.shape)}"
            )
        return self.output(relu(self.hidden(x)))


def _one_input_one_output(model: object) -> MLP:
    if not isinstance(model, MLP):
        raise TypeError(
            f"model must be an attnlab.ch02_hinge.hinge.MLP, got {type(model).__name__}"
        )
    if model.n_inputs != 1 or model.n_outputs != 1:
        raise ValueError(
            f"model must have one input and one output to draw its hinges, got "
            f"MLP({model.n_inputs}, {model.n_hidden}, {model.n_outputs})"
        )
    return model


@torch.no_grad()
def hinge_parts(model: MLP, x: object) -> tuple[np.ndarray, float]:
    """Split a 1-in, 1-out MLP's curve into its hinges: ``(parts, bias)``.

    ``parts[:, j]`` is ``v_j * max(0, w_j·x + b_j)``, hidden unit ``j`` times its output weight;
    ``parts.sum(axis=1) + bias`` is the model's output at ``x``.
    """
    model = _one_input_one_output(model)
    x = torch.tensor(_numbers("x", x), dtype=torch.float32)[:, None]
    hidden = relu(model.hidden(x))  # (N, H)
    parts = hidden * model.output.weight[0]  # (N, H)
    return parts.double().numpy(), float(model.output.bias[0])


@torch.no_grad()
def bend_points(model: MLP) -> np.ndarray:
    """Where each hidden unit of a 1-input MLP bends: ``x = -b_j / w_j`` (inf where ``w_j = 0``)."""
    if not isinstance(model, MLP):
        raise TypeError(
            f"model must be an attnlab.ch02_hinge.hinge.MLP, got {type(model).__name__}"
        )
    if model.n_inputs != 1:
        raise ValueError(f"model must have one input, got n_inputs={model.n_inputs}")
    w = model.hidden.weight[:, 0].double().numpy()
    b = model.hidden.bias.double().numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w != 0, -b / np.where(w != 0, w, 1.0), np.inf)


LOSSES = ("mse", "bce", "cross_entropy")


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
    ``"cross_entropy"`` (one logit per class, integer targets). A ``tqdm`` bar shows progress.
    Seed with ``attnlab.set_seed`` before building the model for repeatable runs (Chapter 2).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    validate.tensor("inputs", inputs, ndim=2, floating=True)
    validate.non_empty("inputs", inputs)
    validate.one_of("loss", loss, LOSSES)
    steps = validate.positive_int("steps", steps)
    lr = validate.positive_number("lr", lr)
    if weight_decay != 0:
        weight_decay = validate.positive_number("weight_decay", weight_decay)
    if loss == "cross_entropy":
        validate.tensor("targets", targets, ndim=1, floating=False)
    else:
        validate.tensor("targets", targets, ndim=(1, 2), floating=True)
    if targets.shape[0] != inputs.shape[0]:
        raise ValueError(
            f"inputs and targets must have the same number of rows, got {inputs.shape[0]} "
            f"and {targets.shape[0]}"
        )
    loss_fn = {
        "mse": nn.functional.mse_loss,
        "bce": nn.functional.binary_cross_entropy_with_logits,
        "cross_entropy": nn.functional.cross_entropy,
    }[loss]
    # fused=True: the same Adam update in one kernel, faster for the tiny models of this chapter
    # (older PyTorch versions have no fused Adam on the CPU: fall back to the plain one).
    try:
        optimizer = torch.optim.Adam(
            model.parameters(), lr=lr, weight_decay=weight_decay, fused=True
        )
    except RuntimeError:
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = []
    model.train()
    for _ in tqdm(range(steps), desc=desc, disable=not progress, mininterval=0.25):
        out = model(inputs)
        if loss != "cross_entropy" and targets.dim() == 1:
            out = out.reshape(targets.shape)
        value = loss_fn(out, targets)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        history.append(value.item())
    model.eval()
    return history


@torch.no_grad()
def predict(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Class predictions: logit > 0 for a one-output model, else the largest logit."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    validate.tensor("inputs", inputs, ndim=2, floating=True)
    out = model(inputs)
    if out.shape[-1] == 1:
        return (out[:, 0] > 0).long()
    return out.argmax(dim=-1)


def accuracy(model: nn.Module, inputs: torch.Tensor, labels: torch.Tensor) -> float:
    """The fraction of ``inputs`` whose predicted class equals ``labels`` (0/1 or class numbers)."""
    validate.tensor("labels", labels, ndim=1)
    guess = predict(model, inputs)
    if guess.shape[0] != labels.shape[0]:
        raise ValueError(f"inputs has {guess.shape[0]} rows but labels has {labels.shape[0]}")
    return float((guess == labels.long()).double().mean())


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


# ---------------------------------------------------------------------------------------------
# XOR: four points no line can separate
# ---------------------------------------------------------------------------------------------


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
    return float((((x @ w + b) > 0).double() == y.double()).double().mean())


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
    return line, accuracy(line, x, y)


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
    return model, accuracy(model, x, y)
