"""Exercise checks for the tokens chapter (Chapter 3)."""

from __future__ import annotations

from collections.abc import Callable

from attnlab.core.checks import Case, CheckResult, never_raises, run_cases

__all__ = ["check_make_pairs", "check_count_mlp_parameters"]


def _pairs(tokens: list, window: int) -> list:
    return [
        (tuple(tokens[i : i + window]), tokens[i + window]) for i in range(len(tokens) - window)
    ]


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
        Case("5 tokens, a window of 2", ([10, 11, 12, 13, 14], 2), _pairs([10, 11, 12, 13, 14], 2)),
        Case(
            "the chapter's window of 5",
            (list(range(100, 108)), 5),
            _pairs(list(range(100, 108)), 5),
        ),
        Case("repeated tokens", ([7, 7, 8, 7, 7, 8], 3), _pairs([7, 7, 8, 7, 7, 8], 3)),
        Case("exactly one pair", ([1, 2, 3], 2), [((1, 2), 3)]),
        Case("too short for any pair", ([1, 2], 2), []),
    ]


def _count(vocab_size: int, window: int, d_embed: int, width: int) -> int:
    return (
        vocab_size * d_embed
        + (window * d_embed * width + width)
        + (width * vocab_size + vocab_size)
    )


@never_raises
def check_count_mlp_parameters(count_mlp_parameters: Callable) -> CheckResult:
    """``count_mlp_parameters(vocab_size, window, d_embed, width)`` for the chapter's WindowMLP."""
    settings = [
        ("a tiny model", (10, 2, 3, 4)),
        ("the chapter's text model", (556, 5, 24, 128)),
        ("one slot, one hidden unit", (2, 1, 1, 1)),
        ("a wide model", (251, 8, 64, 512)),
    ]
    return run_cases(
        "check_count_mlp_parameters",
        count_mlp_parameters,
        lambda: [Case(words, args, _count(*args)) for words, args in settings],
        atol=0,
        rtol=0,
        hint="three parts: the embedding table, the hidden layer (weights AND biases) on the "
        "window * d_embed glued numbers, the output layer (weights AND biases)",
    )
