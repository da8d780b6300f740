"""The figures of Chapter 5: the shapes of multi-head attention, the two-value experiment's
curves and attention maps, and the cost of attention against sequence length.

Every function draws with matplotlib and returns the ``Figure``; in a notebook end the call with
``;`` so that the figure shows once.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from attnlab.ch05_multi_head.cost import CostResult
from attnlab.ch05_multi_head.two_value import TwoValueResult
from attnlab.core import validate
from attnlab.core.bench import fit_slope

__all__ = ["plot_head_shapes", "plot_learning_curves", "plot_head_maps", "plot_cost"]

HEAD_COLORS = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3"]
GREY = "#8C8C8C"


def _head_color(h: int) -> str:
    return HEAD_COLORS[h % len(HEAD_COLORS)]


def _grid(ax, x0, y0, rows, cols, colors, cell=0.32, label=None, alpha=0.85):
    """A block of rows x cols cells whose column j has colour colors[j]."""
    for r in range(rows):
        for c in range(cols):
            ax.add_patch(
                Rectangle(
                    (x0 + c * cell, y0 - (r + 1) * cell),
                    cell,
                    cell,
                    facecolor=colors[c],
                    edgecolor="white",
                    lw=1,
                    alpha=alpha,
                )
            )
    if label:
        ax.text(x0 + cols * cell / 2, y0 + 0.12, label, ha="center", va="bottom", fontsize=9)
    return x0 + cols * cell, y0 - rows * cell


def _arrow(ax, start, end, text=None):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=GREY))
    if text:
        mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.12)
        ax.text(*mid, text, ha="center", va="bottom", fontsize=8, color="0.3")


def plot_head_shapes(length: int = 4, d_model: int = 8, n_heads: int = 2) -> Figure:
    """The shapes, drawn: (L, d_model) -> n_heads blocks of (L, d_head) -> one (L, L) weight
    table per head -> glued back to (L, d_model) -> the output projection (Chapter 5)."""
    length = validate.positive_int("length", length)
    d_model = validate.positive_int("d_model", d_model)
    n_heads = validate.positive_int("n_heads", n_heads)
    if d_model % n_heads:
        raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")
    d_head, cell = d_model // n_heads, 0.32
    columns = [_head_color(j // d_head) for j in range(d_model)]
    fig, ax = plt.subplots(figsize=(12, 3.8))
    top = length * cell * n_heads / 2 + 0.4
    right, _ = _grid(
        ax, 0, top, length, d_model, columns, label=f"queries Q = x·W_Q\n({length} × {d_model})"
    )
    x_heads = right + 1.3
    tables_x = x_heads + d_head * cell + 2.2
    glued_x = tables_x + length * cell + 1.6
    y = top + 0.35
    for h in range(n_heads):
        y_block = y - h * (length * cell + 0.55)
        _arrow(
            ax,
            (right + 0.1, top - length * cell / 2),
            (x_heads - 0.1, y_block - length * cell / 2),
            "split" if h == 0 else None,
        )
        _grid(
            ax,
            x_heads,
            y_block,
            length,
            d_head,
            [_head_color(h)] * d_head,
            label=f"head {h + 1}: ({length} × {d_head})" if h == 0 else f"head {h + 1}",
        )
        shades = plt.get_cmap("Greys")(np.linspace(0.15, 0.6, length))
        _arrow(
            ax,
            (x_heads + d_head * cell + 0.1, y_block - length * cell / 2),
            (tables_x - 0.1, y_block - length * cell / 2),
            "softmax(QKᵀ/√d)·V" if h == 0 else None,
        )
        for r in range(length):
            for c in range(length):
                ax.add_patch(
                    Rectangle(
                        (tables_x + c * cell, y_block - (r + 1) * cell),
                        cell,
                        cell,
                        facecolor=shades[(r * 3 + c * 5 + h * 2) % length],
                        edgecolor=_head_color(h),
                        lw=1.2,
                    )
                )
        ax.text(
            tables_x + length * cell / 2,
            y_block + 0.12,
            f"its own weights ({length} × {length})" if h == 0 else f"head {h + 1}'s weights",
            ha="center",
            va="bottom",
            fontsize=9,
        )
        _arrow(
            ax,
            (tables_x + length * cell + 0.1, y_block - length * cell / 2),
            (glued_x - 0.1, top - length * cell / 2),
            "concatenate" if h == 0 else None,
        )
    end, _ = _grid(
        ax,
        glued_x,
        top,
        length,
        d_model,
        columns,
        label=f"heads side by side\n({length} × {d_model})",
    )
    _arrow(ax, (end + 0.1, top - length * cell / 2), (end + 1.3, top - length * cell / 2), "· W_O")
    _grid(
        ax,
        end + 1.4,
        top,
        length,
        d_model,
        ["#6B6B6B"] * d_model,
        label=f"output\n({length} × {d_model})",
        alpha=0.6,
    )
    ax.set_xlim(-0.3, end + 1.6 + d_model * cell)
    ax.set_ylim(y - n_heads * (length * cell + 0.55) - 0.1, top + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(
        f"{n_heads} heads of {d_head} features each: same matrices, cut into slices", fontsize=11
    )
    fig.tight_layout()
    return fig


def plot_learning_curves(result: TwoValueResult, level: float = 0.9) -> Figure:
    """Test accuracy against training step, every seed, one panel per head count, and the step
    at which each seed first reached ``level`` (Chapter 5)."""
    if not isinstance(result, TwoValueResult):
        raise TypeError(f"result must be a TwoValueResult, got {type(result).__name__}")
    heads = result.heads
    fig, axes = plt.subplots(1, len(heads) + 1, figsize=(3.4 * (len(heads) + 1), 3.4))
    chance = 1 / result.config.task.n_values
    for ax, h in zip(axes, heads, strict=False):
        for i, curve in enumerate(result.accuracy[h]):
            ax.plot(
                result.steps,
                curve.numpy(),
                color=_head_color(i),
                lw=1.4,
                label=f"seed {result.seeds[i]}",
            )
        ax.axhline(level, color=GREY, ls="--", lw=1)
        if chance:
            ax.axhline(chance, color=GREY, ls=":", lw=1)
            ax.text(result.steps[-1], chance + 0.02, "chance", ha="right", fontsize=8, color="0.4")
        size = f" of {result.config.d_model // h} features"
        ax.set_title(f"{h} head{'s' if h > 1 else ''}{size}")
        ax.set_xlabel("training step")
        ax.set_ylim(0, 1.02)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("test accuracy")
    axes[0].legend(fontsize=7, loc="upper left")
    ax = axes[-1]
    never = result.steps[-1] * 1.12
    for g, h in enumerate(heads):
        reached = result.steps_to(h, level)
        for i, s in enumerate(reached):
            ax.plot(
                g + (i - len(reached) / 2) * 0.06,
                never if s is None else s,
                "o",
                color=_head_color(i),
                ms=6,
                mfc="white" if s is None else _head_color(i),
            )
    ax.axhline(result.steps[-1], color=GREY, lw=0.8)
    ax.text(len(heads) - 0.5, never, "never", ha="right", va="center", fontsize=8, color="0.3")
    ax.set_xticks(range(len(heads)), [str(h) for h in heads])
    ax.set_xlim(-0.5, len(heads) - 0.5)
    ax.set_ylim(0, never * 1.08)
    ax.set_xlabel("heads")
    ax.set_ylabel(f"steps to {level:.0%}")
    ax.set_title(f"steps to reach {level:.0%}")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_head_maps(
    weights: torch.Tensor | np.ndarray | Sequence,
    labels: Sequence[Sequence[str]],
    title: str = "",
) -> Figure:
    """One heatmap per head: rows are sequences, columns positions, each cell showing its token
    and shaded by how much the question mark's query attends to it (Chapter 5).

    ``weights`` is (sequences, n_heads, length); ``labels`` the tokens, (sequences, length).
    """
    w = np.asarray(weights.detach() if isinstance(weights, torch.Tensor) else weights, float)
    if w.ndim == 2:
        w = w[None]
    if w.ndim != 3:
        raise ValueError(f"weights must be (sequences, n_heads, length), got shape {w.shape}")
    n_seq, n_heads, length = w.shape
    if len(labels) != n_seq or any(len(row) != length for row in labels):
        raise ValueError(f"labels must be {n_seq} rows of {length} tokens, one per weight")
    if n_seq == 1:  # one sequence (the head viewer): the heads stacked, one row each
        fig, axes = plt.subplots(n_heads, 1, figsize=(0.6 * length + 1, 0.85 * n_heads + 0.9))
    else:  # several sequences: the heads side by side, one row per sequence
        fig, axes = plt.subplots(1, n_heads, figsize=(0.5 * length * n_heads, 0.45 * n_seq + 1.3))
    axes = np.atleast_1d(axes)
    for h, ax in enumerate(axes):
        ax.imshow(w[:, h], cmap="Blues" if h % 2 == 0 else "Oranges", vmin=0, vmax=1, aspect="auto")
        for r in range(n_seq):
            for c in range(length):
                ax.text(
                    c,
                    r,
                    labels[r][c],
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if w[r, h, c] > 0.5 else "black",
                )
        if n_seq == 1:
            ax.set_yticks([0], [f"head {h + 1}"])
        else:
            ax.set_title(f"head {h + 1}", fontsize=10)
            ax.set_yticks([])
        half = (length - 1) / 2
        ax.set_xticks(
            [half / 2 - 0.5, half + half / 2 - 0.5, length - 1], ["first half", "second half", "?"]
        )
        ax.axvline(half - 0.5, color="0.3", lw=1)
        ax.axvline(length - 1.5, color="0.3", lw=1)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def plot_cost(cost: CostResult, skip: int = 1) -> Figure:
    """Time and peak memory against sequence length on log-log axes, step by step vs fused,
    with the fitted slope of each line (2 means: double the length, four times the cost)."""
    if not isinstance(cost, CostResult):
        raise TypeError(f"cost must be a CostResult, got {type(cost).__name__}")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    lengths = np.array(cost.lengths, float)
    styles = {"step by step": ("#C44E52", "o"), "fused": ("#4C72B0", "s")}
    for ax, table, unit, scale, what in (
        (axes[0], cost.time, "time per call (ms)", 1e3, "time"),
        (axes[1], cost.memory, "peak memory (MiB)", 1 / 2**20, "memory"),
    ):
        for name, values in table.items():
            values = np.array(values, float) * scale
            color, marker = styles.get(name, (GREY, "^"))
            slope = fit_slope(lengths[skip:], values[skip:])
            ax.loglog(
                lengths,
                values,
                marker=marker,
                color=color,
                lw=1.8,
                label=f"{name}: slope {slope:.2f}",
            )
        ax.set_xlabel("sequence length L (tokens)")
        ax.set_ylabel(unit)
        ax.set_title(f"{what} grows like L^slope")
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.25)
    fig.tight_layout()
    return fig
