"""The Chapter 1 widgets, headless: set the sliders in Python, check the line and the loss; and
every figure function draws."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import json

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from attnlab.ch01_line import plots
from attnlab.ch01_line.line import gradient_descent, make_curved_data, make_line_data, mse, predict
from attnlab.ch01_line.widgets import descent_state, descent_stepper, line_fitter, line_state

X, Y = make_line_data(seed=0)


def test_line_state_numbers_by_hand():
    state = line_state(2.0, 1.0, [0.0, 1.0, 3.0], [1.0, 4.0, 5.0])
    assert state["predictions"] == [1.0, 3.0, 7.0]
    assert state["residuals"] == [0.0, 1.0, -2.0]  # data minus line
    assert state["mse"] == pytest.approx(5 / 3)
    assert state["line_x"] == [0.0, 3.0] and state["line_y"] == [1.0, 7.0]
    assert (state["w"], state["b"]) == (2.0, 1.0)
    json.dumps(state)  # plain numbers only: the web book's JavaScript reuses this shape


def test_line_state_agrees_with_the_library():
    state = line_state(7.5, 41.0, X, Y)
    assert state["mse"] == pytest.approx(mse(predict(7.5, 41.0, X), Y))
    assert len(state["residuals"]) == len(X)


@pytest.mark.parametrize(
    "args,error,word",
    [
        (("1", 0.0, X, Y), TypeError, "w"),
        ((1.0, float("inf"), X, Y), ValueError, "b"),
        ((1.0, 0.0, X, Y[:3]), ValueError, "same shape"),
        ((1.0, 0.0, [], []), ValueError, "x"),
        ((1.0, 0.0, X[:, None], Y[:, None]), ValueError, "x"),
    ],
)
def test_line_state_bad_input(args, error, word):
    with pytest.raises(error, match=word):
        line_state(*args)


def test_moving_the_sliders_redraws_the_line_and_the_loss():
    fitter = line_fitter(X, Y)
    assert fitter.state["mse"] == pytest.approx(line_state(0.0, 60.0, X, Y)["mse"])
    fitter.w_slider.value = 8.0
    fitter.b_slider.value = 42.5
    expected = line_state(8.0, 42.5, X, Y)
    assert fitter.state["mse"] == pytest.approx(expected["mse"])
    ax = fitter.figure.axes[0]
    drawn = [ln for ln in ax.lines if len(ln.get_xdata()) == 2][0]
    assert np.allclose(drawn.get_ydata(), expected["line_y"])
    assert f"{expected['mse']:.1f}" in ax.get_title()
    assert fitter.state["mse"] < line_state(0.0, 60.0, X, Y)["mse"]  # a better line, a lower loss


def test_descent_stepper_follows_the_path():
    path = gradient_descent(X, Y, 0.08, 20, 0.0, 60.0)
    stepper = descent_stepper(X, Y, path, (-6.0, 20.0), (20.0, 80.0))
    assert stepper.state == descent_state(path, 0)
    stepper.slider.value = 7
    assert stepper.state == {"step": 7, "w": path.w[7], "b": path.b[7], "loss": path.loss[7]}
    assert f"step 7: MSE = {path.loss[7]:.1f}" == stepper.figure.axes[-1].get_title()
    with pytest.raises(ValueError, match="step"):
        descent_state(path, 21)
    with pytest.raises(TypeError, match="step"):
        descent_state(path, 1.5)
    with pytest.raises(TypeError, match="path"):
        descent_state([0.0], 0)


def test_every_figure_draws():
    path = gradient_descent(X, Y, 0.08, 30, 0.0, 60.0)
    wild = gradient_descent(X, Y, 0.12, 100, 0.0, 60.0)
    xc, yc = make_curved_data()
    figures = [
        plots.plot_grand_evolution(),
        plots.plot_data(X, Y),
        plots.plot_fit(X, Y, 0.0, 60.0),
        plots.plot_landscape(X, Y, (-6, 20), (20, 80), mark=(0.0, 60.0)),
        plots.plot_descent_steps(X, Y, path, (0, 1, 30)),
        plots.plot_learning_rates(X, Y, [path, wild], ["good", "too large"], (-6, 20), (20, 80)),
        plots.plot_torch_fit(X, Y, [3.0, 2.0, 1.0], (8.0, 42.0), (8.0, 40.0)),
        plots.plot_cannot_bend(xc, yc),
    ]
    for fig in figures:
        assert isinstance(fig, plt.Figure) and fig.axes
        plt.close(fig)
    assert torch.is_tensor(X)
