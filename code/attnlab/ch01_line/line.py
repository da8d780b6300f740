"""A line, its loss and gradient descent (Chapter 1).

The simplest model there is: ``prediction = w * x + b``. This module holds everything Chapter 1
builds with it: a small, seeded data set (hours of revision -> exam score), the mean squared
error, its gradient, gradient descent that records its whole path, the loss landscape over
``(w, b)``, the exact least-squares answer, and the same model trained with PyTorch.

Stable interface: the web book's line fitter (JavaScript) reuses ``make_line_data()`` with its
defaults (50 students, seed 0) and the formulas of ``attnlab.ch01_line.widgets.line_state``; change
neither lightly. To export the data, round the float32 values back to what they are: hours to
one decimal, scores to whole points (``[round(v, 1) for v in x.tolist()]``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from tqdm.auto import trange

from attnlab.core import validate
from attnlab.core.seeds import keeps_global_rng, shift_seed

__all__ = [
    "TRUE_W",
    "TRUE_B",
    "NOISE",
    "make_line_data",
    "make_curved_data",
    "predict",
    "mse",
    "mse_gradient",
    "gradient_step",
    "DescentPath",
    "gradient_descent",
    "loss_surface",
    "least_squares",
    "largest_stable_lr",
    "TorchFit",
    "train_linear_torch",
]

TRUE_W = 8.0  # exam points gained per hour of revision, in the made-up world of the data
TRUE_B = 40.0  # the score of a student who does not revise at all
NOISE = 6.0  # the spread (standard deviation) of everything the hours do not explain


def _xy(x: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Check a data set: two 1-D float tensors of the same, non-zero length."""
    x = validate.non_empty("x", validate.as_float_tensor("x", x, ndim=1))
    y = validate.non_empty("y", validate.as_float_tensor("y", y, ndim=1))
    validate.same_shape("x", x, "y", y)
    return x, y


