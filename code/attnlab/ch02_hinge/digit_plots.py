"""The figures of Chapter 2's digits: samples, the confusion matrix, mistakes, weight images.

The hinge, curve and XOR figures are in :mod:`attnlab.ch02_hinge.plots`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from attnlab.ch02_hinge.hinge import MLP
from attnlab.core import validate

__all__ = ["plot_digit_samples", "plot_confusion", "plot_mistakes", "plot_weight_images"]


def _images(name: str, images: torch.Tensor) -> np.ndarray:
    validate.tensor(name, images, floating=True)
    array = images.detach().numpy()
    return array.reshape(-1, 8, 8)


def _mosaic(tiles: np.ndarray, cols: int, top: int = 1) -> np.ndarray:
    """Lay (n, 8, 8) tiles out in a grid, ``top`` empty rows above each tile and one column
    between tiles, as a single image (much faster to draw than one subplot per tile)."""
    rows = (len(tiles) + cols - 1) // cols
    sheet = np.full((rows * (8 + top), cols * 9 + 1), np.nan)  # nan: the gaps
    for k, tile in enumerate(tiles):
        r, c = divmod(k, cols)
        y = r * (8 + top) + top
        sheet[y : y + 8, 1 + 9 * c : 9 + 9 * c] = tile
    return sheet


def plot_digit_samples(images: torch.Tensor, labels: torch.Tensor, n: int = 30) -> Figure:
    """The first ``n`` images, ten to a row, each with its label above it."""
    array = _images("images", images)
    n = min(validate.positive_int("n", n), len(array))
    cols = min(n, 10)
    rows = (n + cols - 1) // cols
    fig, ax = plt.subplots(figsize=(cols * 0.9, rows * 1.05))
    cmap = plt.get_cmap("gray_r").with_extremes(bad="white")
    ax.imshow(_mosaic(array[:n], cols, top=3), cmap=cmap, vmin=0, vmax=1)
    for k in range(n):
        r, c = divmod(k, cols)
        ax.text(
            5 + 9 * c,
            11 * r + 1.4,
            str(int(labels[k])),
            ha="center",
            va="center",
            fontsize=9,
            color="#1f5fa8",
            fontweight="bold",
        )
    ax.axis("off")
    fig.tight_layout()
    return fig


def plot_confusion(matrix: torch.Tensor) -> Figure:
    """A confusion matrix: row = the true digit, column = the model's guess."""
    validate.tensor("matrix", matrix, ndim=2)
    m = matrix.numpy()
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    ax.imshow(np.log1p(m), cmap="Blues")
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if m[i, j]:
                ax.text(
                    j,
                    i,
                    str(m[i, j]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if i == j else ("#b30000"),
                )
    ax.set_xticks(range(m.shape[1]))
    ax.set_yticks(range(m.shape[0]))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(
        f"Test set: {int(np.trace(m))} of {int(m.sum())} right (off-diagonal = mistakes)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def plot_mistakes(
    images: torch.Tensor, truth: torch.Tensor, predicted: torch.Tensor, n: int = 8
) -> Figure:
    """Up to ``n`` test images the model got wrong, with the true digit and the guess."""
    array = _images("images", images)
    wrong = np.flatnonzero(truth.numpy() != predicted.numpy())[: validate.positive_int("n", n)]
    fig, axes = plt.subplots(
        1, max(len(wrong), 1), figsize=(1.3 * max(len(wrong), 1), 1.7), squeeze=False
    )
    for ax, k in zip(axes.ravel(), wrong, strict=False):
        ax.imshow(array[k], cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"is {int(truth[k])}\nsaid {int(predicted[k])}", fontsize=9)
    for ax in axes.ravel():
        ax.axis("off")
    fig.tight_layout()
    return fig


@torch.no_grad()
def plot_weight_images(model: MLP, n: int = 16) -> Figure:
    """Hidden unit j's 64 incoming weights drawn as an 8x8 image: the pattern it looks for.

    Shows the ``n`` units whose outgoing weights are largest (the ones the output listens to
    most). Red pixels push the unit up, blue pixels push it down; each image has its own colour
    scale. These numbers are fixed after training: the same for every image the model will see.
    """
    if not isinstance(model, MLP) or model.n_inputs != 64:
        raise TypeError("model must be an attnlab.ch02_hinge.hinge.MLP with 64 inputs (8x8 digits)")
    n = min(validate.positive_int("n", n), model.n_hidden)
    loudness = model.output.weight.norm(dim=0)  # how much the output listens to each unit
    units = torch.argsort(loudness, descending=True)[:n].tolist()
    weights = model.hidden.weight.numpy().reshape(-1, 8, 8)[units]
    scaled = weights / np.maximum(np.abs(weights).max(axis=(1, 2), keepdims=True), 1e-9)
    cols = min(n, 8)
    rows = (n + cols - 1) // cols
    fig, ax = plt.subplots(figsize=(cols * 0.95, rows * 0.95 + 0.6))
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="0.55")  # grey gaps between the tiles
    ax.imshow(_mosaic(scaled, cols), cmap=cmap, vmin=-1, vmax=1)
    ax.axis("off")
    ax.set_title(
        (
            "Incoming weights of all hidden units"
            if n == model.n_hidden
            else f"Incoming weights of the {n} hidden units the output listens to most"
        )
        + ", loudest first\n(red: ink here excites the unit, blue: inhibits it)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
