"""The machinery behind every exercise check (all chapters).

A check runs the student's function on a few cases and returns a :class:`CheckResult`. It never
raises because of the student's code: an unfinished stub, a crash, a wrong answer or a strange
return value all become a kind, precise message (which input, what was expected, what came back,
how far off), so a notebook with unfinished exercises still runs top to bottom.

Two rules keep a check honest:

- the expected values do not exist while the student's function runs: a check hands
  :func:`run_cases` a *function* that builds its cases, every student call sees only copies of the
  inputs, and the expected values are built after the last call (so peeking up the call stack
  finds nothing);
- a result is turned into a plain float64 NumPy array by the check itself, never by the result's
  own methods: tensor subclasses, complex, sparse, meta and object values are refused by name.

What the student's function prints is kept to :data:`MAX_PRINTED` characters, and an error
message to :data:`MAX_ERROR` characters.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

#: At most this many characters of what a student's function prints are shown.
MAX_PRINTED = 2000
#: An error message of the student's code is cut to this many characters.
MAX_ERROR = 300


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


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        if type(value) not in (torch.Tensor, torch.nn.Parameter):
            return f"<a {type(value).__name__}, a subclass of torch.Tensor>"
        shape, dtype = tuple(torch.Tensor.size(value)), value.dtype
        array = _plain_tensor(value)
        if isinstance(array, str):
            body = f"<{array}>"
        elif array.size <= 12:
            body = np.array2string(array, precision=4, separator=", ")
        else:
            body = f"<{array.size} values>"
        return f"tensor({body}, shape={shape}, dtype={dtype})"
    if type(value) is np.ndarray:
        if value.dtype.kind in "biuf" and value.size <= 12:
            body = np.array2string(value, precision=4, separator=", ")
        else:
            body = f"<{value.size} values of dtype {value.dtype}>"
        return f"array({body}, shape={value.shape})"
    if type(value) is float:
        return f"{value:.6g}"
    if type(value) in (tuple, list):
        inner = ", ".join(short(v) for v in value[:20]) + (", ..." if len(value) > 20 else "")
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if type(value) is int and value.bit_length() > 600:
        return (
            f"<an int of {len(str(value))} digits>"
            if value.bit_length() < 10_000
            else "<a huge int>"
        )
    return _cut(repr(value), 200)


def short(value: Any) -> str:
    """A compact, readable text for a value in a message; never raises."""
    try:
        return _short(value)
    except Exception:  # a student's object whose repr breaks still gets a name
        return f"<a {type(value).__name__} that cannot be shown>"


def error_text(error: BaseException) -> str:
    """``"TypeError: the message"``, cut to :data:`MAX_ERROR` characters; never raises."""
    try:
        message = str(error)
    except Exception:
        message = "<its message cannot be shown>"
    return (
        f"{type(error).__name__}: {_cut(message, MAX_ERROR)}" if message else type(error).__name__
    )


def _plain_tensor(value: torch.Tensor) -> np.ndarray | str:
    """A plain ``torch.Tensor``'s values as a float64 array, or a sentence saying why not."""
    if value.layout != torch.strided:
        return f"a sparse tensor ({value.layout}); return an ordinary tensor, e.g. with .to_dense()"
    if value.device.type == "meta":
        return "a meta tensor, which holds no numbers"
    if value.is_complex():
        return "complex numbers; the answer is a real number, drop the imaginary part"
    if value.is_quantized:
        return "a quantized tensor; return an ordinary float tensor"
    with torch.no_grad():
        out = value.detach().to(device="cpu", dtype=torch.float64).resolve_neg().numpy()
    return np.array(out, dtype=np.float64, copy=True)


