"""What Chapter 3's exercises expect: one list of cases per exercise, in one place.

The book's checks (``checks.py``) and the assignment's hidden tests
(``assignments/source/ch03_next_token``) both draw their inputs from here; the right answers come
from the reference functions below. Inputs are plain lists and numbers, so the grader can hand
them to a sandboxed notebook as JSON.
"""

from __future__ import annotations

from attnlab.core.exercises import pick_cases

__all__ = ["CASES", "cases", "make_pairs", "count_mlp_parameters"]

CASES: dict[str, list[tuple[str, tuple]]] = {
    # make_pairs(tokens, window)
    "make_pairs": [
        ("5 tokens, a window of 2", ([10, 11, 12, 13, 14], 2)),
        ("the chapter's window of 5", (list(range(100, 108)), 5)),
        ("repeated tokens", ([7, 7, 8, 7, 7, 8], 3)),
        ("exactly one pair", ([1, 2, 3], 2)),
        ("too short for any pair", ([1, 2], 2)),
        ("window 1", ([5, 6, 7], 1)),
        ("an empty list", ([], 2)),
        ("100 tokens, window 5", (list(range(100)), 5)),
    ],
    # count_mlp_parameters(vocab_size, window, d_embed, width)
    "count_mlp_parameters": [
        ("a tiny model", (10, 2, 3, 4)),
        ("the chapter's text model", (556, 5, 24, 128)),
        ("one slot, one hidden unit", (2, 1, 1, 1)),
        ("a wide model", (251, 8, 64, 512)),
        ("8 slots, 1000 tokens, d_embed 32, width 64", (1000, 8, 32, 64)),
    ],
}


def cases(name: str) -> list[tuple[str, tuple]]:
    """A fresh copy of the cases of exercise ``name`` (a student's code cannot change the list)."""
    return pick_cases(CASES, name)


def make_pairs(tokens: list, window: int) -> list[tuple[tuple, object]]:
    """The reference answer: every (context, target) pair of a window of ``window`` tokens."""
    return [
        (tuple(tokens[i : i + window]), tokens[i + window]) for i in range(len(tokens) - window)
    ]


def count_mlp_parameters(vocab_size: int, window: int, d_embed: int, width: int) -> int:
    """The reference answer: the parameters of Chapter 3's ``WindowMLP``."""
    embedding = vocab_size * d_embed
    hidden = window * d_embed * width + width  # weights + biases
    output = width * vocab_size + vocab_size  # weights + biases
    return embedding + hidden + output
