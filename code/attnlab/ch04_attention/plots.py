"""The figures of Chapter 4: hand-built vectors (keys and values), scores, softmax, the √d_k measurement, the
explorer's state, context ("bank"), receptive fields, where weights come from, and the copy
experiment's attention.

Every function draws with matplotlib and returns the ``Figure``; in a notebook end the call with
``;`` so that the figure shows once.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from attnlab.ch04_attention.wordvectors import FEATURES, VALUE_FEATURES, vectors
from attnlab.core import validate

__all__ = [
    "plot_vectors",
    "plot_worked_example",
    "plot_values",
    "draw_temperature",
    "plot_temperatures",
    "plot_dot_product_spread",
    "draw_explorer",
    "plot_polysemy",
    "plot_receptive_fields",
    "plot_weight_sources",
]

BASE = "#4C72B0"  # an ordinary bar
WIN = "#DD8452"  # the winner / the query
POS = "#55A868"  # a positive feature
NEG = "#C44E52"  # a negative feature
GREY = "#8C8C8C"


def _tidy(ax: plt.Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)


def _bars(ax: plt.Axes, tokens: Sequence[str], heights: Sequence[float], fmt: str = "{:.2f}"):
    heights = list(heights)
    top = max(heights)
    colors = [WIN if abs(h - top) < 1e-9 else BASE for h in heights]
    ax.bar(range(len(heights)), heights, color=colors)
    span = max(heights) - min(0.0, min(heights)) or 1.0
    for j, h in enumerate(heights):
        y = h + 0.02 * span if h >= 0 else h - 0.02 * span
        ax.text(j, y, fmt.format(h), ha="center", va="bottom" if h >= 0 else "top", fontsize=8)
    if min(heights) < 0:
        ax.set_ylim(min(heights) - 0.15 * span, max(heights) + 0.12 * span)
    ax.set_xticks(range(len(tokens)), tokens, rotation=45, ha="right")
    ax.axhline(0, color=GREY, lw=0.8)
    _tidy(ax)


def _feature_bars(ax: plt.Axes, values: Sequence[float], title: str) -> None:
    values = list(values)
    colors = [POS if v >= 0 else NEG for v in values]
    ax.barh(range(len(values)), values, color=colors)
    ax.set_yticks(range(len(values)), VALUE_FEATURES)
    ax.invert_yaxis()
    ax.axvline(0, color=GREY, lw=0.8)
    for d, v in enumerate(values):
        ax.text(v + (0.02 if v >= 0 else -0.02), d, f"{v:.2f}", va="center",
                ha="left" if v >= 0 else "right", fontsize=8)  # fmt: skip
    ax.set_title(title)
    ax.set_xlim(min(-0.3, min(values) - 0.3), max(1.1, max(values) + 0.3))
    _tidy(ax)


def plot_vectors(words: Sequence[str], query_word: str | None = None) -> Figure:
    """The keys ("what I am") of ``words`` as a table of numbers, and one word's query (Ch. 4)."""
    _, keys, _ = vectors(list(words))
    rows = [np.asarray(keys)]
    labels = [f"key of '{w}'" for w in words]
    if query_word is not None:
        rows.append(np.asarray(vectors([query_word])[0]))
        labels.append(f"QUERY of '{query_word}'")
    table = np.vstack(rows)
    fig, ax = plt.subplots(figsize=(8.2, 0.38 * len(table) + 1.6), layout="constrained")
    limit = max(1.0, np.abs(table).max())
    ax.imshow(table, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
    for (r, c), v in np.ndenumerate(table):
        if v != 0:
            ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=9,
                    color="white" if abs(v) > 0.6 * limit else "black")  # fmt: skip
    ax.set_xticks(range(len(FEATURES)), FEATURES, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    if query_word is not None:
        ax.axhline(len(words) - 0.5, color="black", lw=2)
    ax.set_title("hand-built vectors: every number is a feature you can read (blank = 0)")
    return fig


def plot_worked_example(state: dict) -> Figure:
    """An explorer state in three steps: scores q·k, softmax weights, the output mix (Ch. 4)."""
    tokens, q = state["tokens"], state["query"]
    fig, axes = plt.subplots(
        1, 3, figsize=(13, 3.8), layout="constrained", gridspec_kw={"width_ratios": [1.1, 1.1, 1]}
    )
    _bars(axes[0], tokens, state["raw_scores"], "{:g}")
    axes[0].set_title(f"1. scores: query of '{tokens[q]}' · key of each word")
    _bars(axes[1], tokens, state["weights"])
    axes[1].set_title("2. softmax(score / √8): the weights")
    axes[1].set_ylim(0, 1.05)
    _feature_bars(axes[2], state["output"], f"3. new vector for '{tokens[q]}' = Σ weight × value")
    return fig


def _table(ax: plt.Axes, table: np.ndarray, cmap: str, limit: float, fmt: str = "{:g}") -> None:
    """A heatmap with its non-zero numbers written in (blank = 0)."""
    vmin = -limit if cmap == "RdBu" else 0.0
    ax.imshow(table, cmap=cmap, vmin=vmin, vmax=limit, aspect="auto")
    for (r, c), v in np.ndenumerate(table):
        if abs(v) > 5e-3:
            ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=8,
                    color="white" if abs(v) > 0.6 * limit else "black")  # fmt: skip
    ax.tick_params(length=0)