def as_float64(value: Any) -> np.ndarray | str | None:
    """``value`` as a plain float64 NumPy array, converted by the check itself.

    Returns a sentence (str) when the value cannot be a numeric answer (tensor subclass, complex,
    sparse or meta tensor, object array, a number too large for a float), and ``None`` when it is
    not a number, tensor or array at all.
    """
    if isinstance(value, torch.Tensor):
        if type(value) not in (torch.Tensor, torch.nn.Parameter):
            return (
                f"a {type(value).__name__}, a subclass of torch.Tensor; return a plain tensor "
                "(e.g. torch.as_tensor(...))"
            )
        return _plain_tensor(value)
    if isinstance(value, np.ndarray):
        if type(value) is not np.ndarray:
            return f"a {type(value).__name__}, a subclass of numpy.ndarray; return a plain array"
        if value.dtype.kind == "c":
            return "complex numbers; the answer is a real number, drop the imaginary part"
        if value.dtype.kind not in "biuf":
            return f"an array of dtype {value.dtype}, not of numbers"
        return np.array(value, dtype=np.float64, copy=True)
    if isinstance(value, (np.complexfloating, complex)):
        return "a complex number; the answer is a real number, drop the imaginary part"
    if isinstance(value, (np.floating, np.integer, int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            return "a number too large for a float (more than about 1.8e308)"
        return np.array(number, dtype=np.float64)
    return None


def compare(got: Any, expected: Any, atol: float = 1e-5, rtol: float = 1e-4) -> str | None:
    """Return ``None`` if ``got`` matches ``expected``, else a sentence saying how it differs."""
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return (
                f"expected {len(expected)} values (a {type(expected).__name__}), got {short(got)}"
            )
        for i, (g, e) in enumerate(zip(tuple(got), expected, strict=True)):
            problem = compare(g, e, atol, rtol)
            if problem:
                return f"item {i}: {problem}"
        return None
    exp = as_float64(expected)
    if exp is None:  # not a number: the same type and an equal value (asked of the expected one)
        if type(got) is type(expected) and expected == got:
            return None
        return f"expected {short(expected)}, got {short(got)}"
    if got is None:
        return "your function returned None: did you forget a `return`?"
    val = as_float64(got)
    if val is None:
        return f"expected a number or tensor, got a {type(got).__name__}: {short(got)}"
    if isinstance(val, str):
        return f"expected a number or tensor of real numbers, got {val}"
    if val.shape != exp.shape:
        return f"expected shape {tuple(exp.shape)}, got shape {tuple(val.shape)}"
    if not np.all(np.isfinite(val)) and np.all(np.isfinite(exp)):
        return f"your answer contains nan or inf: {short(got)}"
    if not np.allclose(val, exp, atol=atol, rtol=rtol, equal_nan=True):
        diff = float(np.max(np.abs(val - exp)))
        return f"expected {short(expected)}, got {short(got)} (largest difference {diff:.3g})"
    return None


def _call_name(func: Callable) -> str:
    name = getattr(func, "__name__", None)
    return name if isinstance(name, str) else type(func).__name__


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


class _CappedText(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit, self.kept, self.dropped = limit, [], 0
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        room = max(self.limit - self.size, 0)
        self.kept.append(text[:room])
        self.size += min(len(text), room)
        self.dropped += max(len(text) - room, 0)
        return len(text)

    def text(self) -> str:
        body = "".join(self.kept)
        if self.dropped:
            body += f"\n... ({self.dropped} more printed characters not shown)\n"
        return body


@dataclass
class Outcome:
    """What one call of the student's function did: returned ``value`` or raised ``error``."""

    value: Any = None
    error: BaseException | None = None


class PrintedOutput(_CappedText):
    """What the student's function prints during one check, shown (capped) when it ends."""

    def __init__(self) -> None:
        super().__init__(MAX_PRINTED)

    def __enter__(self) -> PrintedOutput:
        return self

    def __exit__(self, *exc: object) -> None:
        text = self.text()
        if text:
            sys.stdout.write(text)


def call_student(
    func: Callable,
    args: tuple = (),
    kwargs: dict | None = None,
    printed: _CappedText | None = None,
) -> Outcome:
    """Call ``func`` on deep copies of ``args``/``kwargs``; catch its errors and cap its output.

    What it prints goes to ``printed`` (shared by the calls of one check), or is shown at once,
    capped, when ``printed`` is None. Its frame holds only the function and the copies of its
    inputs: no expected value.
    """
    if printed is None:
        with PrintedOutput() as own:
            return call_student(func, args, kwargs, own)
    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs or {})
    outcome = Outcome()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            outcome.value = func(*args, **kwargs)
    except Exception as error:  # the student's bug becomes a message, not a crash
        outcome.error = error
    return outcome


def run_cases(
    check_name: str,
    func: Callable,
    cases: Callable[[], Sequence[Case]] | Sequence[Case],
    *,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    hint: str = "",
) -> CheckResult:
    """Run ``func`` on every case and report the first one that goes wrong.

    ``cases`` is best a function that builds the cases: it is called once for the inputs, and
    once more only after the student's last call for the expected values, so that nothing on the
    call stack holds an expected value while the student's code runs. Inputs are deep-copied, so a
    function that changes its arguments in place cannot spoil the next case. ``hint`` is added to
    a failure message (a nudge, never the answer).
    """
    if not callable(func):
        return not_callable(check_name, func)
    name = _call_name(func)
    build = cases if callable(cases) else (lambda: cases)
    inputs = [(c.description, c.args, c.kwargs) for c in build()]
    outcomes: list[Outcome] = []
    with PrintedOutput() as printed:
        for _, args, kwargs in inputs:
            outcomes.append(call_student(func, args, kwargs, printed))
            if outcomes[-1].error is not None:
                break
    for number, (case, outcome) in enumerate(zip(build(), outcomes, strict=False), start=1):
        shown = ", ".join(short(a) for a in case.args)
        tail = f"\n  inputs: {shown}" + (f"\n  hint: {hint}" if hint else "")
        if isinstance(outcome.error, NotImplementedError):
            return not_written(check_name, name)
        if outcome.error is not None:
            return CheckResult(
                check_name,
                False,
                f"✗ Case {number} ({case.description}): `{name}` raised "
                f"{error_text(outcome.error)}" + tail,
            )
        try:
            problem = compare(outcome.value, case.expected, atol=atol, rtol=rtol)
        except Exception as error:  # a result whose own methods fail
            problem = f"your result could not be read ({error_text(error)}): {short(outcome.value)}"
        if problem:
            return CheckResult(
                check_name, False, f"✗ Case {number} ({case.description}): {problem}" + tail
            )
    return CheckResult(check_name, True, f"✓ `{name}` passed all {len(inputs)} checks. Well done!")


def never_raises(check: Callable[[Callable], CheckResult]) -> Callable[[Callable], CheckResult]:
    """Wrap a hand-written check so that a student's strange result (an object whose ``len``,
    ``==`` or ``repr`` raises) becomes a message instead of an exception."""

    @functools.wraps(check)
    def guarded(func: Callable) -> CheckResult:
        try:
            return check(func)
        except Exception as error:
            return CheckResult(
                check.__name__,
                False,
                f"✗ the result of your function could not be read: {error_text(error)}",
            )

    return guarded


def isclose(a: float, b: float, tol: float = 1e-6) -> bool:
    """``math.isclose`` with an absolute tolerance, for checks on plain numbers."""
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
