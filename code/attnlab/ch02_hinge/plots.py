"""Figures for Chapter 2, "The hinge": hinges, the hinge builder, curve fits and XOR.

Every function draws one idea and returns its matplotlib ``Figure``. The digits' figures are in
:mod:`attnlab.ch02_hinge.digit_plots`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from attnlab.ch02_hinge.hinge import MLP, X_RANGE, curve_grid, hinge, hinge_parts, target_curve
from attnlab.core import validate

__all__ = [
    "plot_one_hinge",
    "plot_line_cannot_bend",
    "plot_builder",
    "plot_curve_fit",
    "plot_hinges_needed",
    "plot_xor_line",
    "plot_xor_hand",
    "plot_decision_regions",
    "plot_hidden_units",
]

TARGET_STYLE = {"color": "0.35", "linestyle": "--", "linewidth": 2}
CURVE_COLOR = "#1f5fa8"
CLASS_COLORS = ("#d95f02", "#1b9e77")  # class 0, class 1


def plot_one_hinge() -> Figure:
    """One hinge, max(0, w·x + b): what b does (where it bends) and what w does (how steep)."""
    x = np.linspace(-3, 3, 301)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for b, shade in zip([-1.0, 0.0, 1.0], ["#9ecae1", "#4292c6", "#08519c"], strict=True):
        left.plot(x, hinge(x, 1.0, b), color=shade, lw=2.5, label=f"w = 1, b = {b:+g}")
        left.plot([-b], [0], "o", color=shade, ms=7)
    left.set_title("b moves the bend: it sits at x = -b / w")
    for w, shade in zip(
        [0.5, 1.0, 2.0, -1.0], ["#fdae6b", "#f16913", "#a63603", "#6a51a3"], strict=True
    ):
        right.plot(x, hinge(x, w, 0.0), color=shade, lw=2.5, label=f"w = {w:+g}, b = 0")
    right.set_title("w sets the slope; a negative w opens to the left")
    for ax in (left, right):
        ax.axhline(0, color="0.8", lw=1, zorder=0)
        ax.set_xlabel("x")
        ax.legend(frameon=False, loc="upper left")
        ax.set_ylim(-0.3, 4.2)
    left.set_ylabel("max(0, w·x + b)")
    fig.tight_layout()
    return fig


def plot_line_cannot_bend(target: str = "sine") -> Figure:
    """The target curve and the best straight line through it (least squares)."""
    x = curve_grid()
    y = target_curve(target, x)
    slope, intercept = np.polyfit(x, y, 1)
    line = slope * x + intercept
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.plot(x, y, **TARGET_STYLE, label=f"target: {target}")
    ax.plot(
        x, line, color="#d95f02", lw=2.5, label=f"best line, error {np.mean((line - y) ** 2):.3f}"
    )
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("A line cannot bend")
    ax.legend(frameon=False, loc="upper left")
    fig.tight_layout()
    return fig


def _hinge_colors(n: int) -> list:
    cmap = plt.get_cmap("tab10")
    return [cmap(k % 10) for k in range(n)]


def plot_builder(state: dict[str, Any]) -> Figure:
    """The hinge builder's picture: the sum against the target (top), each hinge below it."""
    if not isinstance(state, dict) or not {"x", "curve", "hinges", "target"} <= set(state):
        raise TypeError(
            "state must be the dict returned by attnlab.ch02_hinge.widgets.builder_state"
        )
    x = state["x"]
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(7, 5.2), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    top.plot(x, state["target"], **TARGET_STYLE, label=f"target: {state['target_name']}")
    top.plot(x, state["curve"], color=CURVE_COLOR, lw=3, label="sum of hinges")
    top.set_title(f"Sum of {len(state['bends'])} hinges; mean squared error {state['error']:.4f}")
    top.legend(frameon=False, loc="upper left")
    top.set_ylim(-1.6, 1.6)
    colors = _hinge_colors(len(state["bends"]))
    for k, (part, bend, slope) in enumerate(
        zip(state["hinges"], state["bends"], state["slopes"], strict=True)
    ):
        bottom.plot(x, part, color=colors[k], lw=2, label=f"{slope:+.2f}·max(0, x {-bend:+.2f})")
        if X_RANGE[0] <= bend <= X_RANGE[1]:
            top.axvline(bend, color=colors[k], lw=1, ls=":")
    bottom.axhline(
        state["offset"], color="0.6", lw=1, ls="-.", label=f"offset {state['offset']:+.2f}"
    )
    bottom.set_xlabel("x")
    bottom.set_title("each hinge on its own", fontsize=10)
    bottom.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def plot_curve_fit(model: MLP, target: str = "sine") -> Figure:
    """A trained MLP(1, H, 1) against the target (top) and its H hinges (bottom)."""
    x = curve_grid()
    parts, bias = hinge_parts(model, x)
    curve = parts.sum(axis=1) + bias
    y = target_curve(target, x)
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(7, 5.2), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    top.plot(x, y, **TARGET_STYLE, label=f"target: {target}")
    top.plot(x, curve, color=CURVE_COLOR, lw=3, label="MLP")
    top.set_title(
        f"MLP with {model.n_hidden} hidden units; mean squared error {np.mean((curve - y) ** 2):.4f}"
    )
    top.legend(frameon=False, loc="upper left")
    w = model.hidden.weight[:, 0].detach().numpy()
    b = model.hidden.bias.detach().numpy()
    colors = _hinge_colors(model.n_hidden)
    for j in range(model.n_hidden):
        bottom.plot(x, parts[:, j], color=colors[j], lw=2)
        if w[j] != 0 and X_RANGE[0] < -b[j] / w[j] < X_RANGE[1]:
            top.axvline(-b[j] / w[j], color=colors[j], lw=1, ls=":")
    bottom.axhline(bias, color="0.6", lw=1, ls="-.")
    bottom.set_xlabel("x")
    bottom.set_title(
        "each hidden unit × its output weight (dotted lines above: the bends)", fontsize=10
    )
    fig.tight_layout()
    return fig


