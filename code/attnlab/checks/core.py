"""The machinery behind every exercise check (all chapters).

A check runs the student's function on a few cases and returns a :class:`CheckResult`. It never
raises because of the student's code: an unfinished stub, a crash or a wrong answer all become a
kind, precise message (which input, what was expected, what came back, how far off), so a notebook
with unfinished exercises still runs top to bottom.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch


@dataclass
class CheckResult:
    """The outcome of one check. Truthy when passed; shows its message in a notebook."""

    name: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message


@dataclass
class Case:
    """One input to try: ``func(*args, **kwargs)`` should give ``expected``.

    ``description`` says in words what the case is ("a perfect prediction"), so the message can
    tell the student which situation went wrong.
    """

    description: str
    args: tuple
    expected: Any
    kwargs: dict = field(default_factory=dict)


def short(value: Any) -> str:
    """A compact, readable text for a value in a message."""
    if isinstance(value, torch.Tensor):
        with torch.no_grad():
            if value.numel() <= 12:
                body = np.array2string(
                    value.detach().cpu().double().numpy(), precision=4, separator=", "
                )
            else:
                body = f"<{value.numel()} values>"
        return f"tensor({body}, shape={tuple(value.shape)}, dtype={value.dtype})"
    if isinstance(value, np.ndarray):
        return f"array({np.array2string(value, precision=4, separator=', ')}, shape={value.shape})"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(short(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    text = repr(value)
    return text if len(text) < 200 else text[:197] + "..."


def _to_numpy(value: Any) -> np.ndarray | None:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    if isinstance(value, (np.ndarray, np.floating, np.integer)):
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return np.asarray(value, dtype=np.float64)
    return None


def compare(got: Any, expected: Any, atol: float = 1e-5, rtol: float = 1e-4) -> str | None:
    """Return ``None`` if ``got`` matches ``expected``, else a sentence saying how it differs."""
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return (
                f"expected {len(expected)} values (a {type(expected).__name__}), got {short(got)}"
            )
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            problem = compare(g, e, atol, rtol)
            if problem:
                return f"item {i}: {problem}"
        return None
    exp = _to_numpy(expected)
    if exp is None:
        return None if got == expected else f"expected {short(expected)}, got {short(got)}"
    if got is None:
        return "your function returned None: did you forget a `return`?"
    val = _to_numpy(got)
    if val is None:
        return f"expected a number or tensor, got a {type(got).__name__}: {short(got)}"
    if val.shape != exp.shape:
        return f"expected shape {tuple(exp.shape)}, got shape {tuple(val.shape)}"
    if not np.all(np.isfinite(val)) and np.all(np.isfinite(exp)):
        return f"your answer contains nan or inf: {short(got)}"
    if not np.allclose(val, exp, atol=atol, rtol=rtol, equal_nan=True):
        diff = float(np.max(np.abs(val - exp)))
        return f"expected {short(expected)}, got {short(got)} (largest difference {diff:.3g})"
    return None


def _call_name(func: Callable) -> str:
    return getattr(func, "__name__", type(func).__name__)


def not_callable(check_name: str, func: object) -> CheckResult:
    """The message when a check is handed something that is not a function."""
    return CheckResult(
        check_name,
        False,
        f"✗ {check_name} wants your function itself, e.g. {check_name}(my_function) without "
        f"parentheses after my_function; it got a {type(func).__name__}.",
    )


def not_written(check_name: str, func_name: str) -> CheckResult:
    """The message for a stub that still raises NotImplementedError."""
    return CheckResult(
        check_name,
        False,
        f"✗ `{func_name}` is not written yet: it still raises NotImplementedError.\n"
        f"  Replace the line `raise NotImplementedError` with your code, then run the cell again.",
    )


def run_cases(
    check_name: str,
    func: Callable,
    cases: Sequence[Case],
    *,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    hint: str = "",
) -> CheckResult:
    """Run ``func`` on every case and report the first one that goes wrong.

    Inputs are deep-copied, so a function that changes its arguments in place cannot spoil the
    next case. ``hint`` is added to a failure message (a nudge, never the answer).
    """
    if not callable(func):
        return not_callable(check_name, func)
    name = _call_name(func)
    for number, case in enumerate(cases, start=1):
        args = copy.deepcopy(case.args)
        kwargs = copy.deepcopy(case.kwargs)
        try:
            got = func(*args, **kwargs)
        except NotImplementedError:
            return not_written(check_name, name)
        except Exception as error:  # the student's bug becomes a message, not a crash
            inputs = ", ".join(short(a) for a in case.args)
            return CheckResult(
                check_name,
                False,
                f"✗ Case {number} ({case.description}): `{name}` raised "
                f"{type(error).__name__}: {error}\n  inputs: {inputs}"
                + (f"\n  hint: {hint}" if hint else ""),
            )
        problem = compare(got, case.expected, atol=atol, rtol=rtol)
        if problem:
            inputs = ", ".join(short(a) for a in case.args)
            return CheckResult(
                check_name,
                False,
                f"✗ Case {number} ({case.description}): {problem}\n  inputs: {inputs}"
                + (f"\n  hint: {hint}" if hint else ""),
            )
    return CheckResult(check_name, True, f"✓ `{name}` passed all {len(cases)} checks. Well done!")


def isclose(a: float, b: float, tol: float = 1e-6) -> bool:
    """``math.isclose`` with an absolute tolerance, for checks on plain numbers."""
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
