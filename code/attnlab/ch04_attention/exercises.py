"""What Chapter 4's exercises expect: one list of cases per exercise, in one place.

The book's checks (``checks.py``) and the assignment's hidden tests
(``assignments/source/ch04_attention``: ``stable_softmax`` and ``attention``) both draw their
inputs from here; the right answers come from :func:`softmax` and :func:`attention` below
(computed in float64). Inputs are plain nested lists (a mask: lists of True/False), so the grader
can hand them to a sandboxed notebook as JSON.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from attnlab.core.exercises import fixed_numbers, pick_cases

__all__ = ["CASES", "cases", "softmax", "attention"]


_CAUSAL_4 = np.tril(np.ones((4, 4), dtype=bool)).tolist()

CASES: dict[str, list[tuple[str, tuple]]] = {
    # softmax(scores), over the last dimension; the last two cases need the max trick
    "softmax": [
        ("three small scores", ([1.0, 2.0, 3.0],)),
        ("four equal scores share the weight equally", ([0.0, 0.0, 0.0, 0.0],)),
        ("two rows: softmax along the last dimension", ([[1.0, 0.0, -1.0], [2.0, 2.0, 5.0]],)),
        ("huge scores: exp(1000) overflows to inf in float32", ([1000.0, 1001.0, 1002.0],)),
        ("very negative scores: exp(-1000) underflows to 0", ([-1000.0, -1001.0, -1002.0],)),
    ],
    # attention(query, key, value, mask=None) -> (output, weights)
    "attention": [
        (
            "one query, two keys, d_k = 2",
            ([[1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [[10.0, 0.0], [0.0, 10.0]]),
        ),
        ("3 queries, 5 keys, d_k = 4, d_v = 2", fixed_numbers(4, (3, 4), (5, 4), (5, 2))),
        ("a batch of 2 sentences of 4 tokens", fixed_numbers(5, (2, 4, 8), (2, 4, 8), (2, 4, 3))),
        (
            "a causal mask (True = may attend)",
            (*fixed_numbers(5, (2, 4, 8), (2, 4, 8), (2, 4, 3)), _CAUSAL_4),
        ),
    ],
}


def cases(name: str) -> list[tuple[str, tuple]]:
    """A fresh copy of the cases of exercise ``name`` (a student's code cannot change the list)."""
    return pick_cases(CASES, name)


def softmax(scores: torch.Tensor) -> torch.Tensor:
    """The reference answer, computed in float64 and returned in the input's dtype."""
    return torch.softmax(scores.double(), dim=-1).to(scores.dtype)


def attention(query, key, value, mask=None) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference answer, computed in float64: ``(softmax(Q K^T / sqrt(d_k)) V, weights)``."""
    scores = query.double() @ key.double().transpose(-2, -1) / math.sqrt(query.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ value.double()).float(), weights.float()