def plot_hinges_needed(
    sizes: Sequence[int], errors: Sequence[Sequence[float]], hand_error: float, good: float
) -> Figure:
    """Error of the gradient-descent fit against the number of hidden units, one dot per seed."""
    errors = np.asarray(errors, dtype=float)
    if errors.shape[0] != len(sizes):
        raise ValueError(
            f"errors needs one row per size, got {errors.shape[0]} rows for {len(sizes)}"
        )
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for i, n in enumerate(sizes):
        spread = np.linspace(-0.06, 0.06, errors.shape[1])  # side by side, so no dot hides
        ax.scatter(
            n * 2**spread,
            errors[i],
            color=CURVE_COLOR,
            zorder=3,
            label="gradient descent, one dot per seed" if i == 0 else None,
        )
    ax.axhline(good, color="0.4", ls="--", lw=1, label=f"'good enough': error {good:g}")
    ax.axhline(
        hand_error, color="#d95f02", lw=1.5, label=f"3 hinges placed by hand: {hand_error:.4f}"
    )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(list(sizes), [str(n) for n in sizes])
    ax.set_xlabel("hidden units (hinges) in the MLP")
    ax.set_ylabel("mean squared error")
    ax.legend(frameon=False, fontsize=9)
    fig.tight_layout()
    return fig


def _xor_points(ax: plt.Axes, x: torch.Tensor, y: torch.Tensor) -> None:
    for label in (0, 1):
        pts = x[y.long() == label]
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            s=220,
            color=CLASS_COLORS[label],
            edgecolor="k",
            zorder=4,
            label=f"class {label}",
        )
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")


def _grid(n: int = 121) -> tuple[np.ndarray, np.ndarray, torch.Tensor]:
    g = np.linspace(-0.5, 1.5, n)
    gx, gy = np.meshgrid(g, g)
    points = torch.tensor(np.column_stack([gx.ravel(), gy.ravel()]), dtype=torch.float32)
    return gx, gy, points


def plot_xor_line(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: float) -> Figure:
    """The four XOR points and the line w·x + b = 0, with the points it gets wrong circled."""
    validate.tensor("w", w, ndim=1)
    gx, gy, points = _grid()
    side = (points @ w.float() + b > 0).reshape(gx.shape).numpy()
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    ax.contourf(
        gx, gy, side, levels=[-0.5, 0.5, 1.5], colors=[CLASS_COLORS[0], CLASS_COLORS[1]], alpha=0.18
    )
    ax.contour(gx, gy, side, levels=[0.5], colors="k", linewidths=2)
    _xor_points(ax, x, y)
    wrong = (x @ w.float() + b > 0).long() != y.long()
    ax.scatter(
        x[wrong, 0],
        x[wrong, 1],
        s=700,
        facecolor="none",
        edgecolor="red",
        lw=2.5,
        zorder=5,
        label="wrong side",
    )
    acc = 1 - float(wrong.double().mean())
    ax.set_title(f"Best line: {acc:.0%} right")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize=9)
    fig.tight_layout()
    return fig


