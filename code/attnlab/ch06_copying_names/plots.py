"""Figures for Chapter 6: learning curves, the jump, the two heads, ablation, the probe, the course."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from attnlab.core import validate

__all__ = [
    "plot_curves",
    "plot_jump",
    "plot_heads",
    "plot_ablation",
    "plot_probe",
    "plot_whole_names",
    "plot_course",
    "plot_split",
]

LABELS = {"mlp": "MLP", "one_layer": "one attention layer", "two_layer": "two attention layers"}
COLORS = {"mlp": "tab:gray", "one_layer": "tab:orange", "two_layer": "tab:blue"}


def plot_curves(results: dict[str, Sequence], chance: float | None = None) -> Figure:
    """One panel per model: held-out accuracy of every seed (solid) and seen combinations (dotted)."""
    if not isinstance(results, dict) or not results:
        raise TypeError("results must be a non-empty dict {model name: list of NameResult}")
    fig, axes = plt.subplots(1, len(results), figsize=(4.2 * len(results), 3.3), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (model, runs) in zip(axes, results.items(), strict=True):
        color = COLORS.get(model, "tab:green")
        for i, r in enumerate(runs):
            h = r.history
            ax.plot(
                h["step"],
                h["train"],
                ":",
                color=color,
                alpha=0.6,
                label="seen (train)" if i == 0 else None,
            )
            ax.plot(
                h["step"],
                h["heldout"],
                "-",
                color=color,
                lw=1.6,
                label="held-out" if i == 0 else None,
            )
        if chance is not None:
            ax.axhline(chance, color="k", lw=0.8, ls="--", label="chance")
        ax.set_title(f"{LABELS.get(model, model)} ({len(runs)} seeds)")
        ax.set_xlabel("training step")
        ax.set_ylim(-0.03, 1.03)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("accuracy of the name")
    axes[0].legend(loc="center right", fontsize=8)
    fig.tight_layout()
    return fig


def plot_jump(results: Sequence, xlim: float = 150) -> Figure:
    """Training loss (log scale) and held-out accuracy of each seed over the first steps (Ch. 6)."""
    if not results or not all(hasattr(r, "history") for r in results):
        raise TypeError("results must be a non-empty list of NameResult")
    xlim = validate.positive_number("xlim", xlim)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for r in results:
        axes[0].plot(r.history["loss"], lw=1, label=f"seed {r.seed}")
        axes[1].plot(r.history["step"], r.history["heldout"], lw=1.5)
    axes[0].set(
        xlabel="training step",
        ylabel="training loss",
        yscale="log",
        title="loss: plateau, then cliff",
    )
    axes[1].set(
        xlabel="training step",
        ylabel="held-out accuracy",
        title="the skill switches on",
        xlim=(0, xlim),
    )
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def _heatmap(
    ax: plt.Axes, pattern: torch.Tensor, tokens: Sequence[str], title: str, row: int | None
) -> None:
    data = pattern.detach().cpu().numpy()
    ax.imshow(data, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(tokens)), tokens, rotation=90, fontsize=8)
    ax.set_yticks(range(len(tokens)), tokens, fontsize=8)
    ax.set_xlabel("key: the token attended to")
    ax.set_title(title, fontsize=10)
    if row is not None:
        ax.add_patch(
            plt.Rectangle((-0.5, row - 0.5), len(tokens), 1, fill=False, ec="tab:red", lw=2)
        )


def plot_heads(
    patterns: Sequence[torch.Tensor], tokens: Sequence[str], row: int | None = None
) -> Figure:
    """Heatmaps of each layer's attention for one sentence (rows: queries; columns: keys).

    ``row`` (a query position) is outlined in red in both layers, for the head viewer.
    """
    if not patterns:
        raise ValueError("patterns must hold at least one (L, L) attention pattern")
    for p in patterns:
        validate.tensor("patterns", p, ndim=2, floating=True)
        if p.shape != (len(tokens), len(tokens)):
            raise ValueError(
                f"each pattern must be ({len(tokens)}, {len(tokens)}) to match tokens, got {tuple(p.shape)}"
            )
    if row is not None and row not in range(len(tokens)):
        raise ValueError(f"row must be a position in 0..{len(tokens) - 1}, got {row}")
    fig, axes = plt.subplots(1, len(patterns), figsize=(4.6 * len(patterns), 4.4))
    axes = np.atleast_1d(axes)
    names = ["layer 1: looks at the previous token", "layer 2: finds what followed 'called'"]
    for i, (ax, p) in enumerate(zip(axes, patterns, strict=True)):
        title = names[i] if len(patterns) == 2 else f"layer {i + 1}"
        _heatmap(ax, p, tokens, title, row)
    axes[0].set_ylabel("query: the token looking")
    fig.tight_layout()
    return fig


def plot_ablation(scores: Sequence[dict[str, float]], chance: float | None = None) -> Figure:
    """Held-out accuracy with both heads on and with each head switched off, one dot per seed."""
    if not scores:
        raise ValueError("scores must hold one dict per seed, e.g. from ablate_accuracy")
    keys = list(scores[0])
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    labels = {"none": "both heads on", "layer 1": "layer 1 off", "layer 2": "layer 2 off"}
    for x, key in enumerate(keys):
        values = [s[key] for s in scores]
        ax.bar(x, np.mean(values), color="tab:blue" if key == "none" else "tab:red", alpha=0.35)
        ax.plot([x] * len(values), values, "o", color="k", ms=4)
    if chance is not None:
        ax.axhline(chance, color="k", lw=0.8, ls="--", label="chance")
        ax.legend(fontsize=8)
    ax.set_xticks(range(len(keys)), [labels.get(k, k) for k in keys])
    ax.set_ylabel("held-out accuracy")
    ax.set_ylim(0, 1.05)
    ax.set_title("Switch one head off (dots: seeds; bars: mean)")
    fig.tight_layout()
    return fig


def plot_probe(pattern: torch.Tensor, tokens: Sequence[str], period: int, score: float) -> Figure:
    """A head's attention on a repeated random sequence, with the induction stripe outlined."""
    validate.tensor("pattern", pattern, ndim=2, floating=True)
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    _heatmap(
        ax, pattern, tokens, f"layer 2 on a repeated sequence: induction score {score:.2f}", None
    )
    for i in range(period, len(tokens)):
        j = i - period + 1
        ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="tab:red", lw=1.5))
    ax.set_ylabel("query: the token looking")
    fig.tight_layout()
    return fig


