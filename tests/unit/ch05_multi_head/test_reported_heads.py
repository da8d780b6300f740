"""The hand-drawn figure of heads reported in trained models (Chapter 5)."""

from __future__ import annotations

import matplotlib

from attnlab.ch05_multi_head import reported_heads

matplotlib.use("Agg")


def test_every_arc_joins_two_words_of_the_sentence():
    n = len(reported_heads.SENTENCE)
    for arcs in reported_heads.REPORTED_HEADS.values():
        assert arcs and all(0 <= a < n and 0 <= b < n and a != b for a, b in arcs)
    it, car = reported_heads.SENTENCE.index("it"), reported_heads.SENTENCE.index("car")
    assert (it, car) in reported_heads.REPORTED_HEADS["a head from a pronoun to what it stands for"]


def test_the_figure_has_one_panel_per_head_and_says_it_is_drawn_by_hand():
    fig = reported_heads.plot_reported_heads()
    assert len(fig.axes) == len(reported_heads.REPORTED_HEADS)
    assert "drawn by hand" in fig._suptitle.get_text()
