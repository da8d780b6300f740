"""attnlab.ch02_hinge: hinges, hinge sums, the MLP (hinge), training (fit) and XOR (xor) (Chapter 2)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attnlab.ch02_hinge import fit, hinge, xor
from attnlab.core.training import accuracy

# ---- one hinge and sums of hinges --------------------------------------------------------------


def test_hinge_is_flat_then_a_line():
    x = [-2.0, -1.0, 0.0, 1.0, 2.0]
    np.testing.assert_allclose(hinge.hinge(x, 1.0, 0.0), [0, 0, 0, 1, 2])
    np.testing.assert_allclose(hinge.hinge(x, 2.0, -2.0), [0, 0, 0, 0, 2])  # bend at x = 1
    np.testing.assert_allclose(hinge.hinge(x, -1.0, 0.0), [2, 1, 0, 0, 0])  # opens to the left
    assert hinge.hinge(3.0, 1.0, 1.0).tolist() == [4.0]


def test_hinge_sum_changes_slope_at_each_bend():
    x = np.linspace(-3, 3, 601)
    y = hinge.hinge_sum(x, bends=[-1.0, 1.0], slopes=[2.0, -3.0], offset=0.5)
    slope = np.diff(y) / np.diff(x)
    assert np.allclose(slope[x[1:] < -1.01], 0.0)
    assert np.allclose(slope[(x[:-1] > -0.99) & (x[1:] < 0.99)], 2.0)
    assert np.allclose(slope[x[:-1] > 1.01], -1.0)
    assert y[0] == pytest.approx(0.5)
    # the same curve written as max(0, w x + b) hinges times output weights
    by_hand = 0.5 + 2.0 * hinge.hinge(x, 1.0, 1.0) - 3.0 * hinge.hinge(x, 1.0, -1.0)
    np.testing.assert_allclose(y, by_hand)


def test_hinge_sum_with_no_hinges_is_the_offset():
    np.testing.assert_allclose(hinge.hinge_sum([0.0, 1.0], [], [], offset=0.25), [0.25, 0.25])


def test_hinge_accepts_tensors():
    np.testing.assert_allclose(hinge.hinge(torch.tensor([-1.0, 2.0]), 1.0, 0.0), [0.0, 2.0])


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: hinge.hinge_sum([0.0], [0.0, 1.0], [1.0]), ValueError, "same length"),
        (lambda: hinge.hinge_sum([0.0], [[0.0]], [[1.0]]), ValueError, "bends"),
        (lambda: hinge.hinge_sum("abc", [0.0], [1.0]), TypeError, "x must be"),
        (lambda: hinge.hinge_sum([0.0], [float("nan")], [1.0]), ValueError, "finite"),
        (lambda: hinge.hinge_sum([0.0], [0.0], [1.0], offset="1"), TypeError, "offset"),
        (lambda: hinge.hinge([0.0], w=None, b=0.0), TypeError, "w must be a number"),
        (lambda: hinge.hinge([0.0], w=1.0, b=float("inf")), ValueError, "b must be finite"),
        (lambda: hinge.target_curve("cosine", [0.0]), ValueError, "target must be one of"),
        (lambda: hinge.curve_grid(1), ValueError, "n_points must be >= 2"),
        (lambda: hinge.best_slopes([0.0], "square"), ValueError, "target"),
    ],
)
def test_bad_input_to_the_builder_arithmetic(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_best_slopes_are_the_least_squares_answer():
    bends = [-3.0, -1.5, 1.5]
    slopes, offset = hinge.best_slopes(bends, "sine")
    x = hinge.curve_grid()
    best = np.mean((hinge.hinge_sum(x, bends, slopes, offset) - np.sin(x)) ** 2)
    assert best < 0.01
    rng = np.random.default_rng(0)
    for _ in range(20):  # any nudge makes it worse
        nudged = slopes + rng.normal(0, 0.05, size=3)
        worse = np.mean((hinge.hinge_sum(x, bends, nudged, offset) - np.sin(x)) ** 2)
        assert worse > best


def test_targets():
    x = hinge.curve_grid(5)
    np.testing.assert_allclose(x, [-3, -1.5, 0, 1.5, 3])
    np.testing.assert_allclose(hinge.target_curve("sine", x), np.sin(x))
    assert hinge.target_curve("bump", [0.0])[0] == pytest.approx(1.0)


# ---- relu, the forward pass and the MLP --------------------------------------------------------


def test_relu_and_two_layer_forward():
    x = torch.tensor([[-1.0, 2.0]])
    assert torch.equal(hinge.relu(x), torch.tensor([[0.0, 2.0]]))
    out = hinge.two_layer_forward(x, **xor.XOR_HAND_WEIGHTS)
    assert out.shape == (1, 1)
    W1, b1 = torch.randn(2, 3), torch.randn(3)
    W2, b2 = torch.randn(3, 2), torch.randn(2)
    expected = torch.clamp(x @ W1 + b1, min=0) @ W2 + b2
    assert torch.allclose(hinge.two_layer_forward(x, W1, b1, W2, b2), expected)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: hinge.relu([1.0]), TypeError, "x must be a torch.Tensor"),
        (lambda: hinge.relu(torch.tensor([1, 2])), TypeError, "floating-point"),
        (
            lambda: hinge.two_layer_forward(
                torch.ones(1, 3), torch.ones(2, 2), torch.ones(2), torch.ones(2, 1), torch.ones(1)
            ),
            ValueError,
            "W1 must have 3 rows",
        ),
        (
            lambda: hinge.two_layer_forward(
                torch.ones(1, 2), torch.ones(2, 2), torch.ones(3), torch.ones(2, 1), torch.ones(1)
            ),
            ValueError,
            "b1 and the rows of W2",
        ),
        (
            lambda: hinge.two_layer_forward(
                torch.ones(1, 2), torch.ones(2, 2), torch.ones(2), torch.ones(2, 1), torch.ones(2)
            ),
            ValueError,
            "b2 must have 1",
        ),
        (lambda: hinge.MLP(0, 4, 1), ValueError, "n_inputs must be >= 1"),
        (lambda: hinge.MLP(2, 2.5, 1), TypeError, "n_hidden must be an int"),
        (lambda: hinge.MLP(2, 4, 1)(torch.ones(3, 5)), ValueError, "2 columns"),
        (lambda: hinge.MLP(2, 4, 1)(torch.ones(3)), ValueError, "2 dimension"),
    ],
)
def test_bad_input_to_the_network(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_mlp_is_a_sum_of_hinges():
    torch.manual_seed(0)
    model = hinge.MLP(1, 5, 1)
    x = hinge.curve_grid(31)
    parts, bias = hinge.hinge_parts(model, x)
    assert parts.shape == (31, 5)
    with torch.no_grad():
        out = model(torch.tensor(x, dtype=torch.float32)[:, None])[:, 0].double().numpy()
    np.testing.assert_allclose(parts.sum(axis=1) + bias, out, atol=1e-5)
    bends = hinge.bend_points(model)
    w = model.hidden.weight[:, 0].detach().double().numpy()
    b = model.hidden.bias.detach().double().numpy()
    np.testing.assert_allclose(w * bends + b, 0.0, atol=1e-6)


def test_hinge_parts_and_bends_refuse_other_models():
    with pytest.raises(ValueError, match="one input and one output"):
        hinge.hinge_parts(hinge.MLP(2, 3, 1), [0.0])
    with pytest.raises(TypeError, match="attnlab.ch02_hinge.hinge.MLP"):
        hinge.hinge_parts(torch.nn.Linear(1, 1), [0.0])
    with pytest.raises(ValueError, match="one input"):
        hinge.bend_points(hinge.MLP(2, 3, 1))


def test_train_lowers_the_loss_and_is_repeatable():
    x = torch.tensor(hinge.curve_grid(41), dtype=torch.float32)[:, None]
    y = torch.sin(x[:, 0])
    runs = []
    for _ in range(2):
        torch.manual_seed(3)
        model = hinge.MLP(1, 8, 1)
        runs.append(fit.train(model, x, y, steps=200, lr=0.02, progress=False))
    assert runs[0] == runs[1]
    assert runs[0][-1] < 0.2 * runs[0][0]


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"loss": "hinge"}, ValueError, "loss must be one of"),
        ({"steps": 0}, ValueError, "steps must be >= 1"),
        ({"lr": -1.0}, ValueError, "lr must be a positive"),
        ({"targets": torch.ones(3)}, ValueError, "same number of rows"),
        ({"loss": "cross_entropy"}, TypeError, "targets must have an integer dtype"),
        ({"inputs": torch.ones(4)}, ValueError, "inputs must have 2"),
        ({"model": "mlp"}, TypeError, "model must be a torch.nn.Module"),
    ],
)
def test_bad_input_to_train(kwargs, error, words):
    args = {"model": hinge.MLP(1, 2, 1), "inputs": torch.ones(4, 1), "targets": torch.ones(4)}
    args.update(kwargs)
    model, inputs, targets = args.pop("model"), args.pop("inputs"), args.pop("targets")
    with pytest.raises(error, match=words):
        fit.train(model, inputs, targets, progress=False, **args)


def test_predict_and_accuracy():
    line = torch.nn.Linear(1, 1)
    with torch.no_grad():
        line.weight.fill_(1.0)
        line.bias.fill_(0.0)
    x = torch.tensor([[-1.0], [2.0], [3.0]])
    assert fit.predict(line, x).tolist() == [0, 1, 1]
    scores = fit.class_scores(line, x)  # one logit z becomes the two class scores (0, z)
    assert scores.tolist() == [[0.0, -1.0], [0.0, 2.0], [0.0, 3.0]]
    assert accuracy(scores, torch.tensor([0, 1, 0])) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="targets must have the shape"):
        accuracy(scores, torch.tensor([0, 1]))
    with torch.no_grad():
        line.weight.fill_(0.0)  # a logit of exactly 0 is class 0, as logit > 0 says
    assert fit.predict(line, x).tolist() == [0, 0, 0]


def test_fit_curve_reports_its_error_on_the_builder_grid():
    result = fit.fit_curve("bump", n_hidden=4, seed=0, steps=50)
    x = torch.tensor(hinge.curve_grid(), dtype=torch.float32)[:, None]
    with torch.no_grad():
        error = float(((result.model(x)[:, 0] - torch.exp(-2 * x[:, 0] ** 2)) ** 2).mean())
    assert result.error == pytest.approx(error, rel=1e-5)
    assert 0 <= result.bends_inside <= 4 and len(result.losses) == 50
    with pytest.raises(ValueError, match="target"):
        fit.fit_curve("square")
    with pytest.raises(TypeError, match="seed"):
        fit.fit_curve(seed=1.5)


# ---- XOR ---------------------------------------------------------------------------------------


def test_xor_data():
    x, y = xor.xor_data()
    assert x.shape == (4, 2) and y.tolist() == [0.0, 1.0, 1.0, 0.0]
    assert torch.equal(y, (x[:, 0] != x[:, 1]).float())


def test_best_line_finds_a_perfect_line_when_there_is_one():
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y_and = torch.tensor([0.0, 0.0, 0.0, 1.0])
    fit = xor.best_line(x, y_and, n_angles=72)
    assert fit.accuracy == 1.0
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        xor.best_line(torch.ones(4, 3), y_and)


def test_hand_weights_solve_xor():
    x, y = xor.xor_data()
    out = hinge.two_layer_forward(x, **xor.XOR_HAND_WEIGHTS)[:, 0]
    assert torch.equal((out > 0).float(), y)
