"""What Chapter 2's exercises expect: one list of cases per exercise, in one place.

The book's checks (``checks.py``) and the assignment's hidden tests
(``assignments/source/ch02_hinge``) both draw their inputs from here, and the right answers come
from :func:`two_layer_forward` below. Inputs are plain nested lists of numbers, so the grader can
hand them to a sandboxed notebook as JSON. (``xor_weights`` has no cases: any weights that compute
XOR are right, so both check a property of the answer instead.)
"""

from __future__ import annotations

from attnlab.core.exercises import fixed_numbers, pick_cases

__all__ = ["CASES", "cases", "two_layer_forward"]


CASES: dict[str, list[tuple[str, tuple]]] = {
    # relu(x)
    "relu": [
        ("positive and negative numbers", ([-2.0, -0.5, 0.5, 2.0],)),
        ("only negative numbers", ([-3.0, -1.0],)),
        ("zero stays zero", ([0.0],)),
        ("a 2-D tensor (keep its shape)", ([[1.5, -2.0, 0.0], [-0.1, 3.0, -7.0]],)),
        ("a 3-D input", fixed_numbers(2, (2, 3, 4))),
    ],
    # two_layer_forward(x, W1, b1, W2, b2)
    "two_layer_forward": [
        (  # hidden pre-activations [0.5, -1.5]: one hinge on, one off
            "one point, one hinge on and one off, output -1",
            ([[1.0, -1.0]], [[1.0, -1.0], [1.0, 1.0]], [0.5, 0.5], [[2.0], [3.0]], [-2.0]),
        ),
        (
            "five points, 3 inputs, 4 hidden units, 2 outputs",
            fixed_numbers(3, (5, 3), (3, 4), (4,), (4, 2), (2,)),
        ),
        (
            "a batch of 8 digits-sized inputs (64 -> 6 -> 10)",
            fixed_numbers(4, (8, 64), (64, 6), (6,), (6, 10), (10,)),
        ),
    ],
}


def cases(name: str) -> list[tuple[str, tuple]]:
    """A fresh copy of the cases of exercise ``name`` (a student's code cannot change the list)."""
    return pick_cases(CASES, name)


def two_layer_forward(x, W1, b1, W2, b2):  # noqa: N803 (the chapter's names)
    """The reference answer: ``relu(x @ W1 + b1) @ W2 + b2``, for tensors or arrays."""
    hidden = x @ W1 + b1
    return (hidden * (hidden > 0)) @ W2 + b2
