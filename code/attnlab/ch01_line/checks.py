"""Exercise checks for the line chapter (Chapter 1): the MSE, its gradient, one gradient step."""

from __future__ import annotations

from collections.abc import Callable

import torch

from attnlab.ch01_line import exercises, line
from attnlab.core.checks import Case, CheckResult, never_raises, run_cases

__all__: list[str] = ["check_mse", "check_mse_gradient", "check_gradient_step"]


def _as_tensors(cases: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    """The shared cases (plain lists) with every list turned into a float tensor."""
    return [
        (label, tuple(torch.tensor(a) if isinstance(a, list) else a for a in args))
        for label, args in cases
    ]


def _through_every_point() -> tuple[torch.Tensor, torch.Tensor]:
    """Three points that the line y = 2x + 1 goes through exactly."""
    return torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 3.0, 5.0])


@never_raises
def check_mse(mse: Callable) -> CheckResult:
    """Check ``mse(prediction, target)``: the mean of the squared differences."""
    return run_cases(
        "check_mse",
        mse,
        _mse_cases,
        hint="square each difference before you average it, and average with .mean() (not .sum())",
    )


def _mse_cases() -> list[Case]:
    return [
        Case(label, args, line.mse(*args)) for label, args in _as_tensors(exercises.cases("mse"))
    ]


@never_raises
def check_mse_gradient(mse_gradient: Callable) -> CheckResult:
    """Check ``mse_gradient(w, b, x, y)``: returns ``(dL/dw, dL/db)`` for the MSE."""
    return run_cases(
        "check_mse_gradient",
        mse_gradient,
        _mse_gradient_cases,
        hint="with error = w*x + b - y: dL/dw = 2 * mean(error * x) and dL/db = 2 * mean(error); "
        "return them as a pair (dL_dw, dL_db)",
    )


def _mse_gradient_cases() -> list[Case]:
    return [
        Case(label, args, line.mse_gradient(*args))
        for label, args in _as_tensors(exercises.cases("mse_gradient"))
    ]


@never_raises
def check_gradient_step(gradient_step: Callable) -> CheckResult:
    """Check ``gradient_step(w, b, x, y, lr)``: returns the new ``(w, b)`` after one step."""
    return run_cases(
        "check_gradient_step",
        gradient_step,
        _gradient_step_cases,
        hint="walk downhill, against the gradient: new_w = w - lr * dL/dw (and the same for b)",
    )


def _gradient_step_cases() -> list[Case]:
    x, y = _through_every_point()
    hours, scores = line.make_line_data(n=6, seed=0)
    return [
        Case("already at the bottom: nothing should move", (2.0, 1.0, x, y, 0.1), (2.0, 1.0)),
        Case("the line is 1 too high, lr = 0.1", (2.0, 2.0, x, y, 0.1), (1.8, 1.8)),
        Case("the same line, a bigger step lr = 0.5", (2.0, 2.0, x, y, 0.5), (1.0, 1.0)),
        Case(
            "six students, from w = 0, b = 60 with lr = 0.08",
            (0.0, 60.0, hours, scores, 0.08),
            line.gradient_step(0.0, 60.0, hours, scores, 0.08),
        ),
    ]
