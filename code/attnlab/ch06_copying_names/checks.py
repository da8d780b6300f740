"""Exercise checks for Chapter 6: the induction score, the ablation prediction, the probe."""

from __future__ import annotations

from collections.abc import Callable

import torch

from attnlab.core.checks import (
    Case,
    CheckResult,
    PrintedOutput,
    call_student,
    error_text,
    never_raises,
    not_callable,
    not_written,
    run_cases,
    short,
)

__all__: list[str] = ["check_induction_score", "check_heads_needed", "check_repeated_sequence"]

# Token ids of the course pool (attnlab.ch04_attention.names): specials come first.
_FIRST_POOL_ID = 7
_POOL_SIZE = 48


def _pattern_from_targets(length: int, targets: dict[int, int]) -> torch.Tensor:
    """A causal (length, length) pattern: row i puts 0.8 on targets[i] (if given), rest spread."""
    pattern = torch.zeros(length, length)
    for i in range(length):
        pattern[i, : i + 1] = 1.0 / (i + 1)
        if i in targets:
            pattern[i, : i + 1] = 0.2 / (i + 1) if i > 0 else 1.0
            pattern[i, targets[i]] += 0.8 if i > 0 else 0.0
    return pattern


def _reference_score(pattern: torch.Tensor, period: int) -> float:
    rows = torch.arange(period, pattern.shape[0])
    return float(pattern[rows, rows - period + 1].mean())


@never_raises
def check_induction_score(func: Callable) -> CheckResult:
    """Check ``induction_score(pattern, period)``: mean of pattern[i, i - period + 1] for i >= period."""
    return run_cases(
        "check_induction_score",
        func,
        _induction_score_cases,
        hint="at position i the same token was seen at i - period; the induction head looks one "
        "step AFTER it. Average over the repeat only (i from period to the end).",
    )


def _induction_score_cases() -> list[Case]:
    period = 4
    induction = _pattern_from_targets(8, {i: i - period + 1 for i in range(period, 8)})
    previous_occurrence = _pattern_from_targets(8, {i: i - period for i in range(period, 8)})
    previous_token = _pattern_from_targets(8, {i: i - 1 for i in range(1, 8)})
    uniform = _pattern_from_targets(10, {})
    return [
        Case(
            "a clean induction head, period 4", (induction, period), _reference_score(induction, 4)
        ),
        Case(
            "a head that looks at the earlier copy of the SAME token (not an induction head)",
            (previous_occurrence, period),
            _reference_score(previous_occurrence, 4),
        ),
        Case(
            "a previous-token head", (previous_token, period), _reference_score(previous_token, 4)
        ),
        Case("a uniform causal pattern, period 5", (uniform, 5), _reference_score(uniform, 5)),
    ]


# What switching a head off does, measured in Chapter 6 on every seed (the tests in
# tests/unit/ch06_copying_names/test_analysis.py train the models and assert that these answers
# agree with the measurement).
_HEADS_NEEDED = {1: True, 2: True}


@never_raises
def check_heads_needed(func: Callable) -> CheckResult:
    """Check ``heads_needed()``: {layer: True if switching that head off breaks the copying}."""
    name = "check_heads_needed"
    if not callable(func):
        return not_callable(name, func)
    outcome = call_student(func)
    if isinstance(outcome.error, NotImplementedError):
        return not_written(name, getattr(func, "__name__", "heads_needed"))
    if outcome.error is not None:  # the student's bug becomes a message
        return CheckResult(name, False, f"✗ `heads_needed()` raised {error_text(outcome.error)}")
    got = outcome.value
    if type(got) is not dict or set(got) != {1, 2}:
        return CheckResult(
            name,
            False,
            f"✗ return a dict with keys 1 and 2, e.g. {{1: False, 2: True}}; got {short(got)}",
        )
    if not all(isinstance(v, bool) for v in got.values()):
        return CheckResult(name, False, f"✗ the values must be True or False; got {short(got)}")
    if got[2] is not _HEADS_NEEDED[2]:
        return CheckResult(
            name,
            False,
            "✗ Layer 2: think again. Its head is the one whose row at 'is' lands on the name; "
            "without it, nothing moves the name to the last position.",
        )
    if got[1] is not _HEADS_NEEDED[1]:
        return CheckResult(
            name,
            False,
            "✗ Layer 1: think again. Its head never looks at the name from 'is', but layer 2 finds "
            "the name by a key that only exists because layer 1 wrote 'the token before me was "
            "called' into the name's position.",
        )
    return CheckResult(
        name, True, "✓ Both heads are needed: layer 1 marks the name, layer 2 finds and copies it."
    )