def plot_whole_names(table: dict[str, dict[str, Sequence[float]]]) -> Figure:
    """Whole-name accuracy per model (bars: mean; dots: seeds) on each test set."""
    if not isinstance(table, dict) or not table:
        raise TypeError("table must be {model: {test set: [accuracy per seed]}}")
    parts = list(next(iter(table.values())))
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    width = 0.8 / len(table)
    for m, (model, row) in enumerate(table.items()):
        for p, part in enumerate(parts):
            x = p + (m - (len(table) - 1) / 2) * width
            values = list(row[part])
            ax.bar(
                x,
                np.mean(values),
                width * 0.9,
                color=COLORS.get(model, "tab:green"),
                alpha=0.5,
                label=LABELS.get(model, model) if p == 0 else None,
            )
            ax.plot([x] * len(values), values, "o", color="k", ms=3)
    names = {"train": "seen combinations", "heldout": "held-out", "unseen": "never-seen tokens"}
    ax.set_xticks(range(len(parts)), [names.get(p, p) for p in parts])
    ax.set_ylabel("whole name right")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("Copying every token of the name, then stopping")
    fig.tight_layout()
    return fig


def plot_course(evidence: Sequence[str] | None = None) -> Figure:
    """The course in one figure: line -> hinge -> next token -> attention -> heads -> layers (Ch. 6).

    ``evidence`` is one string per box (or ``""``), written under it; a note says that the
    numbers come from Chapter 6's "called" task (Chapter 4's copy task is easier).
    """
    steps = [
        (1, "Line", "y = w·x + b", "fixed weights,\none straight rule"),
        (2, "Hinge", "max(0, w·x + b)", "fixed weights,\nbent into shapes"),
        (3, "Next token", "window → MLP", "fixed weights\nper window slot"),
        (4, "Attention", "softmax(QKᵀ/√d)V", "weights made from\nthe data as it is read"),
        (5, "Heads", "several QK at once", "several looks\nin parallel"),
        (6, "Layers", "head on head", "one head's output\nsteers the next look"),
    ]
    if evidence is not None and (
        len(evidence) != len(steps) or not all(isinstance(e, str) for e in evidence)
    ):
        raise ValueError(f"evidence must be {len(steps)} strings, one per step")
    fig, ax = plt.subplots(figsize=(12.5, 3.2))
    ax.set_xlim(0, 2.0 * len(steps))
    ax.set_ylim(-0.5 if evidence is not None else 0, 3.2)
    ax.axis("off")
    static = 3  # the first three boxes have fixed weights
    for i, (chapter, name, formula, idea) in enumerate(steps):
        x = 0.1 + i * 2.0
        face = "#dbe9f6" if i >= static else "#eeeeee"
        ax.add_patch(plt.Rectangle((x, 1.0), 1.8, 2.0, fc=face, ec="k", lw=1))
        ax.text(x + 0.9, 2.7, f"Ch. {chapter}: {name}", ha="center", weight="bold", fontsize=9.5)
        ax.text(x + 0.9, 2.25, formula, ha="center", fontsize=8.5, family="monospace")
        ax.text(x + 0.9, 1.45, idea, ha="center", fontsize=8.5)
        if evidence is not None and i == 0:
            ax.text(
                0.1,
                -0.35,
                'blue: held-out accuracy on Chapter 6\'s "called" task, over the seeds of this run '
                "(Chapter 4's easier copy task is solved by one layer)",
                fontsize=8,
                color="tab:blue",
            )
        if evidence is not None:
            ax.text(
                x + 0.9,
                0.55,
                evidence[i],
                ha="center",
                va="center",
                fontsize=8,
                color="tab:blue",
                wrap=True,
            )
        if i < len(steps) - 1:
            ax.annotate(
                "",
                xy=(x + 2.0, 2.0),
                xytext=(x + 1.8, 2.0),
                arrowprops={"arrowstyle": "->", "lw": 1.5},
            )
    ax.text(
        static * 1.0,
        0.1,
        "static: the weights are fixed after training",
        ha="center",
        fontsize=9,
        color="0.3",
    )
    ax.text(
        static * 3.0,
        0.1,
        "dynamic: the weights are created by the data as it is read",
        ha="center",
        fontsize=9,
        color="tab:blue",
    )
    fig.tight_layout()
    return fig


def plot_split(n_slots: int, groups: int = 3) -> Figure:
    """The systematic split: name group x region of the slot of 'called'; held-out cells in red."""
    validate.positive_int("n_slots", n_slots, minimum=groups)
    fig, ax = plt.subplots(figsize=(4.6, 2.6))
    for g in range(groups):
        for r in range(groups):
            held = g == r
            ax.add_patch(
                plt.Rectangle(
                    (r, groups - 1 - g), 1, 1, fc="#f4c7c3" if held else "#cfe2f3", ec="w", lw=3
                )
            )
            ax.text(
                r + 0.5,
                groups - 0.5 - g,
                "held out" if held else "train",
                ha="center",
                va="center",
                fontsize=9,
            )
    regions = [
        f"slots {r * n_slots // groups}-{(r + 1) * n_slots // groups - 1}" for r in range(groups)
    ]
    ax.set_xticks([r + 0.5 for r in range(groups)], regions)
    ax.set_yticks(
        [groups - 0.5 - g for g in range(groups)], [f"name group {g}" for g in range(groups)]
    )
    ax.set_xlim(0, groups)
    ax.set_ylim(0, groups)
    ax.set_xlabel("where 'called' stands")
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    fig.tight_layout()
    return fig
