"""The hinge (ReLU), sums of hinges and the multi-layer perceptron (Chapter 2).

A line cannot bend. A hinge can: ``max(0, w·x + b)`` is flat (zero) on one side of its bend
point and a line on the other. Add a few hinges and you can draw any curve made of straight
pieces; a one-hidden-layer MLP is exactly such a sum, with the bends and slopes learned.

Two families live here:

- plain NumPy functions for the hinge builder (``hinge``, ``hinge_sum``, ``target_curve``): small
  and stable, so the web book can port them to JavaScript one line at a time;
- the PyTorch side (``relu``, ``two_layer_forward``, ``MLP``, ``hinge_parts``, ``bend_points``).

Training lives in :mod:`attnlab.ch02_hinge.fit` (full-batch Adam through the course's one loop,
:func:`attnlab.core.training.train`, and the curve fits) and XOR in :mod:`attnlab.ch02_hinge.xor`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from attnlab.core import validate

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
