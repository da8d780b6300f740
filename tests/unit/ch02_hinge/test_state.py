"""The hinge builder's logic, headless, and Chapter 2's figures (they draw without error)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from attnlab.ch02_hinge import digit_plots, digits, fit, hinge, plots, xor
from attnlab.ch02_hinge.widgets import BUILDER_START, builder_state, hinge_builder


def test_builder_state_sums_the_hinges_and_measures_the_error():
    state = builder_state([-1.0, 1.0], [1.0, -2.0], offset=0.5, target="bump", n_points=5)
    x = np.array([-3.0, -1.5, 0.0, 1.5, 3.0])
    np.testing.assert_allclose(state["x"], x)
    np.testing.assert_allclose(state["hinges"][0], [0, 0, 1, 2.5, 4])
    np.testing.assert_allclose(state["hinges"][1], [0, 0, 0, -1, -4])
    np.testing.assert_allclose(state["curve"], [0.5, 0.5, 1.5, 2.0, 0.5])
    target = np.exp(-2 * x**2)
    np.testing.assert_allclose(state["target"], target)
    assert state["error"] == pytest.approx(np.mean((state["curve"] - target) ** 2))
    assert state["target_name"] == "bump" and state["offset"] == 0.5


def test_builder_with_every_slope_zero_is_flat():
    state = builder_state([0.0, 1.0], [0.0, 0.0], offset=0.0, target="sine")
    assert np.all(state["curve"] == 0)
    assert state["error"] == pytest.approx(np.mean(np.sin(state["x"]) ** 2))


def test_builder_start_is_a_rough_first_try():
    state = builder_state(**BUILDER_START)
    assert 0.01 < state["error"] < 0.5
    assert len(state["hinges"]) == len(BUILDER_START["bends"])


def test_moving_a_bend_to_the_right_edge_switches_its_hinge_off():
    on = builder_state([0.0], [1.0])
    off = builder_state([3.0], [1.0])
    assert np.any(on["hinges"][0] > 0) and np.all(off["hinges"][0] == 0)


@pytest.mark.parametrize(
    "args, error, words",
    [
        (([0.0, 1.0], [1.0]), ValueError, "same length"),
        (([0.0], [1.0], 0.0, "wave"), ValueError, "target must be one of"),
        (([0.0], ["steep"]), TypeError, "slopes must be"),
        (([0.0], [1.0], 0.0, "sine", 1), ValueError, "n_points"),
    ],
)
def test_builder_state_bad_input(args, error, words):
    with pytest.raises(error, match=words):
        builder_state(*args)


def test_the_widget_builds_and_follows_its_sliders():
    box = hinge_builder(n_hinges=2)
    controls = [w for row in box.children for w in getattr(row, "children", [])]
    sliders = {w.description: w for w in controls if hasattr(w, "description")}
    assert {"bend 1", "slope 1", "bend 2", "slope 2", "offset", "target"} <= set(sliders)
    sliders["slope 1"].value = 0.0  # redraws through builder_state without error
    sliders["target"].value = "bump"
    plt.close("all")


def test_every_figure_draws():
    x, y = xor.xor_data()
    torch.manual_seed(0)
    xor_mlp = hinge.MLP(2, 4, 1)
    curve_mlp = hinge.MLP(1, 3, 1)
    data = digits.load_digits()
    split = digits.split_digits(data)
    digit_mlp = hinge.MLP(64, 20, 10)
    guess = fit.predict(digit_mlp, split.x_test)
    figures = [
        plots.plot_one_hinge(),
        plots.plot_line_cannot_bend("bump"),
        plots.plot_builder(builder_state(**BUILDER_START)),
        plots.plot_curve_fit(curve_mlp, "sine"),
        plots.plot_hinges_needed([2, 4], [[0.1, 0.2], [0.01, 0.02]], 0.005, 0.01),
        plots.plot_xor_line(x, y, torch.tensor([1.0, 1.0]), -0.5),
        plots.plot_xor_hand(xor.XOR_HAND_WEIGHTS),
        plots.plot_decision_regions(xor_mlp, x, y),
        plots.plot_hidden_units(xor_mlp),
        digit_plots.plot_digit_samples(data.images, data.labels, n=12),
        digit_plots.plot_confusion(digits.confusion_matrix(split.y_test, guess)),
        digit_plots.plot_mistakes(split.x_test, split.y_test, guess),
        digit_plots.plot_weight_images(digit_mlp, n=10),
    ]
    assert all(isinstance(f, plt.Figure) for f in figures)
    plt.close("all")


def test_figures_refuse_the_wrong_thing():
    with pytest.raises(TypeError, match="builder_state"):
        plots.plot_builder({"x": [1]})
    with pytest.raises(TypeError, match="64 inputs"):
        digit_plots.plot_weight_images(hinge.MLP(2, 3, 1))
    with pytest.raises(TypeError, match="two inputs"):
        plots.plot_hidden_units(hinge.MLP(1, 3, 1))
    with pytest.raises(ValueError, match="one row per size"):
        plots.plot_hinges_needed([2, 4], [[0.1]], 0.005, 0.01)
