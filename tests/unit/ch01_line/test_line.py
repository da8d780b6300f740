"""attnlab.ch01_line.line (Chapter 1): the data, the MSE, its gradient, gradient descent, PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from attnlab.ch01_line import line
from attnlab.ch01_line.line import (
    gradient_descent,
    gradient_step,
    largest_stable_lr,
    least_squares,
    loss_surface,
    make_curved_data,
    make_line_data,
    mse,
    mse_gradient,
    predict,
    train_linear_torch,
)

X3, Y3 = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 3.0, 5.0])  # on y = 2x + 1


# --- the data ---------------------------------------------------------------------------------


def test_line_data_is_seeded_shaped_and_real_looking():
    x, y = make_line_data(50, seed=0)
    assert x.shape == y.shape == (50,) and x.dtype == y.dtype == torch.float32
    again = make_line_data(50, seed=0)
    assert torch.equal(x, again[0]) and torch.equal(y, again[1])
    assert not torch.equal(y, make_line_data(50, seed=1)[1])
    assert float(x.min()) >= 0 and float(x.max()) <= 5
    assert torch.equal(y, y.round()), "scores are whole points"
    assert torch.allclose(x * 10, (x * 10).round(), atol=1e-4), "hours are tenths"


def test_line_data_without_noise_lies_on_the_line():
    x, y = make_line_data(20, seed=3, w=2.0, b=1.0, noise=0.0)
    assert torch.allclose(y, (2 * x.double() + 1).round().float())


def test_curved_data_is_a_hump():
    x, y = make_curved_data(200, seed=0)
    middle = y[(x > 6.5) & (x < 8.5)].mean()
    assert middle > y[x < 4.5].mean() + 20 and middle > y[x > 10].mean() + 10


@pytest.mark.parametrize(
    "kwargs,error,word",
    [
        ({"n": 1}, ValueError, "n"),
        ({"n": 2.5}, TypeError, "n"),
        ({"seed": "0"}, TypeError, "seed"),
        ({"w": float("nan")}, ValueError, "w"),
        ({"b": "40"}, TypeError, "b"),
        ({"noise": -1.0}, ValueError, "noise"),
        ({"noise": None}, TypeError, "noise"),
        ({"max_hours": 0}, ValueError, "max_hours"),
    ],
)
def test_line_data_bad_input(kwargs, error, word):
    with pytest.raises(error, match=word):
        make_line_data(**kwargs)


@pytest.mark.parametrize(
    "kwargs,error,word",
    [
        ({"n": 0}, ValueError, "n"),
        ({"seed": 1.0}, TypeError, "seed"),
        ({"noise": 0}, ValueError, "noise"),
    ],
)
def test_curved_data_bad_input(kwargs, error, word):
    with pytest.raises(error, match=word):
        make_curved_data(**kwargs)


# --- predict, mse, gradient ---------------------------------------------------------------------


def test_predict_is_w_x_plus_b():
    assert torch.allclose(predict(2.0, 1.0, X3), Y3)
    assert torch.allclose(predict(0, 60, [1.0, 2.0]), torch.tensor([60.0, 60.0]))


def test_mse_by_hand():
    assert mse(Y3, Y3) == 0.0
    assert mse([3.0, 4.0, 5.0], [1.0, 2.0, 3.0]) == pytest.approx(4.0)
    assert mse([2.0, 0.0], [1.0, 1.0]) == pytest.approx(1.0)  # opposite errors do not cancel
    assert isinstance(mse(Y3, Y3), float)


def test_mse_gradient_by_hand_and_against_autograd():
    assert mse_gradient(2.0, 1.0, X3, Y3) == pytest.approx((0.0, 0.0))
    assert mse_gradient(2.0, 2.0, X3, Y3) == pytest.approx((2.0, 2.0))
    x, y = make_line_data(30, seed=2)
    w = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(50.0, dtype=torch.float64, requires_grad=True)
    ((w * x.double() + b - y.double()) ** 2).mean().backward()
    assert mse_gradient(3.0, 50.0, x, y) == pytest.approx((w.grad.item(), b.grad.item()))


def test_gradient_step_moves_downhill():
    assert gradient_step(2.0, 2.0, X3, Y3, 0.1) == pytest.approx((1.8, 1.8))
    x, y = make_line_data(seed=0)
    w, b = gradient_step(0.0, 60.0, x, y, 0.01)
    assert mse(predict(w, b, x), y) < mse(predict(0.0, 60.0, x), y)


@pytest.mark.parametrize(
    "call,error,word",
    [
        (lambda: predict("2", 1.0, X3), TypeError, "w"),
        (lambda: predict(2.0, math.inf, X3), ValueError, "b"),
        (lambda: predict(2.0, 1.0, "x"), TypeError, "x"),
        (lambda: predict(2.0, 1.0, X3[:, None]), ValueError, "x"),
        (lambda: mse(Y3, Y3[:2]), ValueError, "same shape"),
        (lambda: mse([], []), ValueError, "prediction"),
        (lambda: mse(Y3, "target"), TypeError, "target"),
        (lambda: mse(torch.tensor([1, 2]), torch.tensor([1, 2])), TypeError, "prediction"),
        (lambda: mse_gradient(None, 1.0, X3, Y3), TypeError, "w"),
        (lambda: mse_gradient(1.0, 1.0, X3, Y3[:2]), ValueError, "same shape"),
        (lambda: mse_gradient(1.0, 1.0, torch.ones(3, 1), torch.ones(3, 1)), ValueError, "x"),
        (lambda: mse_gradient(1.0, 1.0, torch.ones(0), torch.ones(0)), ValueError, "x"),
        (lambda: gradient_step(1.0, 1.0, X3, Y3, 0), ValueError, "lr"),
        (lambda: gradient_step(1.0, 1.0, X3, Y3, -0.1), ValueError, "lr"),
        (lambda: gradient_step(1.0, 1.0, X3, Y3, "0.1"), TypeError, "lr"),
    ],
)
def test_bad_input_names_the_argument(call, error, word):
    with pytest.raises(error, match=word):
        call()


# --- gradient descent and the landscape -------------------------------------------------------


def test_gradient_descent_records_its_path():
    x, y = make_line_data(seed=0)
    path = gradient_descent(x, y, lr=0.08, steps=30, w0=0.0, b0=60.0)
    assert len(path) == len(path.w) == len(path.b) == 31 and not path.diverged
    assert (path.w[0], path.b[0]) == (0.0, 60.0) and path.lr == 0.08
    assert path.loss[0] == pytest.approx(mse(predict(0.0, 60.0, x), y))
    assert (path.w[1], path.b[1]) == pytest.approx(gradient_step(0.0, 60.0, x, y, 0.08))
    assert path.loss[-1] < path.loss[0]


@pytest.mark.parametrize(
    "kwargs,error,word",
    [
        ({"lr": 0.0}, ValueError, "lr"),
        ({"lr": -1}, ValueError, "lr"),
        ({"lr": float("nan")}, ValueError, "lr"),
        ({"lr": "big"}, TypeError, "lr"),
        ({"lr": True}, TypeError, "lr"),
        ({"steps": 0}, ValueError, "steps"),
        ({"steps": 2.0}, TypeError, "steps"),
        ({"w0": "0"}, TypeError, "w0"),
        ({"b0": math.nan}, ValueError, "b0"),
    ],
)
def test_gradient_descent_bad_input(kwargs, error, word):
    args = {"lr": 0.1, "steps": 5} | kwargs
    with pytest.raises(error, match=word):
        gradient_descent(X3, Y3, **args)


def test_gradient_descent_bad_data():
    with pytest.raises(ValueError, match="same shape"):
        gradient_descent(X3, Y3[:2], lr=0.1, steps=5)
    with pytest.raises(TypeError, match="x"):
        gradient_descent({"x": 1}, Y3, lr=0.1, steps=5)


def test_the_chapters_too_large_rate_diverges_on_its_data():
    x, y = make_line_data(seed=0)
    assert 0.12 > largest_stable_lr(x)
    assert gradient_descent(x, y, 0.12, 200, 0.0, 60.0).diverged


def test_loss_surface_matches_mse_and_its_bottom_is_least_squares():
    x, y = make_line_data(seed=1)
    w_values, b_values, loss = loss_surface(x, y, (0.0, 16.0), (20.0, 60.0), resolution=81)
    assert w_values.shape == (81,) and b_values.shape == (81,) and loss.shape == (81, 81)
    i, j = 17, 52
    assert loss[i, j].item() == pytest.approx(
        mse(predict(w_values[j].item(), b_values[i].item(), x), y)
    )
    i, j = np.unravel_index(int(loss.argmin()), loss.shape)
    best_w, best_b = least_squares(x, y)
    assert abs(w_values[j].item() - best_w) <= 0.2 and abs(b_values[i].item() - best_b) <= 0.5


@pytest.mark.parametrize(
    "kwargs,error,word",
    [
        ({"w_range": (1.0, 0.0)}, ValueError, "w_range"),
        ({"w_range": 5.0}, TypeError, "w_range"),
        ({"b_range": (0.0, "1")}, TypeError, "b_range"),
        ({"resolution": 1}, ValueError, "resolution"),
    ],
)
def test_loss_surface_bad_input(kwargs, error, word):
    args = {"w_range": (0.0, 1.0), "b_range": (0.0, 1.0)} | kwargs
    with pytest.raises(error, match=word):
        loss_surface(X3, Y3, **args)


def test_least_squares_and_largest_stable_lr():
    assert least_squares(X3, Y3) == pytest.approx((2.0, 1.0))
    x, y = make_line_data(seed=4)
    w, b = least_squares(x, y)
    grad = mse_gradient(w, b, x, y)
    assert grad == pytest.approx((0.0, 0.0), abs=1e-6)  # the bottom: flat
    with pytest.raises(ValueError, match="x"):
        least_squares([1.0, 1.0], [2.0, 3.0])
    with pytest.raises(ValueError, match="x"):
        largest_stable_lr([])
    # on x = 0 the Hessian is diag(0, 2): the limit is 2 / 2 = 1
    assert largest_stable_lr([0.0, 0.0]) == pytest.approx(1.0)


# --- PyTorch ------------------------------------------------------------------------------------


def test_torch_training_records_its_losses_and_knobs():
    # (the claim that it lands on the least-squares line is in tests/claims/test_ch01_line.py)
    x, y = make_line_data(seed=0)
    fit = train_linear_torch(x, y, seed=0, progress=False)
    assert len(fit.losses) == 500 and fit.losses[-1] < fit.losses[0]
    assert fit.model.weight.item() == fit.w and fit.model.bias.item() == fit.b


def test_the_written_out_step_is_what_torch_optim_sgd_does():
    x, y = make_line_data(seed=1)
    fit = train_linear_torch(x, y, lr=0.05, steps=30, seed=2, progress=False)
    torch.manual_seed(2)
    model = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(30):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(x[:, None]), y[:, None]).backward()
        optimizer.step()
    assert fit.w == pytest.approx(model.weight.item(), abs=1e-5)
    assert fit.b == pytest.approx(model.bias.item(), abs=1e-5)


def test_torch_training_is_deterministic():
    x, y = make_line_data(seed=0)
    a = train_linear_torch(x, y, steps=20, seed=3, progress=False)
    b = train_linear_torch(x, y, steps=20, seed=3, progress=False)
    assert a.losses == b.losses


@pytest.mark.parametrize(
    "kwargs,error,word",
    [
        ({"lr": 0}, ValueError, "lr"),
        ({"lr": "fast"}, TypeError, "lr"),
        ({"steps": -3}, ValueError, "steps"),
        ({"seed": None}, TypeError, "seed"),
    ],
)
def test_train_linear_torch_bad_input(kwargs, error, word):
    with pytest.raises(error, match=word):
        train_linear_torch(X3, Y3, progress=False, **kwargs)
    with pytest.raises(ValueError, match="y"):
        train_linear_torch(X3, torch.ones(3, 1), progress=False)


def test_module_exports_exist():
    for name in line.__all__:
        assert hasattr(line, name), name
