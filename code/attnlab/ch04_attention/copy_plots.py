"""The figures of Chapter 4's copy experiment: learning curves, per-slot heatmaps, where "is" looks."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from attnlab.ch04_attention.plots import _tidy
from attnlab.core import validate


def plot_copy_attention(weights: np.ndarray, context_length: int) -> Figure:
    """Where the last token looks, by the slot the name is in (Chapter 4's copy experiment).

    ``weights[s, p]`` is the mean attention weight of the last token on position ``p`` when the
    name sits at slot ``s`` (see ``attnlab.ch03_next_token.experiment``); the name's cell is outlined.
    """
    weights = np.asarray(weights)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    image = ax.imshow(weights, cmap="Oranges", vmin=0, vmax=1)
    for (s, p), v in np.ndenumerate(weights):
        ax.text(p, s, f"{v:.2f}", ha="center", va="center", fontsize=8,
                color="white" if v > 0.6 else "black")  # fmt: skip
    for s in range(weights.shape[0]):
        ax.add_patch(Rectangle((s - 0.5, s - 0.5), 1, 1, fill=False, lw=2, color="black"))
    ax.set_xticks(range(context_length), [*range(context_length - 1), "is"][:context_length])
    ax.set_xlabel("position the last token ('is') attends to")
    ax.set_ylabel("slot where the name is")
    ax.set_title(
        "attention lands on the name, wherever it is\n(held-out combinations, mean weight)"
    )
    fig.colorbar(image, ax=ax, shrink=0.8, label="attention weight")
    return fig


def copy_attention_by_slot(result: object, per_slot: int = 200, seed: int = 0) -> np.ndarray:
    """Mean attention of the last token over the window, for names at each slot (Chapter 4).

    ``result`` is a ``copy_run.run(AttentionCopyConfig(), seed)`` result. For every slot, ``per_slot``
    fresh contexts of the HELD-OUT combinations with the name at that slot are drawn (a slot with
    no held-out combination uses the seen ones). Returns ``(n_slots, context_length)``.
    """
    task = getattr(result, "task", None)
    if task is None or not hasattr(result, "attention_weights"):
        raise TypeError("result must be what copy_run.run(AttentionCopyConfig(), seed) returns")
    per_slot = int(per_slot)
    generator = torch.Generator().manual_seed(validate.seed("seed", seed))
    rows = []
    for slot in range(task.n_slots):
        names = torch.nonzero(~task.seen[:, slot])[:, 0]
        if len(names) == 0:
            names = torch.nonzero(task.seen[:, slot])[:, 0]
        pick = names[torch.randint(0, len(names), (per_slot,), generator=generator)]
        contexts = torch.randint(
            0, task.n_fillers, (per_slot, task.context_length), generator=generator
        )
        contexts[:, -1] = task.marker_id
        contexts[:, slot] = pick + task.first_name_id
        rows.append(result.attention_weights(contexts).mean(dim=0).numpy())
    return np.stack(rows)


def plot_copy_curves(mlp_results: Sequence, attention_results: Sequence) -> Figure:
    """Chapter 3's training curves, the MLP and attention side by side (Chapter 4)."""
    from attnlab.ch03_next_token.plots import plot_copy_curves as curves

    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained", sharey=True)
    curves(mlp_results, f"MLP: {len(mlp_results)} seeds", ax=axes[0], legend=False)
    curves(attention_results, f"one attention layer: {len(attention_results)} seeds", ax=axes[1])
    for ax in axes:
        _tidy(ax)
    return fig


def plot_copy_heatmaps(mlp_result: object, attention_result: object) -> Figure:
    """Chapter 3's group x slot accuracy heatmap, the MLP and attention side by side (Ch. 4)."""
    from attnlab.ch03_next_token.plots import plot_group_slot_heatmap as heatmap

    fig, axes = plt.subplots(2, 1, figsize=(8, 4.4), layout="constrained")
    heatmap(mlp_result, f"MLP, seed {mlp_result.seed} (outlined: seen in training)", ax=axes[0])
    heatmap(
        attention_result,
        f"attention, seed {attention_result.seed} (outlined: seen in training)",
        ax=axes[1],
    )
    return fig
