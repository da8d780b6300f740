"""Exercise checks for the hinge chapter (Chapter 2)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from attnlab.ch02_hinge import exercises
from attnlab.core.checks import (
    Case,
    CheckResult,
    as_float64,
    call_student,
    error_text,
    never_raises,
    not_callable,
    not_written,
    run_cases,
    short,
)

__all__: list[str] = ["check_relu", "check_two_layer_forward", "check_xor_weights"]


def _tensors(args: tuple) -> tuple:
    """The shared cases hold plain lists: the book's exercises take float tensors."""
    return tuple(torch.tensor(a, dtype=torch.float32) for a in args)


@never_raises
def check_relu(relu: Callable) -> CheckResult:
    """``relu(x)`` must return ``max(0, x)`` element by element, same shape as ``x``."""
    return run_cases(
        "check_relu",
        relu,
        _relu_cases,
        hint="keep positive numbers as they are; turn every negative one into 0",
    )


def _relu_cases() -> list[Case]:
    return [
        Case(label, _tensors(args), _tensors(args)[0].clamp(min=0))
        for label, args in exercises.cases("relu")
    ]


@never_raises
def check_two_layer_forward(two_layer_forward: Callable) -> CheckResult:
    """``two_layer_forward(x, W1, b1, W2, b2)`` must return ``relu(x @ W1 + b1) @ W2 + b2``."""
    return run_cases(
        "check_two_layer_forward",
        two_layer_forward,
        _two_layer_cases,
        hint="hidden = relu(x @ W1 + b1), then hidden @ W2 + b2 (no relu on the output)",
    )


def _two_layer_cases() -> list[Case]:
    return [
        Case(label, _tensors(args), exercises.two_layer_forward(*_tensors(args)))
        for label, args in exercises.cases("two_layer_forward")
    ]


@never_raises
def check_xor_weights(xor_weights: Callable) -> CheckResult:
    """``xor_weights()`` must return ``(W1, b1, W2, b2)`` for a 2-input, 2-hidden-unit, 1-output
    MLP whose output is above 0.5 exactly on the XOR points (0, 1) and (1, 0)."""
    name = "check_xor_weights"
    if not callable(xor_weights):
        return not_callable(name, xor_weights)
    func = getattr(xor_weights, "__name__", "xor_weights")
    outcome = call_student(xor_weights)
    if isinstance(outcome.error, NotImplementedError):
        return not_written(name, func)
    if outcome.error is not None:  # the student's bug becomes a message, not a crash
        return CheckResult(name, False, f"✗ `{func}()` raised {error_text(outcome.error)}")
    weights = outcome.value
    if weights is None:
        return CheckResult(name, False, f"✗ `{func}()` returned None: did you forget a `return`?")
    if not isinstance(weights, (tuple, list)) or len(weights) != 4:
        return CheckResult(
            name,
            False,
            f"✗ `{func}()` should return four things (W1, b1, W2, b2), got {short(weights)}",
        )
    shapes = {"W1": (2, 2), "b1": (2,), "W2": (2, 1), "b2": (1,)}
    tensors = []
    for (label, shape), value in zip(shapes.items(), weights, strict=True):
        if isinstance(value, (list, tuple)):
            try:  # a list of numbers, read into a plain float64 array
                value = np.array(value, dtype=np.float64)
            except Exception:
                return CheckResult(
                    name, False, f"✗ {label} should hold numbers, got {short(value)}"
                )
        array = as_float64(value)
        if not isinstance(array, np.ndarray):
            why = array if isinstance(array, str) else short(value)
            return CheckResult(name, False, f"✗ {label} should hold numbers, got {why}")
        tensor = torch.from_numpy(array).float()
        if tuple(tensor.shape) != shape:
            return CheckResult(
                name,
                False,
                f"✗ {label} should have shape {shape}, got {tuple(tensor.shape)}: two inputs, "
                f"two hidden units, one output",
            )
        tensors.append(tensor)
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    want = [0, 1, 1, 0]
    out = exercises.two_layer_forward(x, *tensors)[:, 0]
    for point, value, label in zip(x.tolist(), out.tolist(), want, strict=True):
        if (value > 0.5) != bool(label):
            told = f"{value:.3g} (class {int(value > 0.5)})"
            return CheckResult(
                name,
                False,
                f"✗ At the point ({point[0]:g}, {point[1]:g}) the network outputs {told}, but "
                f"XOR says {label}: the output must be above 0.5 exactly on (0, 1) and (1, 0).\n"
                f"  all four outputs: {[round(v, 3) for v in out.tolist()]}\n"
                f"  hint: along x1 + x2 the XOR labels are 0, 1, 0, a bump: one hinge that turns "
                f"on at x1 + x2 = 0 and one that turns on at x1 + x2 = 1",
            )
    return CheckResult(
        name,
        True,
        f"✓ `{func}` solves XOR: outputs {[round(v, 3) for v in out.tolist()]} on (0,0), (0,1), "
        f"(1,0), (1,1). Well done!",
    )
