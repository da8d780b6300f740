"""What Chapter 1's exercises expect: one list of cases per exercise, in one place.

The book's checks (``checks.py``) and the assignment's hidden tests
(``assignments/source/ch01_line``) both draw their inputs from here; the right answers come from
the chapter's own functions (``line.py``), never from a number typed twice. Inputs are plain
lists and numbers, so the grader can hand them to a sandboxed notebook as JSON.
"""

from __future__ import annotations

from attnlab.core.exercises import pick_cases

__all__ = ["CASES", "cases"]

# hours of revision and exam scores of six students (what line.make_line_data(n=6, seed=0) draws,
# written out so that the cases do not depend on a random generator)
_HOURS = [4.9, 3.5, 2.3, 4.6, 3.2, 4.0]
_SCORES = [82.0, 73.0, 54.0, 74.0, 62.0, 73.0]

CASES: dict[str, list[tuple[str, tuple]]] = {
    # mse(prediction, target)
    "mse": [
        ("a perfect prediction", ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])),
        ("every guess 2 too high", ([3.0, 4.0, 5.0], [1.0, 2.0, 3.0])),
        (
            "one guess too high and one too low: the errors must not cancel",
            ([2.0, 0.0], [1.0, 1.0]),
        ),
        ("a single student", ([70.0], [64.0])),
        ("six students, everyone guessed 60", ([60.0] * 6, _SCORES)),
    ],
    # mse_gradient(w, b, x, y) in the book, mse_gradients(w, b, x, y) in the assignment
    "mse_gradient": [
        (
            "the line y = 2x + 1 goes through every point: nothing to fix",
            (2.0, 1.0, [0.0, 1.0, 2.0], [1.0, 3.0, 5.0]),
        ),
        ("the line is 1 too high at every point", (2.0, 2.0, [0.0, 1.0, 2.0], [1.0, 3.0, 5.0])),
        ("a single point at x = 3, the line 3 too high", (1.0, 0.0, [3.0], [0.0])),
        (
            "six students, the flat line w = 0, b = 60",
            (0.0, 60.0, _HOURS, _SCORES),
        ),
        (
            "a steep line through four points",
            (-1.5, 2.0, [-1.0, 0.5, 2.0, 3.5], [0.3, -0.2, 1.1, 4.0]),
        ),
    ],
}


def cases(name: str) -> list[tuple[str, tuple]]:
    """A fresh copy of the cases of exercise ``name`` (a student's code cannot change the list)."""
    return pick_cases(CASES, name)
