"""The assignment notebooks are well formed, and the teacher's guide's points table matches them."""

from __future__ import annotations

import ast
import re

import pytest

from tests.assignments import submissions as S

GUIDE = S.ROOT / "book" / "teachers_guide.md"


@pytest.mark.parametrize("name", S.NAMES)
def test_source_notebook_is_well_formed(name):
    nb = S.source_notebook(name)
    S.nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    ids = [S.grade_id(c) for c in nb.cells if S.grade_id(c)]
    assert len(ids) == len(set(ids)), "grade_id values must be unique"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "commit without outputs"
    for task in S.tasks(name):
        answer, test = S.cell_of(nb, task), S.cell_of(nb, f"{task}_tests")
        assert S.is_solution(answer) and "### BEGIN SOLUTION" in answer.source
        assert test.metadata.nbgrader.locked and test.metadata.nbgrader.points > 0
        visible, _, hidden = test.source.partition("### BEGIN HIDDEN TESTS")
        assert "assert" in visible and "record(" in hidden, f"{task}: visible and hidden tests"


def _guide_points() -> dict[tuple[str, str], float]:
    rows = re.findall(r"^\| `(ch\d\d_\w+)` \| `(\w+)` \| (\d+) \|$", GUIDE.read_text(), re.M)
    return {(name, function): float(points) for name, function, points in rows}


def _function_of(name: str, task: str) -> str:
    match = re.search(r"^def (\w+)\(", S.cell_of(S.source_notebook(name), task).source, re.M)
    assert match, f"{name}/{task}: the answer cell defines no function"
    return match.group(1)


def test_teachers_guide_points_table_matches_the_notebooks():
    expected = {
        (name, _function_of(name, task)): points
        for name in S.NAMES
        for task, points in S.tasks(name).items()
    }
    assert _guide_points() == expected


def test_teachers_guide_totals_match_the_notebooks():
    text = GUIDE.read_text()
    totals = {name: sum(S.tasks(name).values()) for name in S.NAMES}
    assert "Totals: 7 points for every assignment except `ch05_multi_head`, which has 9." in text
    assert totals == {name: (9.0 if name == "ch05_multi_head" else 7.0) for name in S.NAMES}


def test_every_assignment_is_in_the_guide():
    text = GUIDE.read_text()
    for name in S.NAMES:
        assert f"| `{name}` | {{doc}}`{name}` |" in text


def test_student_work_is_kept_out_of_git():
    ignored = (S.ASSIGNMENTS_DIR / ".gitignore").read_text().split()
    for path in (
        "release/",
        "submitted/",
        "autograded/",
        "feedback/",
        "gradebook.db",
        "grades.csv",
    ):
        assert path in ignored


def test_every_question_has_an_answer_cell_graded_by_hand():
    nb = S.source_notebook("ch05_multi_head")
    answer = S.cell_of(nb, "heads_cost_answer")
    assert answer.cell_type == "markdown" and S.is_solution(answer) and S.is_test(answer)
    assert S.manual_tasks("ch05_multi_head") == {"heads_cost_answer": 1.0}
    question = S.cell_of(nb, "count_parameters_task").source
    assert "cell below" in question and "by hand" in question


@pytest.mark.parametrize("name", S.NAMES)
def test_every_visible_assert_says_what_it_expected(name):
    for task in S.tasks(name):
        visible = S.cell_of(S.source_notebook(name), f"{task}_tests").source
        visible = visible.split("### BEGIN HIDDEN TESTS")[0]
        asserts = [n for n in ast.walk(ast.parse(visible)) if isinstance(n, ast.Assert)]
        assert asserts, f"{name}/{task}: no visible assert"
        for node in asserts:
            assert node.msg is not None, f"{name}/{task}: {ast.unparse(node)} has no message"
