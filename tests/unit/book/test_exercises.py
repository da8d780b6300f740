"""Every exercise check fails on its stub (helpfully) and passes on its solution.

A chapter marks the student's cell with the tag ``exercise-stub`` and the solution's cell with
``exercise-solution``. Both cells are self-contained (they import what they use) and end with the
call to their check, e.g. ``check_mse(mse)``. This test runs each cell on its own, so no check can
pass by accident and no stub can crash the notebook.
"""

from __future__ import annotations

import ast

import pytest

from attnlab.checks import CheckResult
from notebook_cells import run_cell, source, tagged
from paths import CHAPTERS


def _check_name(code: str) -> str:
    last = ast.parse(code).body[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call), (
        "an exercise cell must end with the call to its check"
    )
    return ast.unparse(last.value.func)


def _cells(tag: str) -> list[tuple[str, str, str]]:
    found = []
    for path in CHAPTERS:
        for cell in tagged(path, tag):
            code = source(cell)
            found.append((path.name, _check_name(code), code))
    return found


STUBS = _cells("exercise-stub")
SOLUTIONS = _cells("exercise-solution")


@pytest.mark.parametrize("chapter,check,code", STUBS, ids=[f"{c}:{k}" for c, k, _ in STUBS])
def test_stub_fails_with_a_helpful_message(chapter, check, code):
    assert "NotImplementedError" in code, "a stub raises NotImplementedError"
    result = run_cell(code)
    assert isinstance(result, CheckResult)
    assert not result.passed, f"{check} passed on the unfinished stub in {chapter}"
    assert "not written yet" in result.message and "NotImplementedError" in result.message


@pytest.mark.parametrize("chapter,check,code", SOLUTIONS, ids=[f"{c}:{k}" for c, k, _ in SOLUTIONS])
def test_solution_passes(chapter, check, code):
    result = run_cell(code)
    assert isinstance(result, CheckResult)
    assert result.passed, f"{check} failed on the solution in {chapter}: {result.message}"


def test_every_stub_has_a_solution_and_back():
    stubs = sorted((c, k) for c, k, _ in STUBS)
    solutions = sorted((c, k) for c, k, _ in SOLUTIONS)
    assert stubs == solutions


def test_every_check_is_used_by_a_chapter():
    import attnlab.checks as checks

    names = {n for n in dir(checks) if n.startswith("check_")}
    used = {k.split(".")[-1] for _, k, _ in STUBS}
    assert names <= used, f"checks no chapter uses: {sorted(names - used)}"