def make_line_data(
    n: int = 50,
    seed: int = 0,
    w: float = TRUE_W,
    b: float = TRUE_B,
    noise: float = NOISE,
    max_hours: float = 5.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` students: hours of revision ``x`` and exam score ``y = w*x + b + noise`` (Chapter 1).

    Hours are drawn uniformly from 0 to ``max_hours`` and rounded to tenths of an hour; scores
    are rounded to whole points, like a real mark sheet. The same ``seed`` gives the same
    students. Returns two float32 tensors of shape ``(n,)``.
    """
    n = validate.positive_int("n", n, minimum=2)
    seed = validate.seed("seed", seed)
    w = validate.finite_number("w", w)
    b = validate.finite_number("b", b)
    if isinstance(noise, bool) or not isinstance(noise, (int, float)):
        raise TypeError(f"noise must be a number >= 0, got {type(noise).__name__} {noise!r}")
    if not 0 <= noise < float("inf"):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    max_hours = validate.positive_number("max_hours", max_hours)
    generator = torch.Generator().manual_seed(seed)
    hours = torch.rand(n, generator=generator, dtype=torch.float64) * max_hours
    hours = torch.round(hours * 10) / 10
    scatter = torch.randn(n, generator=generator, dtype=torch.float64) * noise
    scores = torch.round(w * hours + b + scatter)
    return hours.float(), scores.float()


def make_curved_data(
    n: int = 50, seed: int = 0, noise: float = 4.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Hours of sleep before the exam ``x`` and score ``y`` on a hump (Chapter 1's last section).

    Too little sleep hurts and so does too much: ``y = 85 - 3 (x - 7.5)^2 + noise``, with sleep
    between 3 and 11 hours. No straight line can follow a hump; that is what Chapter 2 fixes.
    """
    n = validate.positive_int("n", n, minimum=2)
    seed = validate.seed("seed", seed)
    noise = validate.positive_number("noise", noise)
    generator = torch.Generator().manual_seed(seed)
    sleep = 3.0 + 8.0 * torch.rand(n, generator=generator, dtype=torch.float64)
    sleep = torch.round(sleep * 10) / 10
    scatter = torch.randn(n, generator=generator, dtype=torch.float64) * noise
    scores = torch.round(85.0 - 3.0 * (sleep - 7.5) ** 2 + scatter)
    return sleep.float(), scores.float()


def predict(w: float, b: float, x: object) -> torch.Tensor:
    """The line's guess for every input: ``w * x + b`` (Chapter 1)."""
    w = validate.finite_number("w", w)
    b = validate.finite_number("b", b)
    x = validate.as_float_tensor("x", x, ndim=1)
    return w * x + b


def mse(prediction: object, target: object) -> float:
    """Mean squared error: the average of ``(prediction - target)^2`` (Chapter 1)."""
    prediction = validate.non_empty(
        "prediction", validate.as_float_tensor("prediction", prediction, ndim=1)
    )
    target = validate.non_empty("target", validate.as_float_tensor("target", target, ndim=1))
    validate.same_shape("prediction", prediction, "target", target)
    error = prediction.double() - target.double()
    return float((error**2).mean())


def mse_gradient(w: float, b: float, x: object, y: object) -> tuple[float, float]:
    """How the MSE of the line ``(w, b)`` changes as ``w`` and as ``b`` grow (Chapter 1).

    With the error ``e = w*x + b - y``: ``dL/dw = 2 * mean(e * x)`` and ``dL/db = 2 * mean(e)``.
    """
    w = validate.finite_number("w", w)
    b = validate.finite_number("b", b)
    x, y = _xy(x, y)
    x, y = x.double(), y.double()
    error = w * x + b - y
    return float(2 * (error * x).mean()), float(2 * error.mean())


def gradient_step(w: float, b: float, x: object, y: object, lr: float) -> tuple[float, float]:
    """One step downhill: move ``w`` and ``b`` against their gradient, ``lr`` times it (Ch. 1)."""
    lr = validate.positive_number("lr", lr)
    grad_w, grad_b = mse_gradient(w, b, x, y)
    return w - lr * grad_w, b - lr * grad_b


@dataclass
class DescentPath:
    """Where gradient descent went: ``w[i]``, ``b[i]`` and ``loss[i]`` after ``i`` steps.

    ``diverged`` is True when the loss blew up (grew past a million times its start, or stopped
    being a finite number); the walk then stops early, so the lists can be shorter than
    ``steps + 1``.
    """

    w: list[float]
    b: list[float]
    loss: list[float]
    lr: float
    diverged: bool

    def __len__(self) -> int:
        return len(self.loss)


def gradient_descent(
    x: object,
    y: object,
    lr: float,
    steps: int,
    w0: float = 0.0,
    b0: float = 0.0,
) -> DescentPath:
    """Start the line at ``(w0, b0)`` and take ``steps`` gradient steps of size ``lr`` (Ch. 1).

    Returns the whole path, so that it can be drawn on the loss landscape.
    """
    x, y = _xy(x, y)
    lr = validate.positive_number("lr", lr)
    steps = validate.positive_int("steps", steps)
    w = validate.finite_number("w0", w0)
    b = validate.finite_number("b0", b0)
    x, y = x.double(), y.double()
    ws, bs, losses = [w], [b], [mse(w * x + b, y)]
    diverged = False
    for _ in range(steps):
        grad_w, grad_b = mse_gradient(w, b, x, y)
        w, b = w - lr * grad_w, b - lr * grad_b
        loss = mse(w * x + b, y)
        ws.append(w)
        bs.append(b)
        losses.append(loss)
        if not loss < 1e6 * max(losses[0], 1.0):  # also catches inf and nan
            diverged = True
            break
    return DescentPath(w=ws, b=bs, loss=losses, lr=lr, diverged=diverged)


def _interval(name: str, value: object) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}")
    low = validate.finite_number(f"{name}[0]", value[0])
    high = validate.finite_number(f"{name}[1]", value[1])
    if not low < high:
        raise ValueError(f"{name} must have low < high, got {value!r}")
    return low, high


def loss_surface(
    x: object,
    y: object,
    w_range: tuple[float, float],
    b_range: tuple[float, float],
    resolution: int = 101,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The MSE at every point of a grid over ``(w, b)``: the loss landscape (Chapter 1).

    Returns ``(w_values, b_values, loss)`` where ``loss[i, j]`` is the MSE of the line with
    ``w = w_values[j]`` and ``b = b_values[i]`` (rows are ``b``, as ``plt.contour`` expects).
    """
    x, y = _xy(x, y)
    w_low, w_high = _interval("w_range", w_range)
    b_low, b_high = _interval("b_range", b_range)
    resolution = validate.positive_int("resolution", resolution, minimum=2)
    w_values = torch.linspace(w_low, w_high, resolution, dtype=torch.float64)
    b_values = torch.linspace(b_low, b_high, resolution, dtype=torch.float64)
    x, y = x.double(), y.double()
    # (b, w, data) -> average over the data
    error = w_values[None, :, None] * x + b_values[:, None, None] - y
    return w_values, b_values, (error**2).mean(dim=-1)


def least_squares(x: object, y: object) -> tuple[float, float]:
    """The exact best line, no walking needed: ``w = cov(x, y) / var(x)``, ``b = mean(y) - w mean(x)``.

    This closed form exists for a line (Chapter 1); for the models of later chapters it does not,
    which is why we learn gradient descent here.
    """
    x, y = _xy(x, y)
    x, y = x.double(), y.double()
    dx, dy = x - x.mean(), y - y.mean()
    spread = float((dx * dx).sum())
    if spread == 0:
        raise ValueError("x must hold at least two different values to fix a line's slope")
    w = float((dx * dy).sum()) / spread
    return w, float(y.mean()) - w * float(x.mean())


def largest_stable_lr(x: object) -> float:
    """The learning rate above which gradient descent on this data diverges (Chapter 1).

    The MSE is a bowl whose steepest curvature is the largest eigenvalue ``lam`` of its Hessian
    ``2 [[mean(x^2), mean(x)], [mean(x), 1]]``; a step larger than ``2 / lam`` overshoots the
    bottom by more than it started from, so every step makes things worse.
    """
    x = validate.non_empty("x", validate.as_float_tensor("x", x, ndim=1)).double()
    hessian = 2 * torch.tensor([[float((x * x).mean()), float(x.mean())], [float(x.mean()), 1.0]])
    return float(2 / torch.linalg.eigvalsh(hessian.double())[-1])


@dataclass
class TorchFit:
    """A line trained by PyTorch: the ``model`` (``nn.Linear(1, 1)``), its ``w`` and ``b``, and
    the loss after every step in ``losses``."""

    model: nn.Linear
    w: float
    b: float
    losses: list[float]


def _training_args(
    x: object, y: object, lr: object, steps: object, seed: object
) -> tuple[torch.Tensor, torch.Tensor, float, int, int]:
    x, y = _xy(x, y)
    lr = validate.positive_number("lr", lr)
    steps = validate.positive_int("steps", steps)
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    return x.float(), y.float(), lr, steps, seed


@keeps_global_rng
def train_linear_torch(
    x: object,
    y: object,
    lr: float = 0.08,
    steps: int = 500,
    seed: int = 0,
    progress: bool = True,
) -> TorchFit:
    """Fit y = w*x + b the PyTorch way: nn.Linear and autograd (Chapter 1).

    The update is written out; it is exactly what ``torch.optim.SGD`` does.
    """
    x, y, lr, steps, seed = _training_args(x, y, lr, steps, seed)
    torch.manual_seed(seed)  # the starting w and b are random
    model = nn.Linear(1, 1)  # one input, one output: a weight w and a bias b
    loss_fn = nn.MSELoss()
    inputs, targets = x[:, None], y[:, None]  # nn.Linear wants shape (n, 1)
    losses = []
    for _ in trange(steps, desc="training", disable=not progress):
        loss = loss_fn(model(inputs), targets)  # 1. predict, then score
        model.zero_grad()  # 2. forget the last step's gradient
        loss.backward()  # 3. autograd: d loss/dw and d loss/db
        with torch.no_grad():  # 4. step downhill (not part of the model)
            for knob in model.parameters():  # the weight w and the bias b
                knob -= lr * knob.grad
        losses.append(loss.item())
    return TorchFit(model, model.weight.item(), model.bias.item(), losses)
