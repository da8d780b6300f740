"""What Chapter 5's exercises expect: one list of cases per exercise, in one place.

The book's checks (``checks.py``) and the assignment's hidden tests
(``assignments/source/ch05_multi_head``: ``split_heads`` and ``mha_parameter_count``) both draw
their inputs from here; the right answers come from the chapter's own code (``split_heads`` and
``MultiHeadAttention`` in ``heads.py``). Inputs are plain nested lists and numbers, so the grader
can hand them to a sandboxed notebook as JSON.
"""

from __future__ import annotations

import numpy as np

from attnlab.core.exercises import fixed_numbers, pick_cases

__all__ = ["CASES", "cases"]


_COUNTING = np.arange(12.0).reshape(1, 3, 4).tolist()  # small enough to print

CASES: dict[str, list[tuple[str, tuple]]] = {
    # split_heads(x, n_heads): (B, L, d_model) -> (B, n_heads, L, d_head)
    "split_heads": [
        ("one head: only a new axis of size 1", (_COUNTING, 1)),
        (
            "a batch of 1, 3 tokens of 4 features numbered 0-11, 2 heads: head 1 is features "
            "0-1 of every token, head 2 features 2-3",
            (_COUNTING, 2),
        ),
        ("4 heads of 1 feature", (_COUNTING, 4)),
        ("random (3, 5, 8), 2 heads", (fixed_numbers(5, (3, 5, 8))[0], 2)),
        ("random (3, 5, 8), 4 heads", (fixed_numbers(6, (3, 5, 8))[0], 4)),
        ("random (2, 4, 12), 3 heads", (fixed_numbers(7, (2, 4, 12))[0], 3)),
    ],
    # count_parameters(d_model, n_heads) in the book, mha_parameter_count in the assignment
    "count_parameters": [
        (f"d_model={d}, n_heads={h}", (d, h))
        for d, h in ((4, 1), (4, 2), (32, 1), (32, 4), (64, 8), (512, 8), (30, 5))
    ],
}


def cases(name: str) -> list[tuple[str, tuple]]:
    """A fresh copy of the cases of exercise ``name`` (a student's code cannot change the list)."""
    return pick_cases(CASES, name)
