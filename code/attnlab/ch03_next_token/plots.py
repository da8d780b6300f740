"""Figures for tokens and the copy experiment (Chapter 3; Chapter 4 reuses the copy figures)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

__all__ = [
    "plot_tokens",
    "plot_text_curves",
    "plot_copy_curves",
    "plot_split",
    "plot_group_slot_heatmap",
    "plot_slot_similarity",
    "plot_slot_similarities",
]

_COLORS = plt.get_cmap("Pastel1").colors + plt.get_cmap("Pastel2").colors


def plot_tokens(rows: Sequence[tuple[str, Sequence[str]]], title: str = "") -> plt.Figure:
    """Draw each row's tokens as coloured boxes, e.g. ("after 300 merges", ["Key", "v", "an"])."""
    if not rows:
        raise ValueError("rows must hold at least one (label, tokens) pair")
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(rows) + 0.6))
    for y, (label, pieces) in enumerate(rows):
        ax.text(-0.3, -y, label, ha="right", va="center", fontsize=10)
        x = 0.0
        for i, piece in enumerate(pieces):
            shown = piece.replace(" ", "␣").replace("\n", "⏎")
            width = 0.25 + 0.19 * len(shown)
            ax.add_patch(
                Rectangle(
                    (x, -y - 0.35), width, 0.7, facecolor=_COLORS[i % len(_COLORS)], edgecolor="0.3"
                )
            )
            ax.text(x + width / 2, -y, shown, ha="center", va="center", family="monospace")
            x += width + 0.08
    ax.set_xlim(-3.2, 10)
    ax.set_ylim(-len(rows) + 0.4, 0.6)
    ax.axis("off")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_text_curves(result, baseline: float | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """The window MLP on text: accuracy on the training text and on the held-out end of it."""
    h = result.history
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(h["eval_step"], h["train_accuracy"], color="tab:blue", label="training text")
    ax.plot(h["eval_step"], h["heldout_accuracy"], color="tab:red", ls="--", label="held-out text")
    if baseline is not None:
        ax.axhline(baseline, color="0.4", lw=1, ls=":", label="always the most common token")
    ax.set_xlabel("training step")
    ax.set_ylabel("first guess is right")
    ax.set_ylim(-0.03, 1.03)
    ax.legend(loc="center right", fontsize=9)
    ax.set_title("A 5-token window MLP learning to predict the next token")
    return ax


def plot_split(task, n_names: int = 12, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Which (name, slot) combinations training shows (blue) and the test asks for (white, x)."""
    n_names = min(int(n_names), task.n_names)
    seen = task.seen[:n_names].numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 0.32 * n_names + 1.2))
    ax.imshow(seen, cmap="Blues", vmin=-0.3, vmax=1.2, aspect="auto")
    for name, slot in zip(*np.nonzero(~seen), strict=True):
        ax.text(slot, name, "x", ha="center", va="center", color="tab:red", fontsize=11)
    ax.set_xticks(range(task.n_slots))
    ax.set_xlabel("slot")
    ax.set_yticks(range(n_names))
    ax.set_yticklabels(task.vocab[task.first_name_id : task.first_name_id + n_names], fontsize=8)
    ax.set_title(title or f"{task.split} split (first {n_names} names)")
    return ax


def plot_copy_curves(
    results: Sequence, title: str = "", ax: plt.Axes | None = None, legend: bool = True
) -> plt.Axes:
    """Accuracy on seen (solid) and held-out (dashed) combinations during training, per seed."""
    if not results:
        raise ValueError("results must hold at least one copy run (a CopyResult)")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for i, r in enumerate(results):
        steps = r.history["eval_step"]
        label = i == 0
        ax.plot(
            steps,
            r.history["train_accuracy"],
            color="tab:blue",
            alpha=0.8,
            label="seen combinations" if label else None,
        )
        ax.plot(
            steps,
            r.history["heldout_accuracy"],
            color="tab:red",
            ls="--",
            alpha=0.8,
            label="held-out combinations" if label else None,
        )
    ax.axhline(results[0].chance, color="0.4", lw=1, ls=":", label="chance (1 / names)")
    ax.set_xlabel("training step")
    ax.set_ylabel("accuracy")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(title or f"{results[0].model}: {len(results)} seeds")
    if legend:
        ax.legend(loc="center right", fontsize=9)
    return ax


def plot_group_slot_heatmap(result, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Accuracy for every name group x slot; cells seen in training are outlined in black."""
    table = result.group_slot_accuracy
    seen = result.seen_group_slot
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.6 * table.shape[0] + 1.6))
    ax.imshow(table, vmin=0, vmax=1, cmap="RdYlGn", aspect="auto")
    for g in range(table.shape[0]):
        for s in range(table.shape[1]):
            dark = table[g, s] < 0.2 or table[g, s] > 0.8
            ax.text(
                s,
                g,
                f"{100 * table[g, s]:.0f}%",
                ha="center",
                va="center",
                fontsize=9,
                color="white" if dark else "black",
            )
            if seen[g, s] and not seen.all():
                ax.add_patch(
                    Rectangle((s - 0.5, g - 0.5), 1, 1, fill=False, lw=2.5, edgecolor="black")
                )
    ax.set_xticks(range(table.shape[1]))
    ax.set_xlabel("slot of the name in the context")
    ax.set_yticks(range(table.shape[0]))
    names = ["even names", "odd names"] if table.shape[0] == 2 else None
    ax.set_yticklabels(names or [f"group {g}" for g in range(table.shape[0])])
    ax.set_title(title or f"{result.model}, seed {result.seed} (outlined: seen in training)")
    return ax


def plot_slot_similarity(similarity: np.ndarray, title: str = "", ax=None) -> plt.Axes:
    """A slot x slot matrix (e.g. how alike the MLP's per-slot weights treat the same name)."""
    similarity = np.asarray(similarity, dtype=float)
    if similarity.ndim != 2 or similarity.shape[0] != similarity.shape[1]:
        raise ValueError(f"similarity must be a square matrix, got shape {similarity.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    image = ax.imshow(similarity, vmin=-1, vmax=1, cmap="coolwarm")
    for i in range(similarity.shape[0]):
        for j in range(similarity.shape[1]):
            value = similarity[i, j] + 0.0  # no "-0.00"
            shown = f"{value:.2f}".replace("-0.00", "0.00")
            ax.text(
                j,
                i,
                shown,
                ha="center",
                va="center",
                fontsize=8,
                color="white" if abs(value) > 0.7 else "black",
            )
    ax.set_xticks(range(similarity.shape[0]))
    ax.set_yticks(range(similarity.shape[0]))
    ax.set_xlabel("slot")
    ax.set_ylabel("slot")
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(title)
    return ax


def plot_slot_similarities(matrices: dict[str, np.ndarray]) -> plt.Figure:
    """Several slot x slot similarity matrices side by side, titled by their keys (Chapter 3)."""
    if not isinstance(matrices, dict) or not matrices:
        raise ValueError("matrices must be a non-empty dict {title: square matrix}")
    fig, axes = plt.subplots(1, len(matrices), figsize=(5 * len(matrices), 4), squeeze=False)
    for ax, (title, matrix) in zip(axes[0], matrices.items(), strict=True):
        plot_slot_similarity(matrix, title, ax)
    fig.tight_layout()
    return fig