def plot_values(
    words: Sequence[str],
    query_position: int | None = None,
    lexicon: dict | None = None,
) -> Figure:
    """Keys and values side by side, and the query word's output = weights × V (Chapter 4).

    Left: the keys ("what I offer for matching", over ``FEATURES``); middle: the query word's
    softmax weights; right: the values ("what I hand over", over ``VALUE_FEATURES``) and, below
    them, the output ``weights @ V``: mostly the value of the best match, outlined.
    """
    from attnlab.ch04_attention.state import explorer_state

    words = list(words)
    state = explorer_state(words, query_position, lexicon)
    _, keys, values = (np.asarray(t) for t in vectors(words, lexicon))
    weights = np.asarray(state["weights"])[:, None]
    output = np.asarray(state["output"])[None, :]
    q, best = state["query"], int(weights.argmax())
    asker = words[q]
    n = len(words)
    fig, axes = plt.subplots(
        2,
        3,
        figsize=(11, 0.3 * n + 2.6),
        layout="constrained",
        gridspec_kw={"width_ratios": [8, 1.3, 8], "height_ratios": [n, 1]},
    )
    labels = [f"{w} ◀" if j == q else w for j, w in enumerate(words)]
    ax = axes[0, 0]
    _table(ax, keys, "RdBu", max(1.0, np.abs(keys).max()))
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(FEATURES)), FEATURES, rotation=35, ha="left", fontsize=9)
    ax.set_yticks(range(n), labels)
    ax.set_title("KEYS: what each word offers\nfor matching", fontsize=10)
    ax = axes[0, 1]
    _table(ax, weights, "Oranges", 1.0, "{:.2f}")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"weights\nof '{asker}'", fontsize=10)
    ax = axes[0, 2]
    limit = max(1.0, np.abs(values).max())
    _table(ax, values, "Greens", limit)
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(VALUE_FEATURES)), VALUE_FEATURES, rotation=35, ha="left", fontsize=9)
    ax.set_yticks(range(n), words)
    ax.add_patch(Rectangle((-0.5, best - 0.5), len(VALUE_FEATURES), 1, fill=False, lw=2))
    ax.set_title("VALUES: what each word hands over\nwhen it is chosen", fontsize=10)
    ax = axes[1, 2]
    _table(ax, output, "Greens", limit, "{:.2f}")
    ax.set_xticks(range(len(VALUE_FEATURES)), VALUE_FEATURES, rotation=35, ha="right", fontsize=9)
    ax.set_yticks([0], [f"new '{asker}'"])
    ax.set_title(
        f"weights × values: '{asker}' takes away mostly the value of '{words[best]}'", fontsize=10
    )
    axes[1, 0].axis("off")
    axes[1, 1].axis("off")
    return fig


