"""What heads of trained language models have been found to do, drawn by hand (Chapter 5).

The course's own heads are trained on a small synthetic task, so that every claim about them can
be checked. Large trained models cannot be run here (nothing is downloaded), so this figure is an
illustration, not a measurement: the kinds of patterns that K. Clark, U. Khandelwal, O. Levy and
C. Manning report for single heads of BERT in "What Does BERT Look At?" (2019), drawn on one
sentence. Each panel is one head; an arc goes from the word that asks to the word it attends to.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

__all__ = ["SENTENCE", "REPORTED_HEADS", "plot_reported_heads"]

SENTENCE: tuple[str, ...] = tuple("the robot fixed the car because it was broken".split())

#: One entry per drawn head: its title and its arcs (from word index, to word index).
REPORTED_HEADS: dict[str, list[tuple[int, int]]] = {
    "a head that looks at the word before": [(i, i - 1) for i in range(1, len(SENTENCE))],
    "a head from each 'the' to its noun, and from the verb's object to the verb": [
        (0, 1),
        (3, 4),
        (4, 2),
    ],
    "a head from a pronoun to what it stands for": [(6, 4)],
}


def plot_reported_heads() -> Figure:
    """Three heads, three jobs: arcs over one sentence, one panel per head."""
    fig, axes = plt.subplots(len(REPORTED_HEADS), 1, figsize=(9, 4.6), layout="constrained")
    for ax, (title, arcs) in zip(axes, REPORTED_HEADS.items(), strict=True):
        for i, word in enumerate(SENTENCE):
            asks = any(source == i for source, _ in arcs)
            ax.text(i, 0, word, ha="center", va="top", fontsize=11, color="#222222",
                    fontweight="bold" if asks else "normal")  # fmt: skip
        for source, target in arcs:
            bend = 0.5 if target < source else -0.5  # every arc above the words
            ax.add_patch(
                FancyArrowPatch(
                    (source, 0.08),
                    (target, 0.08),
                    connectionstyle=f"arc3,rad={bend}",
                    arrowstyle="-|>",
                    mutation_scale=12,
                    color="#ff7f0e",
                    lw=1.6,
                )
            )
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_xlim(-0.6, len(SENTENCE) - 0.4)
        ax.set_ylim(-0.3, 1.1)
        ax.axis("off")
    fig.suptitle(
        "Patterns reported for single heads of a trained model (BERT; Clark et al., 2019), "
        "drawn by hand",
        fontsize=10,
    )
    return fig
