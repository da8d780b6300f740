"""A class with hostile students beside honest ones, graded in one round of `course.py grade`.

Every hostile case must gain 0 points (each task scores what it deserves), change no file outside
its sandbox, and leave every other student's score as it should be. Honest students write correct
answers differently from the instructor's solution and must get full marks.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.assignments import submissions as S

CELL_TIMEOUT_S = 20
CLASS = {**S.HONEST, **S.HOSTILE}
NAMES = sorted({name for name, _, _ in CLASS.values()})
# what a round of grading writes in the course folder (everything else must stay as it was)
OUTPUTS = (
    "autograded",
    "feedback",
    "gradebook.db",
    "grades.csv",
    "grades_by_task.csv",
    "grading_status.json",
    ".nbgrader.log",
)
MARKER_PLACES = (Path("/tmp"), Path.home(), S.ROOT)


def _tree(base: Path, course: Path) -> dict[str, str]:
    prints = {}
    for path in base.rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(course).parts if path.is_relative_to(course) else ()
        if relative and relative[0] in OUTPUTS:
            continue
        prints[str(path.relative_to(base))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return prints


def _markers() -> list[Path]:
    return [p / m for p in MARKER_PLACES for m in S.OUTSIDE_MARKERS if (p / m).exists()]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    assert not _markers(), f"remove {_markers()} before the test"
    base = tmp_path_factory.mktemp("hostile")
    course = S.make_course(base / "course", NAMES)
    released = S.course_command(course, "release", timeout_s=300)
    assert released.returncode == 0, released.stdout + released.stderr
    release = {n: S.read(course / "release" / n / f"{n}.ipynb") for n in NAMES}
    solved = {n: S.solved(release[n], n) for n in NAMES}
    for student, (name, make, _) in CLASS.items():
        S.write(course, student, name, make(release[name], solved[name], course))
    before = _tree(base, course)
    start = time.perf_counter()
    graded = S.course_command(course, "grade", timeout_s=600, cell_timeout_s=CELL_TIMEOUT_S)
    seconds = time.perf_counter() - start
    assert graded.returncode == 0, graded.stdout[-5000:] + graded.stderr[-5000:]
    after = _tree(base, course)
    totals, by_task = S.read_scores(course)
    print(f"hostile class: graded {len(totals)} submissions in {seconds:.1f} s")
    markers = _markers()
    for marker in markers:
        marker.unlink()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return SimpleNamespace(
        course=course,
        totals=totals,
        by_task=by_task,
        log=graded.stdout,
        seconds=seconds,
        changed=changed,
        markers=markers,
    )


def _page(course: Path, student: str, name: str) -> str:
    return (course / "feedback" / student / name / f"{name}.html").read_text()


class TestHostileClass:
    def test_isolation_is_reported(self, hostile):
        if shutil.which("bwrap"):
            assert "Isolation: each notebook ran under bwrap" in hostile.log, hostile.log[:2000]
        else:
            assert "WITHOUT isolation" in hostile.log

    @pytest.mark.parametrize("student", sorted(CLASS))
    def test_each_task_scores_what_it_deserves(self, hostile, student):
        name, _, deserved = CLASS[student]
        got = {task: hostile.by_task[(student, name, task)] for task in deserved}
        assert got == deserved, _page(hostile.course, student, name)[:3000]
        assert hostile.totals[(student, name)] == sum(deserved.values())

    def test_the_class_is_big_enough(self, hostile):
        assert len(hostile.totals) >= 20

    def test_no_file_outside_a_sandbox_changed(self, hostile):
        assert hostile.changed == [], "changed by student code: " + ", ".join(hostile.changed)
        assert hostile.markers == [], f"student code wrote {hostile.markers}"

    def test_no_manual_score_and_the_stored_tests_are_intact(self, hostile):
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{hostile.course / 'gradebook.db'}") as gradebook:
            for name in NAMES:
                locked = {
                    S.grade_id(c): c.source
                    for c in S.source_notebook(name).cells
                    if not S.is_solution(c)
                }
                notebook = gradebook.find_notebook(name, name)
                for cell in notebook.source_cells:
                    if cell.name in locked:
                        assert cell.source == locked[cell.name], f"{name}/{cell.name} was edited"
                for submission in gradebook.find_assignment(name).submissions:
                    for nb in submission.notebooks:
                        for grade in nb.grades:
                            assert grade.manual_score is None, (submission.student.id, grade.name)

    def test_feedback_never_shows_hidden_tests_or_the_solutions(self, hostile):
        for student, (name, _, _) in CLASS.items():
            page = _page(hostile.course, student, name)
            for line in (x for x in S.hidden_lines(name) if len(x) > 12):
                assert line not in page, f"{student}'s feedback shows a hidden test: {line!r}"
        page = _page(hostile.course, "prints_solutions", "ch01_line")
        for line in S.secret_lines("ch01_line"):
            assert line not in page, f"a solution line reached the feedback: {line!r}"

    def test_feedback_says_why_a_task_was_lost(self, hostile):
        reasons = {
            ("deleted_answer_and_test", "ch01_line"): "answer cell was missing",
            ("calls_torch_softmax", "ch04_attention"): "not to use `softmax`",
            ("ignores_interrupts", "ch01_line"): "ignored the time limit",
            ("metadata_lost", "ch01_line"): "lost its grader metadata",
        }
        for (student, name), reason in reasons.items():
            assert reason in _page(hostile.course, student, name), student

    def test_summary_feedback_and_grades_csv_agree(self, hostile):
        for (student, name), total in hostile.totals.items():
            maximum = S.max_score(name)
            assert f"{student}/{name}: {total:.1f} / {maximum:.1f}" in hostile.log
            assert f"Score: {total:.1f} / {maximum:.1f}" in _page(hostile.course, student, name)

    def test_the_round_is_fast_enough(self, hostile):
        # the bound is 3 minutes on 2 idle cores; a little slack for a busy machine
        assert hostile.seconds < 240, f"the round took {hostile.seconds:.0f} s"


# ---- without the sandbox, tampering is found and stops the round --------------------------------
def test_tampering_without_isolation_stops_and_keeps_the_grades(tmp_path):
    name = "ch01_line"
    course = S.make_course(tmp_path / "course", [name])
    assert S.course_command(course, "release", timeout_s=300).returncode == 0
    release = S.read(course / "release" / name / f"{name}.ipynb")
    solved = S.solved(release, name)
    S.write(course, "solutions", name, solved)
    first = S.course_command(course, "grade", timeout_s=300, ATTNLAB_SANDBOX="off")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "WITHOUT isolation" in first.stdout
    grades_before = (course / "grades.csv").read_text()
    S.write(
        course, "writes_gradebook", name, S.HOSTILE["writes_gradebook"][1](release, solved, course)
    )
    second = S.course_command(course, "grade", timeout_s=300, ATTNLAB_SANDBOX="off")
    assert second.returncode == 2, second.stdout + second.stderr
    assert "TAMPERING" in second.stdout and "writes_gradebook" in second.stdout
    assert "gradebook.db" in second.stdout
    assert (course / "grades.csv").read_text() == grades_before
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(name, "solutions")
        assert submission.score == 7.0
        assert all(g.manual_score is None for nb in submission.notebooks for g in nb.grades)
