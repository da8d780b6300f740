"""Attention beyond text: an image cut into patches, one patch looking at all the others (Ch. 4).

Cut an image into small squares, flatten each square into a vector, and the squares are tokens.
Here the vectors are the patches' own pixels (centred), with no learned weights, and the query
is the pixels times ``sharpness``: a patch attends most to the patches that look like it,
wherever they are in the image. A trained
Vision Transformer learns its queries, keys and values instead; the wiring is the same.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from attnlab.ch04_attention.attention import scaled_dot_product_attention
from attnlab.core import validate

__all__ = ["cut_into_patches", "patch_attention", "plot_image_patches"]


def cut_into_patches(image: object, patch: int) -> torch.Tensor:
    """(H, W) image -> (H/patch * W/patch, patch * patch): one row per square, left to right,
    top to bottom."""
    validate.tensor("image", image, ndim=2, floating=True)
    patch = validate.positive_int("patch", patch)
    height, width = image.shape
    if height % patch or width % patch:
        raise ValueError(f"patch must divide the image's sides {height} x {width}, got {patch}")
    squares = image.reshape(height // patch, patch, width // patch, patch).transpose(1, 2)
    return squares.reshape(-1, patch * patch)


def patch_attention(
    image: object, query: int, patch: int = 2, sharpness: float = 4.0
) -> torch.Tensor:
    """The attention weights of patch ``query`` over every patch, as a (rows, cols) grid.

    ``sharpness`` scales the query (a low temperature, like a trained query's larger numbers).
    """
    sharpness = validate.positive_number("sharpness", sharpness)
    tokens = cut_into_patches(image, patch)
    if isinstance(query, bool) or not isinstance(query, int) or not 0 <= query < len(tokens):
        raise ValueError(f"query must be a patch number in 0..{len(tokens) - 1}, got {query!r}")
    centred = tokens - tokens.mean()  # blank patches score 0 with everything, not a top match
    question = sharpness * centred[query : query + 1]
    _, weights = scaled_dot_product_attention(question, centred, centred)
    rows = image.shape[0] // patch
    return weights[0].reshape(rows, -1)


def plot_image_patches(image: object, query: int, patch: int = 2) -> Figure:
    """Left: the image cut into patches, the query patch outlined. Right: the query patch's
    attention over all patches in one step, near or far."""
    weights = patch_attention(image, query, patch)
    rows, cols = weights.shape
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 4.0), layout="constrained")
    row, col = divmod(query, cols)
    titles = ["the image, cut into patches", "where the outlined patch looks"]
    for ax, title in zip(axes, titles, strict=True):
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].imshow(np.asarray(image), cmap="Greys")
    for k in range(1, rows):
        axes[0].axhline(k * patch - 0.5, color="#1f77b4", lw=0.8)
    for k in range(1, cols):
        axes[0].axvline(k * patch - 0.5, color="#1f77b4", lw=0.8)
    shown = axes[1].imshow(weights.numpy(), cmap="Oranges", vmin=0)
    fig.colorbar(shown, ax=axes[1], shrink=0.8, label="attention weight")
    for ax, size in ((axes[0], patch), (axes[1], 1)):
        corner = (col * size - 0.5, row * size - 0.5)
        ax.add_patch(Rectangle(corner, size, size, fill=False, edgecolor="#d62728", lw=2.5))
    top = float(weights.max())
    fig.suptitle(
        f"{rows * cols} patches of {patch} x {patch} pixels are {rows * cols} tokens; "
        f"the largest weight is {top:.2f} (a uniform look would give {1 / (rows * cols):.2f})",
        fontsize=10,
    )
    return fig
