"""Chapter 3's figures draw without error and refuse bad input."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from attnlab.ch03_next_token import copy_experiment, plots, text_experiment
from attnlab.ch03_next_token.copy_analysis import results_table
from attnlab.ch03_next_token.copy_experiment import CopyConfig
from attnlab.ch03_next_token.copytask import CopyTask


@pytest.fixture(scope="module")
def run():
    return copy_experiment.run(CopyConfig(steps=20, eval_size=50), 0)


def test_every_figure_draws(run):
    plots.plot_tokens([("0 merges", ["K", "e", "y"]), ("300 merges", ["Key"])], "t")
    ax = plots.plot_copy_curves([run])
    assert len(ax.lines) == 3  # seen, held-out, chance
    ax = plots.plot_group_slot_heatmap(run)
    assert len(ax.patches) == int(run.seen_group_slot.sum())  # one outline per seen cell
    ax = plots.plot_split(CopyTask(split="random"), n_names=5)
    assert sum(t.get_text() == "x" for t in ax.texts) == 5  # one hole per name
    fig = plots.plot_slot_similarities({"a": np.eye(3), "b": np.ones((3, 3))})
    assert len(fig.axes) == 4  # two matrices and their colour bars
    text = text_experiment.run(
        text_experiment.TextConfig(steps=3), 0, ids=list(range(20)) * 3, vocab_size=20
    )
    plots.plot_text_curves(text, baseline=0.1)
    plt.close("all")


def test_bad_input():
    with pytest.raises(ValueError, match="rows"):
        plots.plot_tokens([])
    with pytest.raises(ValueError, match="results"):
        plots.plot_copy_curves([])
    with pytest.raises(ValueError, match="square"):
        plots.plot_slot_similarity(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="matrices"):
        plots.plot_slot_similarities({})
    with pytest.raises(ValueError, match="results"):
        results_table([])
