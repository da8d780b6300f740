"""Exercise checks for the tokens chapter (Chapter 3)."""

from __future__ import annotations

from collections.abc import Callable

from attnlab.ch03_next_token import exercises
from attnlab.core.checks import Case, CheckResult, never_raises, run_cases

__all__ = ["check_make_pairs", "check_count_mlp_parameters"]


@never_raises
def check_make_pairs(make_pairs: Callable) -> CheckResult:
    """``make_pairs(tokens, window)``: every (context, target) pair, in order, as tuples."""
    return run_cases(
        "check_make_pairs",
        make_pairs,
        _make_pairs_cases,
        hint="the pair starting at position i is (tokens[i : i + window], tokens[i + window]); "
        "there are len(tokens) - window of them",
    )


def _make_pairs_cases() -> list[Case]:
    return [
        Case(label, args, exercises.make_pairs(*args))
        for label, args in exercises.cases("make_pairs")
    ]


@never_raises
def check_count_mlp_parameters(count_mlp_parameters: Callable) -> CheckResult:
    """``count_mlp_parameters(vocab_size, window, d_embed, width)`` for the chapter's WindowMLP."""
    return run_cases(
        "check_count_mlp_parameters",
        count_mlp_parameters,
        lambda: [
            Case(label, args, exercises.count_mlp_parameters(*args))
            for label, args in exercises.cases("count_mlp_parameters")
        ],
        atol=0,
        rtol=0,
        hint="three parts: the embedding table, the hidden layer (weights AND biases) on the "
        "window * d_embed glued numbers, the output layer (weights AND biases)",
    )
