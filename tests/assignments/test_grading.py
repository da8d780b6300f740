"""Grade real submissions with real nbgrader and check the exported scores and feedback.

One class per assignment (pytest-xdist's --dist loadscope runs each on one worker): release it
into a fresh course directory, hand in the instructor's solutions, the untouched release and one
planted mistake per task, grade them all with assignments/course.py, then assert the grades.
TestRobustness goes through `make assignments` and `make grade` with the submissions a class of
200 students will hand in.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.assignments import submissions as S

# Short per-cell time limit for the tests (the teacher's default is 60 s): long enough for
# `import torch` on a busy 2-core machine, short enough that the endless loop costs little.
CELL_TIMEOUT_S = 20
MAX_FEEDBACK_BYTES = 1_000_000


def _grade_course(tmp: Path, name: str) -> SimpleNamespace:
    course = S.make_course(tmp, [name])
    released = S.course_command(course, "release", timeout_s=300)
    assert released.returncode == 0, released.stdout + released.stderr
    release = S.read(course / "release" / name / f"{name}.ipynb")
    solved = S.solved(release, name)
    S.write(course, "solutions", name, solved)
    S.write(course, "untouched", name, release)
    for task in S.WRONG[name]:
        S.write(course, f"wrong_{task}", name, S.with_wrong(solved, name, task))
    S.write(course, "written_differently", name, S._answers(release, S.ALTERNATIVE[name]))
    start = time.perf_counter()
    graded = S.course_command(course, "grade", timeout_s=600, cell_timeout_s=CELL_TIMEOUT_S)
    seconds = time.perf_counter() - start
    assert graded.returncode == 0, graded.stdout + graded.stderr
    totals, by_task = S.read_scores(course)
    return SimpleNamespace(
        course=course, name=name, totals=totals, by_task=by_task, log=graded.stdout, seconds=seconds
    )


def _feedback(course: Path, student: str, name: str) -> str:
    page = course / "feedback" / student / name / f"{name}.html"
    assert page.exists(), f"no feedback page for {student}"
    assert page.stat().st_size < MAX_FEEDBACK_BYTES, f"{student}'s feedback is too big to read"
    return page.read_text()


@pytest.fixture(scope="class")
def graded(request, tmp_path_factory):
    """The class's assignment, released and graded once for all its tests."""
    name = request.cls.name
    result = _grade_course(tmp_path_factory.mktemp(name), name)
    print(f"{name}: graded {len(result.totals)} submissions in {result.seconds:.1f} s")
    return result


class _GradedAssignment:
    name: str

    def test_release_contains_no_solution_and_no_hidden_test(self, graded):
        path = graded.course / "release" / self.name / f"{self.name}.ipynb"
        raw = path.read_text()
        released = "\n".join(cell.source for cell in S.read(path).cells)
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in raw, f"{marker} left in the student version"
        secret = S.secret_lines(self.name)
        assert len(secret) >= 3 * len(S.tasks(self.name)), "too few solution lines were found"
        for line in secret:
            assert line not in released, f"the student version leaks: {line!r}"

    def test_release_keeps_visible_tests_and_stubs(self, graded):
        release = S.read(graded.course / "release" / self.name / f"{self.name}.ipynb")
        for task in S.tasks(self.name):
            assert "raise NotImplementedError" in S.cell_of(release, task).source
            assert "assert" in S.cell_of(release, f"{task}_tests").source

    def test_solutions_get_full_marks(self, graded):
        tasks = S.tasks(self.name)
        for task, points in tasks.items():
            assert graded.by_task[("solutions", self.name, task)] == points, task
        assert graded.totals[("solutions", self.name)] == sum(tasks.values())

    def test_correct_answers_written_differently_get_full_marks(self, graded):
        for task, points in S.tasks(self.name).items():
            got = graded.by_task[("written_differently", self.name, task)]
            assert got == points, _feedback(graded.course, "written_differently", self.name)

    def test_untouched_release_scores_zero_without_crashing(self, graded):
        assert graded.totals[("untouched", self.name)] == 0
        assert (graded.course / "autograded" / "untouched" / self.name).is_dir()
        assert "NotImplementedError" in _feedback(graded.course, "untouched", self.name)

    def test_each_planted_mistake_costs_exactly_its_task(self, graded):
        tasks = S.tasks(self.name)
        for wrong in S.WRONG[self.name]:
            student = f"wrong_{wrong}"
            for task, points in tasks.items():
                expected = 0.0 if task == wrong else points
                got = graded.by_task[(student, self.name, task)]
                assert got == expected, f"{student}: task {task} scored {got}, expected {expected}"
            assert graded.totals[(student, self.name)] == sum(tasks.values()) - tasks[wrong]

    def test_every_student_gets_a_readable_feedback_page(self, graded):
        for student, name in graded.totals:
            page = _feedback(graded.course, student, name)
            total = graded.totals[(student, name)]
            assert re.search(rf"Score: {total:.1f} / {S.max_score(name):.1f}", page)


