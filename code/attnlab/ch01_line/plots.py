"""The figures of Chapter 1: data, a line and its residuals, the loss landscape, gradient descent.

Every function draws with matplotlib and returns the ``Figure``; in a notebook end the call with
``;`` so that the figure shows once.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from attnlab.ch01_line.line import DescentPath, _xy, least_squares, loss_surface, mse, predict
from attnlab.ch01_line.state import line_state

__all__ = [
    "plot_grand_evolution",
    "plot_data",
    "draw_fit",
    "plot_fit",
    "plot_landscape",
    "draw_descent_step",
    "plot_descent_steps",
    "plot_learning_rates",
    "plot_torch_fit",
    "plot_cannot_bend",
]

DATA = "#4C72B0"  # the students
LINE = "#DD8452"  # our line
RESIDUAL = "#C44E52"  # how far off
TRUE = "#55A868"  # the line the data was made from
PATH_COLORS = ["#8172B3", "#DD8452", "#C44E52"]  # too small, good, too large
HOURS, SCORE = "hours of revision", "exam score"


def _axes(ax: plt.Axes | None, size: tuple[float, float] = (6.0, 4.0)) -> tuple[Figure, plt.Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        return fig, ax
    return ax.figure, ax


def _tidy(ax: plt.Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(alpha=0.25)


def plot_grand_evolution() -> Figure:
    """The course's climb in three pictures: a line, hinges, attention (Chapter 1's opening)."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained")
    xs = np.linspace(-3, 3, 200)

    ax = axes[0]
    ax.plot(xs, 0.6 * xs + 0.5, color=LINE, lw=2.5)
    ax.set_title("Level 1: a line\n$y = w\\,x + b$  (static, simple)")

    ax = axes[1]
    hinges = [np.maximum(0, xs + 1.5), -2 * np.maximum(0, xs), np.maximum(0, xs - 1.5)]
    for hinge in hinges:
        ax.plot(xs, hinge, color="#BBBBBB", lw=1.2, ls="--")
    ax.plot(xs, sum(hinges), color=LINE, lw=2.5)
    ax.set_ylim(-1.2, 2.2)
    ax.set_title("Level 2: hinges\n$\\max(0,\\ w\\,x + b)$, added up: they bend")

    ax = axes[2]
    words = ["I'm", "called", "Key", "v", "an", ",", "so", "my", "name", "is"]
    scores = np.array([0.2, 0.5, 4.0, 1.2, 1.0, 0.1, 0.2, 0.8, 1.5, 0.6])  # hand-set example
    weights = np.exp(scores) / np.exp(scores).sum()
    ax.bar(range(len(words)), weights, color=[LINE if w == "Key" else DATA for w in words])
    ax.set_xticks(range(len(words)), words, rotation=45)
    ax.set_ylabel('where "is" looks')
    ax.set_title("Level 3: attention\nweights computed from the words (dynamic)")
    for ax in axes:
        _tidy(ax)
    for ax in axes[:2]:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    return fig