def draw_temperature(state: dict, labels: Sequence[str], ax: plt.Axes | None = None) -> Figure:
    """Draw a :func:`~attnlab.ch04_attention.widgets.temperature_state` as bars (Chapter 4)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
    else:
        fig = ax.figure
    _bars(ax, labels, state["weights"])
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("softmax weight")
    ax.set_title(f"T = {state['temperature']:.2f}: the winner gets {state['largest']:.0%}")
    return fig


def plot_temperatures(
    scores: object, labels: Sequence[str], temperatures: Sequence[float]
) -> Figure:
    """The same scores through softmax at several temperatures, side by side (Chapter 4)."""
    from attnlab.ch04_attention.state import temperature_state

    fig, axes = plt.subplots(
        1,
        len(temperatures),
        figsize=(4 * len(temperatures), 3.2),
        layout="constrained",
        sharey=True,
    )
    for ax, t in zip(np.atleast_1d(axes), temperatures, strict=True):
        draw_temperature(temperature_state(scores, t), labels, ax=ax)
    return fig


def plot_dot_product_spread(result: dict) -> Figure:
    """:func:`~attnlab.ch04_attention.attention.dot_product_spread` as three panels (Chapter 4)."""
    d = np.asarray(result["d_k"])
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.9), layout="constrained")
    ax = axes[0]
    ax.plot(d, result["spread"], "o-", color=NEG, label="q·k (measured)")
    ax.plot(d, np.sqrt(d), ":", color="black", label="√d_k")
    ax.plot(d, result["spread_scaled"], "o-", color=POS, label="q·k / √d_k (measured)")
    ax.set_yscale("log", base=2)
    ax.set_ylabel("spread (standard deviation)")
    ax.set_title("1. random dot products spread out as d_k grows")
    ax = axes[1]
    ax.plot(d, result["top_weight"], "o-", color=NEG, label="softmax(q·k)")
    ax.plot(d, result["top_weight_scaled"], "o-", color=POS, label="softmax(q·k / √d_k)")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("largest weight among 10 keys (mean)")
    ax.set_title("2. unscaled, the softmax saturates: one key takes all")
    ax = axes[2]
    ax.plot(d, result["sensitivity"], "o-", color=NEG, label="softmax(q·k)")
    ax.plot(d, result["sensitivity_scaled"], "o-", color=POS, label="softmax(q·k / √d_k)")
    ax.set_ylim(0, 1.0)
    ax.set_ylabel("how much the weights respond\nto the scores: 1 - Σ w²")
    ax.set_title("3. a saturated softmax hardly responds")
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.set_xlabel("d_k (length of query and key)")
        ax.legend(frameon=False)
        _tidy(ax)
        ax.grid(alpha=0.25)
    return fig


def draw_explorer(state: dict) -> Figure:
    """Draw an :func:`~attnlab.ch04_attention.widgets.explorer_state`: weights and output (Ch. 4)."""
    tokens, q = state["tokens"], state["query"]
    fig, axes = plt.subplots(
        1, 2, figsize=(12, 3.6), layout="constrained", gridspec_kw={"width_ratios": [1.5, 1]}
    )
    ax = axes[0]
    _bars(ax, tokens, state["weights"])
    ax.set_ylim(0, 1.08)
    labels = [f"{t}\n{s:+.2f}" for t, s in zip(tokens, state["scores"], strict=True)]
    ax.set_xticks(range(len(tokens)), labels, rotation=0, ha="center", fontsize=8)
    ax.get_xticklabels()[q].set_fontweight("bold")
    ax.set_ylabel("weight")
    ax.set_title(f"where '{tokens[q]}' looks (under each word: its score q·k/√d_k)")
    _feature_bars(axes[1], state["output"], f"output for '{tokens[q]}'")
    return fig


def plot_polysemy(river: dict, money: dict) -> Figure:
    """'bank' in two sentences: where it looks, and its two different outputs (Chapter 4)."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.6), layout="constrained")
    for ax, state in zip(axes[:2], (river, money), strict=True):
        _bars(ax, state["tokens"], state["weights"])
        ax.set_ylim(0, 1.0)
        ax.set_title(f"'{' '.join(state['tokens'])}': where 'bank' looks", fontsize=10)
    ax = axes[2]
    y = np.arange(len(VALUE_FEATURES))
    ax.barh(y - 0.2, river["output"], height=0.4, color="#4C9ED9", label="next to 'river'")
    ax.barh(y + 0.2, money["output"], height=0.4, color="#C9A227", label="next to 'money'")
    ax.set_yticks(y, VALUE_FEATURES)
    ax.invert_yaxis()
    ax.axvline(0, color=GREY, lw=0.8)
    ax.set_title("the output vector of 'bank'")
    ax.legend(frameon=False, loc="center right")
    _tidy(ax)
    return fig