class TestCh01Line(_GradedAssignment):
    name = "ch01_line"


class TestCh02Hinge(_GradedAssignment):
    name = "ch02_hinge"


class TestCh03NextToken(_GradedAssignment):
    name = "ch03_next_token"


class TestCh04Attention(_GradedAssignment):
    name = "ch04_attention"


class TestCh05MultiHead(_GradedAssignment):
    name = "ch05_multi_head"


class TestCh06CopyingNames(_GradedAssignment):
    name = "ch06_copying_names"


class TestCh07Name(_GradedAssignment):
    name = "ch07_name"


def test_every_assignment_is_tested():
    tested = {cls.name for cls in _GradedAssignment.__subclasses__()}
    assert tested == set(S.NAMES)
    assert set(S.WRONG) == set(S.NAMES)
    for name in S.NAMES:
        assert set(S.WRONG[name]) == set(S.tasks(name)), f"{name}: one planted mistake per task"


# ---- robustness: through the two documented commands ----------------------------------------------
NAME = "ch01_line"


def _make(target: str, course: Path, timeout_s: int) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        ATTNLAB_COURSE=str(course), ATTNLAB_CELL_TIMEOUT=str(CELL_TIMEOUT_S), OMP_NUM_THREADS="1"
    )
    # -o: the venv is already set up (the test runs inside it); do not reinstall it.
    command = ["make", "-s", "-o", ".venv/.attnlab-installed", target]
    return subprocess.run(
        command, cwd=S.ROOT, env=env, capture_output=True, text=True, timeout=timeout_s
    )


@pytest.fixture(scope="class")
def robust(tmp_path_factory):
    """Assignment 1 through `make assignments` and `make grade`, with every kind of submission."""
    course = S.make_course(tmp_path_factory.mktemp("robustness"), [NAME])
    released = _make("assignments", course, timeout_s=300)
    assert released.returncode == 0, released.stdout + released.stderr
    solved = S.solved(S.read(course / "release" / NAME / f"{NAME}.ipynb"), NAME)
    for student, (make_submission, _) in S.ROBUSTNESS.items():
        S.write(course, student, NAME, make_submission(solved))
    lms = course / "submitted" / "lms_renamed" / NAME / f"{NAME} (1).ipynb"
    lms.parent.mkdir(parents=True)
    S.nbformat.write(solved, lms)
    broken = course / "submitted" / "not_a_notebook" / NAME / f"{NAME}.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [ this is not JSON')
    renamed = course / "submitted" / "file_renamed" / NAME / "Untitled.ipynb"
    renamed.parent.mkdir(parents=True)
    S.nbformat.write(solved, renamed)
    start = time.perf_counter()
    graded = _make("grade", course, timeout_s=600)
    seconds = time.perf_counter() - start
    assert graded.returncode == 0, graded.stdout + graded.stderr
    totals, by_task = S.read_scores(course)
    print(f"robustness: graded {len(totals)} submissions in {seconds:.1f} s")
    return SimpleNamespace(course=course, totals=totals, by_task=by_task, log=graded.stdout)


