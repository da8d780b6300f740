"""The Chapter 1 exercise checks pass right answers and name the case, the expected and the got
value for planted wrong ones."""

from __future__ import annotations

import torch

from attnlab.ch01_line import line
from attnlab.checks import check_gradient_step, check_mse, check_mse_gradient


def test_right_answers_pass():
    assert check_mse(line.mse)
    assert check_mse(lambda p, t: ((p - t) ** 2).mean())
    assert check_mse_gradient(line.mse_gradient)
    assert check_gradient_step(line.gradient_step)


def test_stubs_say_not_written_yet():
    def stub(*args):
        raise NotImplementedError

    for check in (check_mse, check_mse_gradient, check_gradient_step):
        result = check(stub)
        assert not result and "not written yet" in result.message


def test_mse_that_sums_names_case_expected_and_got():
    result = check_mse(lambda p, t: ((p - t) ** 2).sum())
    assert not result
    assert "Case 2 (every guess 2 too high)" in result.message
    assert "expected 4" in result.message and "got tensor(12." in result.message
    assert "largest difference 8" in result.message and "hint" in result.message


def test_squaring_after_averaging_is_caught_where_errors_cancel():
    result = check_mse(lambda p, t: (p - t).mean() ** 2)  # right on case 2, wrong on case 3
    assert not result
    assert "Case 3 (one guess too high and one too low" in result.message
    assert "expected 1, got tensor(0." in result.message


def test_gradient_with_wrong_sign_names_the_item():
    result = check_mse_gradient(
        lambda w, b, x, y: (
            2 * ((y - w * x - b) * x).mean(),
            2 * (y - w * x - b).mean(),
        )
    )
    assert not result
    assert "Case 2 (the line is 1 too high at every point)" in result.message
    assert "item 0: expected 2, got tensor(-2." in result.message


def test_gradient_returning_one_value():
    result = check_mse_gradient(lambda w, b, x, y: 2 * (w * x + b - y).mean())
    assert not result and "expected 2 values" in result.message


def test_step_uphill_names_expected_and_got():
    def uphill(w, b, x, y, lr):
        grad_w, grad_b = line.mse_gradient(w, b, x, y)
        return w + lr * grad_w, b + lr * grad_b

    result = check_gradient_step(uphill)
    assert not result
    assert "Case 2 (the line is 1 too high, lr = 0.1)" in result.message
    assert "item 0: expected 1.8, got 2.2" in result.message


def test_step_that_ignores_lr_fails_on_the_lr_case():
    def fixed_step(w, b, x, y, lr):
        grad_w, grad_b = line.mse_gradient(w, b, x, y)
        return w - 0.1 * grad_w, b - 0.1 * grad_b

    result = check_gradient_step(fixed_step)
    assert not result and "Case 3 (the same line, a bigger step lr = 0.5)" in result.message


def test_a_crash_and_a_missing_return_become_messages():
    result = check_mse(lambda p, t: p @ torch.ones(7))
    assert not result and "Case 1 (a perfect prediction)" in result.message
    assert "raised RuntimeError" in result.message
    result = check_mse(lambda p, t: None)
    assert not result and "forget a `return`" in result.message
    assert not check_mse("mse") and "wants your function itself" in check_mse("mse").message