def plot_xor_hand(weights: dict[str, torch.Tensor]) -> Figure:
    """Two hand-set hinges on XOR: their fold lines in the input square, the points in the
    hinges' own coordinates (where one line now separates them), and the output's regions."""
    from attnlab.ch02_hinge.hinge import two_layer_forward
    from attnlab.ch02_hinge.xor import xor_data

    x, y = xor_data()
    W1, b1, W2, b2 = (weights[k] for k in ("W1", "b1", "W2", "b2"))
    gx, gy, points = _grid()
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(13, 4.3))
    # 1: each hinge's fold line in the input square
    _xor_points(a, x, y)
    for j in range(W1.shape[1]):
        pre = (points @ W1[:, j] + b1[j]).reshape(gx.shape).numpy()
        a.contour(gx, gy, pre, levels=[0], colors=[_hinge_colors(3)[j]], linewidths=2.5)
        a.contourf(gx, gy, pre, levels=[0, np.inf], colors=[_hinge_colors(3)[j]], alpha=0.12)
    a.set_title("input: each hinge is on in its shaded half")
    # 2: the points in hidden coordinates
    h = torch.clamp(x @ W1 + b1, min=0)
    for label in (0, 1):
        pts = h[y.long() == label]
        b.scatter(pts[:, 0], pts[:, 1], s=220, color=CLASS_COLORS[label], edgecolor="k", zorder=4)
    for point, hid in zip(x.tolist(), h.tolist(), strict=True):
        b.annotate(
            f"({point[0]:g}, {point[1]:g})",
            hid,
            textcoords="offset points",
            xytext=(12, 8 if point[0] == point[1] == 1 else -14),
            fontsize=9,
        )
    t = np.linspace(-0.5, 1.5, 2)
    if float(W2[1, 0]) != 0:
        b.plot(t, (-float(b2[0]) - float(W2[0, 0]) * t) / float(W2[1, 0]), color="k", lw=2)
    b.set_xlim(-0.3, 1.3)
    b.set_ylim(-0.3, 1.3)
    b.set_aspect("equal")
    b.set_xlabel("hinge 1")
    b.set_ylabel("hinge 2")
    b.set_title("hidden: (0,0) and (1,1) land together;\nnow one line separates the classes")
    # 3: the network's output regions
    out = two_layer_forward(points, W1, b1, W2, b2)[:, 0].reshape(gx.shape).numpy()
    c.contourf(gx, gy, (out > 0), levels=[-0.5, 0.5, 1.5], colors=list(CLASS_COLORS), alpha=0.25)
    c.contour(gx, gy, out, levels=[0], colors="k", linewidths=2)
    _xor_points(c, x, y)
    c.set_title("output: class 1 where\nhinge 1 + hinge 2 > 0.5")
    fig.tight_layout()
    return fig


@torch.no_grad()
def plot_decision_regions(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> Figure:
    """A trained two-input classifier's probability of class 1 over the plane, with the points."""
    gx, gy, points = _grid()
    prob = torch.sigmoid(model(points)[:, 0]).reshape(gx.shape).numpy()
    fig, ax = plt.subplots(figsize=(5, 4.2))
    image = ax.contourf(gx, gy, prob, levels=np.linspace(0, 1, 11), cmap="PuOr", alpha=0.7)
    ax.contour(gx, gy, prob, levels=[0.5], colors="k", linewidths=2)
    fig.colorbar(image, ax=ax, label="P(class 1)")
    _xor_points(ax, x, y)
    ax.set_title("Trained MLP: its decision regions")
    fig.tight_layout()
    return fig


@torch.no_grad()
def plot_hidden_units(model: MLP) -> Figure:
    """Each hidden unit of a two-input MLP as a hinge over the plane: max(0, w·x + b), its fold
    line, and the output weight that says how much (and which way) it votes."""
    if not isinstance(model, MLP) or model.n_inputs != 2:
        raise TypeError("model must be an attnlab.ch02_hinge.hinge.MLP with two inputs")
    gx, gy, points = _grid(61)
    hidden = torch.clamp(model.hidden(points), min=0).numpy()
    votes = model.output.weight[0].numpy()
    n = model.n_hidden
    cols = min(n, 8)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(1.75 * cols, 2.25 * rows), squeeze=False)
    order = np.argsort(-np.abs(votes))
    top = max(float(hidden.max()), 1e-6)
    for ax, j in zip(axes.ravel(), order, strict=False):
        field = hidden[:, j].reshape(gx.shape)
        ax.imshow(
            field, origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="Greys", vmin=0, vmax=top
        )
        pre = model.hidden(points)[:, j].reshape(gx.shape).numpy()
        if pre.min() < 0 < pre.max():
            ax.contour(
                gx, gy, pre, levels=[0], colors=[CLASS_COLORS[int(votes[j] > 0)]], linewidths=2
            )
        ax.set_title(
            f"unit {j}: vote {votes[j]:+.1f}", fontsize=8, color=CLASS_COLORS[int(votes[j] > 0)]
        )
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.suptitle("Hidden units as hinges over the plane (dark = larger); line = fold", fontsize=10)
    fig.tight_layout()
    return fig
