"""Chapter 7's figures: the three models on every test set, the heads, the copy step by step."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

__all__ = ["plot_results", "plot_head_scores", "plot_copy_steps", "TEST_LABELS"]

#: How the figures name the test sets of :func:`~attnlab.ch07_name.sentences.make_split`.
TEST_LABELS = {
    "seen": "seen names\n(short + middle)",
    "new_names": "new names,\nseen pieces",
    "names_x_distances": "names x distances\n(held out)",
    "far": "other names,\nfar back",
    "new_first": "first piece\nnever a name",
}


def plot_results(results: dict[str, list], labels: dict[str, str]) -> plt.Figure:
    """Bars: each model's exact whole-name completion per test set (the mean, with a dot for each
    seed when there are several)."""
    parts = list(TEST_LABELS)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    width = 0.8 / len(results)
    colors = ["#bbbbbb", "#8c8c8c", "#2b7bba"]
    for k, (model, runs) in enumerate(results.items()):
        x = np.arange(len(parts)) + (k - (len(results) - 1) / 2) * width
        values = np.array([[r.accuracy[p] for p in parts] for r in runs])
        ax.bar(x, values.mean(0), width, label=labels[model], color=colors[k % len(colors)])
        for row in values if len(values) > 1 else []:
            ax.plot(x, row, "o", color="black", markersize=3)
    ax.set_xticks(np.arange(len(parts)), [TEST_LABELS[p] for p in parts], fontsize=9)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("whole name exactly right")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(loc="upper right", fontsize=9, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_head_scores(scores: dict[str, torch.Tensor]) -> plt.Figure:
    """Two small tables of colour: every head's previous-token and induction score."""
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 2.4))
    for ax, (what, values) in zip(axes, scores.items(), strict=True):
        ax.imshow(values.numpy(), vmin=0, vmax=1, cmap="Blues")
        for (layer, head), v in np.ndenumerate(values.numpy()):
            ax.text(
                head,
                layer,
                f"{v:.2f}",
                ha="center",
                va="center",
                color="white" if v > 0.5 else "black",
                fontsize=9,
            )
        ax.set_title(what.replace("_", "-") + " score", fontsize=10)
        ax.set_xticks(range(values.shape[1]), [f"head {h}" for h in range(values.shape[1])])
        ax.set_yticks(range(values.shape[0]), [f"layer {i + 1}" for i in range(values.shape[0])])
    fig.tight_layout()
    return fig


def plot_copy_steps(
    weights: list[torch.Tensor], tokens: list[str], written: list[str]
) -> plt.Figure:
    """One row per written piece: how much the copying head looks at each token of the prompt."""
    fig, axes = plt.subplots(len(weights), 1, figsize=(9, 1.3 * len(weights) + 0.6), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, row, piece in zip(axes, weights, written, strict=True):
        row = row.numpy()
        ax.bar(range(len(row)), row, color="#2b7bba")
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"writes\n{piece!r}", rotation=0, ha="right", va="center", fontsize=9)
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1].set_xticks(
        range(len(tokens)), [repr(t)[1:-1] for t in tokens], rotation=90, fontsize=8
    )
    axes[0].set_title("where the copying head looks while the model writes each piece", fontsize=10)
    fig.tight_layout()
    return fig