class TestRobustness:
    @pytest.mark.parametrize("student", sorted(S.ROBUSTNESS))
    def test_expected_score(self, robust, student):
        expected = S.ROBUSTNESS[student][1]
        got = {task: robust.by_task[(student, NAME, task)] for task in expected}
        assert got == expected
        assert robust.totals[(student, NAME)] == sum(expected.values())

    @pytest.mark.parametrize("student", ["not_a_notebook", "file_renamed"])
    def test_ungradable_submission_is_reported_as_not_graded_not_zero(self, robust, student):
        assert robust.totals[(student, NAME)] is None, "not graded is no score, not 0"
        assert S.read_status(robust.course)[(student, NAME)].startswith("not graded: ")
        assert f"NOT GRADED: {student}/{NAME}" in robust.log
        page = _feedback(robust.course, student, NAME)
        assert "could not be graded" in page and "NOT GRADED" in page and "Score:" not in page

    def test_lms_renamed_file_is_graded(self, robust):
        assert robust.totals[("lms_renamed", NAME)] == 7.0
        assert "renamed" in _feedback(robust.course, "lms_renamed", NAME)

    def test_kernel_death_costs_only_its_task(self, robust):
        assert "ended while this cell ran" in _feedback(robust.course, "kernel_dies", NAME)

    def test_every_submission_has_a_row_in_grades_csv(self, robust):
        students = {s for s, _ in robust.totals}
        assert students == set(S.ROBUSTNESS) | {"not_a_notebook", "file_renamed", "lms_renamed"}

    def test_summary_feedback_and_grades_csv_agree(self, robust):
        for (student, name), total in robust.totals.items():
            if total is None:
                continue
            assert f"{student}/{name}: {total:.1f} / 7.0" in robust.log
            assert f"Score: {total:.1f} / 7.0" in _feedback(robust.course, student, name)

    def test_endless_loop_is_stopped_and_explained(self, robust):
        page = _feedback(robust.course, "endless_loop", NAME)
        assert f"ran for more than {CELL_TIMEOUT_S} s and was stopped" in page

    def test_megabytes_of_output_are_cut(self, robust):
        page = _feedback(robust.course, "prints_megabytes", NAME)
        assert "cut by the grader" in page
        assert "CellTimeoutError" not in page, "printing must not have hit the cell time limit"

    def test_deleted_test_cell_is_put_back(self, robust):
        assert "was missing from the submission" in _feedback(
            robust.course, "test_cell_deleted", NAME
        )

    def test_every_gradable_submission_gets_feedback(self, robust):
        for student in S.ROBUSTNESS:
            assert "Score:" in _feedback(robust.course, student, NAME)

    def test_a_score_by_hand_survives_a_regrade_of_one_student(self, robust):
        # the last test of the class: it changes the course
        course, student = robust.course, "first_cell_raises"
        scored = S.course_command(course, "score", 60, args=(student, NAME, "mse", "1"))
        assert scored.returncode == 0, scored.stdout + scored.stderr
        stamp = course / "submitted" / student / NAME / "timestamp.txt"
        stamp.write_text("2026-03-02 10:15:00 UTC\n")
        again = S.course_command(
            course, "grade", 300, CELL_TIMEOUT_S, args=("--assignment", NAME, "--student", student)
        )
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Graded 1 submission(s)" in again.stdout
        totals, by_task = S.read_scores(course)
        assert by_task[(student, NAME, "mse")] == 1.0 and totals[(student, NAME)] == 6.0
        assert totals[("imports_cell_edited", NAME)] == 7.0, "the others are as they were"
        assert "score set by hand" in _feedback(course, student, NAME)
        assert "2026-03-02 10:15:00" in (course / "grades.csv").read_text()
