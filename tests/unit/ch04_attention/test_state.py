"""Chapter 4's widget logic, headless; the widgets and figures build without a browser."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
import torch

from attnlab.ch04_attention import copy_plots, plots
from attnlab.ch04_attention.attention import dot_product_spread
from attnlab.ch04_attention.widgets import (
    AttentionExplorer,
    TemperatureWidget,
    explorer_state,
    temperature_state,
)
from attnlab.ch04_attention.wordvectors import (
    FEATURES,
    MONEY_SENTENCE,
    RIVER_SENTENCE,
    ROBOT_SENTENCE,
    VALUE_FEATURES,
    vectors,
)


def test_temperature_state():
    scores = [2.0, 1.0, 0.0]
    at_one = temperature_state(scores, 1.0)
    total = sum(math.exp(s) for s in scores)
    assert at_one["weights"] == pytest.approx([math.exp(s) / total for s in scores])
    assert at_one["winner"] == 0 and at_one["largest"] == at_one["weights"][0]
    cold, hot = temperature_state(scores, 0.05), temperature_state(scores, 50.0)
    assert cold["largest"] > 0.999 and hot["largest"] < 0.35  # winner takes all vs all share
    assert temperature_state([1000.0, 0.0], 1.0)["weights"] == pytest.approx([1.0, 0.0])
    assert isinstance(at_one["weights"][0], float)


def test_temperature_state_bad_input():
    with pytest.raises(ValueError, match="temperature must be a positive"):
        temperature_state([1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="scores must not be empty"):
        temperature_state([], 1.0)
    with pytest.raises(ValueError, match="scores must have 1 dimension"):
        temperature_state([[1.0]], 1.0)
    with pytest.raises(ValueError, match="scores must be finite"):
        temperature_state([1.0, float("inf")], 1.0)


def test_explorer_state_follows_the_formula():
    state = explorer_state(ROBOT_SENTENCE, 7)
    assert state["tokens"] == list(ROBOT_SENTENCE) and state["query"] == 7
    assert state["scores"] == pytest.approx([s / math.sqrt(8) for s in state["raw_scores"]])
    total = sum(math.exp(s) for s in state["scores"])
    assert state["weights"] == pytest.approx([math.exp(s) / total for s in state["scores"]])
    assert explorer_state(" ".join(ROBOT_SENTENCE))["query"] == len(ROBOT_SENTENCE) - 1
    # a word with a zero query spreads its attention evenly
    assert explorer_state(ROBOT_SENTENCE, 1)["weights"] == pytest.approx([0.1] * 10)


def test_explorer_state_bad_input():
    with pytest.raises(ValueError, match="query_position must be an int between 0 and 9"):
        explorer_state(ROBOT_SENTENCE, 10)
    with pytest.raises(ValueError, match="not in the lexicon"):
        explorer_state(["the", "dragon"])


def test_widgets_build_and_react_headless():
    widget = TemperatureWidget([2.0, 1.0, 0.0], ["a", "b", "c"])
    widget.slider.value = 0.1
    assert widget.state["temperature"] == pytest.approx(0.1) and widget.state["largest"] > 0.99
    explorer = AttentionExplorer(ROBOT_SENTENCE, query_position=7, choices={1: ["box", "cat"]})
    assert max(zip(explorer.state["weights"], explorer.state["tokens"], strict=True))[1] == "robot"
    explorer.swaps[1].value = "box"
    assert explorer.state["tokens"][1] == "box" and explorer.state["query"] == 7
    explorer.query.value = 5
    assert explorer.state["query"] == 5
    with pytest.raises(ValueError, match="labels must name the 3 scores"):
        TemperatureWidget([1.0, 2.0, 3.0], ["a"])
    with pytest.raises(ValueError, match="outside the sentence"):
        AttentionExplorer(ROBOT_SENTENCE, choices={12: ["box"]})
    plt.close("all")


def test_every_figure_draws():
    robot = explorer_state(ROBOT_SENTENCE, 7)
    figures = [
        plots.plot_vectors(ROBOT_SENTENCE, "it"),
        plots.plot_worked_example(robot),
        plots.plot_values(ROBOT_SENTENCE, 7),
        plots.plot_temperatures(robot["scores"], robot["tokens"], [0.3, 1, 3]),
        plots.plot_dot_product_spread(dot_product_spread(d_ks=[2, 8], n_rows=50)),
        plots.draw_explorer(robot),
        plots.plot_polysemy(explorer_state(RIVER_SENTENCE), explorer_state(MONEY_SENTENCE)),
        plots.plot_receptive_fields(),
        plots.plot_weight_sources(robot, explorer_state(ROBOT_SENTENCE, 5)),
        copy_plots.plot_copy_attention([[0.9, 0.1], [0.2, 0.8]], 3),
    ]
    assert all(len(f.axes) >= 1 for f in figures)
    plt.close("all")


def test_plot_values_shows_keys_weights_values_and_the_output():
    it = ROBOT_SENTENCE.index("it")
    fig = plots.plot_values(ROBOT_SENTENCE, it)
    keys_ax, weights_ax, values_ax = fig.axes[:3]
    output_ax = fig.axes[5]  # a 2 x 3 grid: the output sits under the values
    assert [t.get_text() for t in keys_ax.get_xticklabels()] == list(FEATURES)
    assert [t.get_text() for t in values_ax.get_xticklabels()] == list(VALUE_FEATURES)
    assert "robot" in output_ax.get_title()
    # the drawn images hold the numbers: the weights column and the output row = weights @ V
    state = explorer_state(ROBOT_SENTENCE, it)
    _, _, values = vectors(ROBOT_SENTENCE)
    drawn_weights = weights_ax.get_images()[0].get_array()[:, 0]
    drawn_output = output_ax.get_images()[0].get_array()[0]
    assert list(drawn_weights) == pytest.approx(state["weights"])
    assert list(drawn_output) == pytest.approx(
        (torch.tensor(state["weights"], dtype=values.dtype) @ values).tolist()
    )
    # the winner's value row is outlined
    (outline,) = values_ax.patches
    assert outline.get_y() == pytest.approx(ROBOT_SENTENCE.index("robot") - 0.5)
    other = plots.plot_values("she put money in the bank".split())  # the last word asks
    assert "money" in other.axes[5].get_title()
    plt.close("all")


def test_receptive_field_numbers_in_the_title():
    fig = plots.plot_receptive_fields(n_tokens=12, kernel=3, layers=3)
    # kernel 3 reaches one more token to the left per layer: the last token sees 1 + 3 tokens
    assert "only 4 of 12" in fig.axes[0].get_title()
    assert "only 6 of 12" in plots.plot_receptive_fields(12, 3, 5).axes[0].get_title()
    plt.close("all")


def test_the_web_books_explorers_compute_what_the_widgets_compute():
    # the web book's JavaScript explorers are built from these functions and this lexicon
    explorables = pytest.importorskip("attnlab.explorables")
    from attnlab.ch04_attention.wordvectors import LEXICON, VALUE_FEATURES

    swaps = {1: ["robot", "box"]}
    page = explorables.attention_explorer(list(ROBOT_SENTENCE), LEXICON, swaps, VALUE_FEATURES, 7)
    page = page.data
    assert "attention-explorer" in page
    data = {
        "words": list(LEXICON),
        **{part: [LEXICON[w][part] for w in LEXICON] for part in ("query", "key", "value")},
        "sentence": list(ROBOT_SENTENCE),
        "alternatives": [None, ["robot", "box"]] + [None] * 8,
        "features": list(VALUE_FEATURES),
    }
    for choice, word in enumerate(["robot", "box"]):
        words = list(ROBOT_SENTENCE)
        words[1] = word
        ours = explorer_state(words, 7)
        theirs = explorables.reference("attention-explorer", data, {"query": 7, "word1": choice})
        for key in ("scores", "weights", "output"):
            assert theirs[key] == pytest.approx(ours[key], abs=1e-12)
    scores = explorer_state(ROBOT_SENTENCE, 7)["scores"]
    theirs = explorables.reference("softmax-temperature", {"scores": scores}, {"log10_t": 0.5})
    assert theirs["weights"] == pytest.approx(temperature_state(scores, 10**0.5)["weights"])