def _plain_tokens(got: object) -> torch.Tensor | str:
    """The student's tokens as a plain int64 tensor, or what is wrong with them."""
    if type(got) is not torch.Tensor:
        return f"expected a 1-D integer tensor, got {short(got)}"
    if got.layout != torch.strided or got.device.type == "meta":
        return f"expected an ordinary 1-D integer tensor, got {short(got)}"
    if (
        got.dim() != 1
        or torch.is_floating_point(got)
        or got.is_complex()
        or got.dtype == torch.bool
    ):
        return f"expected a 1-D integer tensor, got {short(got)}"
    return torch.tensor(got.detach().cpu().tolist(), dtype=torch.int64)


def _looks_random(draw: Callable[[int], torch.Tensor], period: int = 6) -> str | None:
    """None if the first copies over 20 seeds look like random draws from the pool, else why not.

    A random draw of 6 of the 48 pool tokens is almost never in increasing order, uses most of the
    pool over 20 seeds, and rarely has equal steps between its tokens; ``seed + arange`` and
    other formulas fail one of these."""
    firsts = [draw(seed)[:period].tolist() for seed in range(10, 30)]
    ascending = sum(first == sorted(first) for first in firsts)
    used = len({t for first in firsts for t in first})
    steps = sum(
        len({(b - a) % _POOL_SIZE for a, b in zip(first, first[1:], strict=False)}) == 1
        for first in firsts
    )
    if ascending > 2 or used < _POOL_SIZE // 2 or steps > 2 or len(set(map(tuple, firsts))) < 18:
        return (
            f"over seeds 10 to 29 (period {period}) the tokens do not look random: {ascending} of "
            f"20 first copies are in increasing order, {steps} go up in equal steps, they use "
            f"{used} of the {_POOL_SIZE} pool tokens. Draw them at random from the pool, e.g. "
            "with torch.randperm and a torch.Generator seeded with seed"
        )
    return None


@never_raises
def check_repeated_sequence(func: Callable) -> CheckResult:
    """Check ``repeated_sequence(period, seed)``: distinct pool tokens, then the same tokens again,
    drawn at random (a formula of the seed does not pass)."""
    if not callable(func):
        return not_callable("check_repeated_sequence", func)
    with PrintedOutput() as printed:
        return _check_repeated_sequence(func, printed)


def _check_repeated_sequence(func: Callable, printed: PrintedOutput) -> CheckResult:
    name = "check_repeated_sequence"
    if not callable(func):
        return not_callable(name, func)
    fname = getattr(func, "__name__", "repeated_sequence")
    low, high = _FIRST_POOL_ID, _FIRST_POOL_ID + _POOL_SIZE
    for number, (period, seed) in enumerate([(4, 0), (6, 1), (6, 2), (1, 3)], start=1):
        outcome = call_student(func, (period, seed), None, printed)
        if isinstance(outcome.error, NotImplementedError):
            return not_written(name, fname)
        if outcome.error is not None:
            return CheckResult(
                name,
                False,
                f"✗ Case {number} (period={period}, seed={seed}): `{fname}` raised "
                f"{error_text(outcome.error)}",
            )
        where = f"✗ Case {number} (period={period}, seed={seed}): "
        got = _plain_tokens(outcome.value)
        if isinstance(got, str):
            return CheckResult(name, False, where + got)
        if got.shape[0] != 2 * period:
            return CheckResult(
                name,
                False,
                where + f"expected {2 * period} tokens (two copies), got {got.shape[0]}",
            )
        if not bool(((got >= low) & (got < high)).all()):
            return CheckResult(
                name,
                False,
                where + f"every token must be a pool id in {low}..{high - 1}; got {short(got)}",
            )
        first, second = got[:period], got[period:]
        if len(set(first.tolist())) != period:
            return CheckResult(
                name,
                False,
                where
                + f"the first copy must hold {period} DIFFERENT tokens (else 'what came after "
                f"this token last time' is ambiguous); got {short(first)}",
            )
        if not torch.equal(first, second):
            return CheckResult(
                name,
                False,
                where + f"the second half must repeat the first: {short(first)} vs {short(second)}",
            )

    def draw(seed: int, period: int = 6) -> torch.Tensor:
        outcome = call_student(func, (period, seed), None, printed)
        if outcome.error is not None:
            raise RuntimeError(f"calling `{fname}` again raised {error_text(outcome.error)}")
        got = _plain_tokens(outcome.value)
        if isinstance(got, str) or got.shape[0] != 2 * period:
            raise RuntimeError(f"`{fname}({period}, {seed})` gave {short(outcome.value)}")
        return got

    try:
        same = torch.equal(draw(5), draw(5))
        differ = not torch.equal(draw(5), draw(6))
        not_random = _looks_random(draw) if same and differ else None
    except RuntimeError as error:
        return CheckResult(name, False, f"✗ {error}")
    if not same:
        return CheckResult(
            name, False, "✗ the same seed must give the same sequence (use a torch.Generator)"
        )
    if not differ:
        return CheckResult(name, False, "✗ different seeds should give different sequences")
    if not_random:
        return CheckResult(name, False, f"✗ {not_random}")
    return CheckResult(name, True, f"✓ `{fname}` builds the probe correctly. Well done!")