def plot_receptive_fields(n_tokens: int = 12, kernel: int = 3, layers: int = 3) -> Figure:
    """A convolution's local view grows a few tokens per layer; attention sees all at once (Ch. 4)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.3), layout="constrained")
    target = n_tokens - 1
    half = kernel // 2
    ax = axes[0]
    reach = {layers: {target}}
    for level in range(layers, 0, -1):  # which units below feed the ones we reach
        below = set()
        for i in reach[level]:
            below |= {j for j in range(i - half, i + half + 1) if 0 <= j < n_tokens}
        reach[level - 1] = below
    for level in range(layers + 1):
        for i in range(n_tokens):
            on = i in reach[level]
            ax.add_patch(plt.Circle((i, level), 0.22, color=WIN if on else "#DDDDDD", zorder=3))
        if level < layers:
            for i in reach[level + 1]:
                for j in range(i - half, i + half + 1):
                    if 0 <= j < n_tokens:
                        ax.plot([j, i], [level, level + 1], color=BASE, lw=1, zorder=1)
    seen = len(reach[0])
    ax.set_title(f"convolution (kernel {kernel}): after {layers} layers the last token\n"
                 f"has seen only {seen} of {n_tokens} tokens")  # fmt: skip
    ax.set_yticks(range(layers + 1), ["tokens"] + [f"layer {k}" for k in range(1, layers + 1)])
    ax = axes[1]
    for j in range(n_tokens):
        ax.add_patch(plt.Circle((j, 0), 0.22, color=WIN, zorder=3))
        ax.plot([j, target], [0, 1], color=BASE, lw=1, zorder=1)
    ax.add_patch(plt.Circle((target, 1), 0.22, color=WIN, zorder=3))
    ax.set_yticks([0, 1], ["tokens", "layer 1"])
    ax.set_title(f"attention: after 1 layer the last token\nhas looked at all {n_tokens} tokens")
    for ax in axes:
        ax.set_xlim(-0.7, n_tokens - 0.3)
        ax.set_ylim(-0.5, (layers if ax is axes[0] else 1) + 0.5)
        ax.set_aspect("equal")
        ax.set_xticks([0, target], ["first", "last"])
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
    return fig


def plot_weight_sources(first: dict, second: dict, seed: int = 0) -> Figure:
    """Where the weights come from: a line's w, an MLP's matrix, attention's weights (Ch. 4).

    ``first`` and ``second`` are explorer states of the same query word in two sentences.
    """
    generator = torch.Generator().manual_seed(validate.seed("seed", seed))
    fig, axes = plt.subplots(
        1,
        4,
        figsize=(15, 3.6),
        layout="constrained",
        gridspec_kw={"width_ratios": [1, 1, 1.3, 1.3]},
    )
    ax = axes[0]
    ax.text(0.5, 0.55, "w = 0.6", fontsize=22, ha="center", va="center", color=WIN)
    ax.text(0.5, 0.25, "the same number\nfor every input", ha="center", va="center")
    ax.axis("off")
    ax.set_title("Level 1: line\ny = w·x + b  (static, simple)")
    ax = axes[1]
    ax.imshow(torch.randn(6, 6, generator=generator).numpy(), cmap="RdBu", vmin=-2.5, vmax=2.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("the same matrix for every input")
    ax.set_title("Level 2: hinge / MLP\nmax(0, W·x + b)  (static, shapes)")
    for ax, state in zip(axes[2:], (first, second), strict=True):
        _bars(ax, state["tokens"], state["weights"])
        ax.set_ylim(0, 1.0)
        ax.set_xticks(range(len(state["tokens"])), state["tokens"], rotation=60, fontsize=8)
        ax.set_title(f"Level 3: attention (dynamic)\nweights of '{state['tokens'][state['query']]}'"
                     f" in this sentence", fontsize=10)  # fmt: skip
    return fig