def plot_data(
    x: object,
    y: object,
    ax: plt.Axes | None = None,
    xlabel: str = HOURS,
    ylabel: str = SCORE,
) -> Figure:
    """A scatter plot of the data, one dot a student (Chapter 1)."""
    x, y = _xy(x, y)
    fig, ax = _axes(ax)
    ax.scatter(x, y, s=28, color=DATA, alpha=0.85, label="one student", zorder=3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", frameon=False)
    _tidy(ax)
    return fig


def draw_fit(
    x: object,
    y: object,
    state: dict,
    ax: plt.Axes | None = None,
    title: bool = True,
    xlabel: str = HOURS,
    ylabel: str = SCORE,
) -> Figure:
    """Draw a :func:`~attnlab.ch01_line.widgets.line_state`: the data, the line and the residuals."""
    x, y = _xy(x, y)
    fig, ax = _axes(ax)
    xs = x.double().numpy()
    segments = [
        [(xi, yi), (xi, pi)]
        for xi, yi, pi in zip(xs, y.double().numpy(), state["predictions"], strict=True)
    ]
    ax.add_collection(LineCollection(segments, colors=RESIDUAL, lw=1.2, alpha=0.8))
    ax.scatter(xs, y, s=28, color=DATA, alpha=0.85, zorder=3)
    ax.plot(state["line_x"], state["line_y"], color=LINE, lw=2.5, zorder=4)
    ax.plot([], [], color=RESIDUAL, lw=1.2, label="residual (how far off)")
    ax.plot([], [], color=LINE, lw=2.5, label=f"y = {state['w']:.2f}·x + {state['b']:.2f}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    low = min(float(y.min()), *state["line_y"])
    high = max(float(y.max()), *state["line_y"])
    pad = 0.08 * (high - low + 1e-9)
    ax.set_ylim(low - pad, high + pad)
    ax.legend(loc="upper left", frameon=False)
    if title:
        ax.set_title(f"mean squared error = {state['mse']:.1f}")
    _tidy(ax)
    return fig


def plot_fit(x: object, y: object, w: float, b: float, ax: plt.Axes | None = None) -> Figure:
    """The line ``(w, b)`` over the data, with its residuals and MSE (Chapter 1)."""
    return draw_fit(x, y, line_state(w, b, x, y), ax=ax)


def _draw_path(
    ax: plt.Axes,
    path: DescentPath,
    color: str,
    label: str,
    upto: int | None,
    window: tuple[tuple[float, float], tuple[float, float]],
    zorder: float = 4,
) -> None:
    end = len(path) if upto is None else upto + 1
    w, b = np.array(path.w[:end]), np.array(path.b[:end])
    (w_low, w_high), (b_low, b_high) = window
    outside = np.flatnonzero((w < w_low) | (w > w_high) | (b < b_low) | (b > b_high))
    if outside.size:  # a diverging walk: draw it until it leaves the map
        w, b = w[: outside[0] + 1], b[: outside[0] + 1]
    ax.plot(w, b, color=color, lw=1.5, marker="o", ms=3, label=label, zorder=zorder)
    ax.plot(w[-1:], b[-1:], color=color, marker="o", ms=7, mec="white", zorder=zorder + 0.5)


def plot_landscape(
    x: object,
    y: object,
    w_range: tuple[float, float],
    b_range: tuple[float, float],
    paths: Sequence[DescentPath] = (),
    labels: Sequence[str] = (),
    mark: tuple[float, float] | None = None,
    upto: int | None = None,
    colors: Sequence[str] = PATH_COLORS,
    ax: plt.Axes | None = None,
) -> Figure:
    """The MSE over ``(w, b)`` as a contour map, the bottom (least squares) as a star, and
    optionally gradient-descent paths (up to step ``upto``) and one marked guess (Chapter 1)."""
    w_values, b_values, loss = loss_surface(x, y, w_range, b_range, resolution=121)
    fig, ax = _axes(ax, (6.0, 4.6))
    best_w, best_b = least_squares(x, y)
    lowest = mse(predict(best_w, best_b, x), y)
    levels = lowest * np.geomspace(1.1, float(loss.max()) / lowest, 15)
    fill = np.concatenate([[0.0], levels])  # colour the innermost ring too
    ax.contourf(w_values, b_values, loss, levels=fill, cmap="YlGnBu_r", extend="max")
    contours = ax.contour(w_values, b_values, loss, levels=levels, colors="white", linewidths=0.6)
    ax.clabel(contours, contours.levels[3::3], fmt="%.0f", fontsize=7)
    ax.plot(best_w, best_b, marker="*", ms=16, color="white", mec="black", zorder=9)
    ax.plot([], [], marker="*", ls="", ms=12, color="white", mec="black", label="the bottom")
    if mark is not None:
        ax.plot(*mark, marker="X", ms=11, color=LINE, mec="black", zorder=9, label="a guess")
    for i, path in enumerate(paths):
        label = labels[i] if i < len(labels) else f"lr = {path.lr:g}"
        color = colors[i % len(colors)]
        _draw_path(ax, path, color, label, upto, (w_range, b_range), zorder=5 - i)
    ax.set_xlim(*w_range)
    ax.set_ylim(*b_range)
    ax.set_xlabel("w (slope)")
    ax.set_ylabel("b (intercept)")
    ax.set_title("the loss landscape: MSE for every line")
    ax.legend(loc="lower left", fontsize=8, framealpha=0.85)
    return fig


def draw_descent_step(
    x: object,
    y: object,
    path: DescentPath,
    step: int,
    w_range: tuple[float, float],
    b_range: tuple[float, float],
) -> Figure:
    """Two panels for one step of gradient descent: the walk so far on the landscape, and the
    line it has reached (Chapter 1's step-through)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    label = f"lr = {path.lr:g}"
    plot_landscape(x, y, w_range, b_range, [path], [label], upto=step, colors=[LINE], ax=left)
    draw_fit(x, y, line_state(path.w[step], path.b[step], x, y), ax=right, title=False)
    right.set_title(f"step {step}: MSE = {path.loss[step]:.1f}")
    return fig


def plot_descent_steps(x: object, y: object, path: DescentPath, steps: Sequence[int]) -> Figure:
    """Small multiples: the line after each of ``steps`` gradient steps (Chapter 1)."""
    fig, axes = plt.subplots(
        1, len(steps), figsize=(2.7 * len(steps), 2.9), sharey=True, layout="constrained"
    )
    for ax, step in zip(np.atleast_1d(axes), steps, strict=True):
        state = line_state(path.w[step], path.b[step], x, y)
        draw_fit(x, y, state, ax=ax, title=False, ylabel="")
        ax.get_legend().remove()
        ax.set_title(f"step {step}\nMSE {state['mse']:.1f}", fontsize=10)
        ax.set_xlabel("hours")
    np.atleast_1d(axes)[0].set_ylabel(SCORE)
    return fig


def plot_learning_rates(
    x: object,
    y: object,
    paths: Sequence[DescentPath],
    labels: Sequence[str],
    w_range: tuple[float, float],
    b_range: tuple[float, float],
) -> Figure:
    """Gradient descent with several learning rates: the walks on the landscape (left) and the
    loss after every step on a log scale (right) (Chapter 1)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
    plot_landscape(x, y, w_range, b_range, paths, labels, ax=left)
    best = least_squares(x, y)
    lowest = mse(predict(*best, x), y)
    for i, (path, label) in enumerate(zip(paths, labels, strict=True)):
        color = PATH_COLORS[i % len(PATH_COLORS)]
        loss = np.array(path.loss)
        right.plot(np.arange(len(loss)), loss, color=color, lw=2, label=label)
        if path.diverged:
            right.annotate(
                "diverged",
                (len(loss) - 1, loss[-1]),
                xytext=(8, -4),
                textcoords="offset points",
                color=color,
            )
    right.axhline(lowest, color="black", ls=":", lw=1, label=f"the bottom ({lowest:.1f})")
    right.set_yscale("log")
    right.set_xlabel("step")
    right.set_ylabel("MSE (log scale)")
    right.set_title("the loss, step by step")
    right.legend(frameon=False, fontsize=9)
    _tidy(right)
    return fig


def plot_torch_fit(
    x: object,
    y: object,
    losses: Sequence[float],
    learned: tuple[float, float],
    true: tuple[float, float],
) -> Figure:
    """PyTorch's training curve (left) and its learned line against the true one (right)."""
    x, y = _xy(x, y)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    left.plot(np.arange(1, len(losses) + 1), losses, color=LINE, lw=2)
    left.set_yscale("log")
    left.set_xlabel("step")
    left.set_ylabel("MSE (log scale)")
    left.set_title("nn.Linear learning")
    _tidy(left)
    plot_data(x, y, ax=right)
    ends = torch.tensor([0.0, float(x.max())])
    right.plot(ends, predict(*true, ends), color=TRUE, lw=2, ls="--", label="the true line")
    right.plot(ends, predict(*learned, ends), color=LINE, lw=2.5, label="learned by PyTorch")
    right.legend(loc="upper left", frameon=False)
    right.set_title(f"learned w = {learned[0]:.2f}, b = {learned[1]:.2f}")
    return fig


def plot_cannot_bend(x: object, y: object) -> Figure:
    """Curved data with the best possible line (left) and its residuals (right) (Chapter 1)."""
    x, y = _xy(x, y)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    w, b = least_squares(x, y)
    draw_fit(x, y, line_state(w, b, x, y), ax=left, xlabel="hours of sleep", title=False)
    left.set_title(f"the best line there is: MSE = {mse(predict(w, b, x), y):.0f}")
    residuals = np.array(line_state(w, b, x, y)["residuals"])
    colors = np.where(residuals > 0, DATA, RESIDUAL)
    right.axhline(0, color="black", lw=1)
    right.scatter(x, residuals, s=28, color=colors, zorder=3)
    right.set_xlabel("hours of sleep")
    right.set_ylabel("residual = score - line")
    right.set_title("the misses are not random: they follow a hump")
    _tidy(right)
    return fig
