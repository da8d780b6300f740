"""What every chapter's ``exercises.py`` shares: fixed random inputs and a guarded copy of a case.

A chapter's ``CASES`` maps an exercise's name to its ``(label, arguments)`` cases, plain lists and
numbers (JSON data), which the book's checks and the assignment's hidden tests both use.
"""

from __future__ import annotations

import copy

import numpy as np

__all__ = ["fixed_numbers", "pick_cases"]


def fixed_numbers(seed: int, *shapes: tuple[int, ...]) -> tuple[list, ...]:
    """One nested list of normal random numbers per shape, rounded to 3 decimals: the same numbers
    on every machine (NumPy's generator does not depend on the processor)."""
    rng = np.random.default_rng(seed)
    return tuple(np.round(rng.normal(size=shape), 3).tolist() for shape in shapes)


def pick_cases(table: dict[str, list[tuple[str, tuple]]], name: str) -> list[tuple[str, tuple]]:
    """A fresh copy of ``table[name]`` (a student's code cannot change the shared list)."""
    if name not in table:
        raise ValueError(f"name must be one of {sorted(table)}, got {name!r}")
    return copy.deepcopy(table[name])
