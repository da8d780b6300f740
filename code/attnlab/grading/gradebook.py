"""The gradebook: nbgrader's commands, the scores it keeps, and the stop when a file was tampered with.

nbgrader makes the student versions (`release`) and keeps gradebook.db; it never runs student
code here. Scores reach gradebook.db from the grading process only (`store_scores`), and a score
set by hand (`set_manual_score`) wins over the autograder in every later round.

Before any score of a round is written, `fingerprint` (SHA-256 of every protected file: the
gradebook, source/, release/, submitted/, the configuration, course.py and this package's code)
and `manual_scores` are compared with their state before an assignment's notebooks ran. If
anything changed, `stop` puts gradebook.db back from the copy taken then and names the student(s)
whose notebooks ran meanwhile. Under bwrap no notebook can reach these files; without it, this
check is what finds a notebook that did.

It may touch: gradebook.db and its backup copy .gradebook.before-grading.db in the course folder;
it starts `python -m nbgrader` (generate_assignment) as a child process, which writes release/.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from attnlab.grading.rebuild import Cell
from attnlab.grading.score import Graded

if TYPE_CHECKING:
    from nbgrader.api import Gradebook

PROTECTED = ("gradebook.db", "source", "release", "submitted", "nbgrader_config.py", "course.py")
PACKAGE = Path(__file__).resolve().parent  # the grader's own code is protected too


def nbgrader(root: Path, *args: str, quiet: bool = False) -> int:
    """Run one nbgrader command in the course directory; returns its exit status."""
    env = dict(os.environ)
    # nbgrader calls `alembic` (its database migrations) by name: it must be on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [sys.executable, "-m", "nbgrader", *args]
    print("$ nbgrader " + " ".join(args), flush=True)
    output = subprocess.PIPE if quiet else None
    done = subprocess.run(command, cwd=root, env=env, stdout=output, stderr=output, text=True)
    if done.returncode != 0 and quiet:
        print(done.stdout[-3000:], done.stderr[-3000:])
    return done.returncode


def assignments(root: Path) -> list[str]:
    """The assignments of the course: one folder each under source/."""
    return sorted(p.name for p in (root / "source").iterdir() if (p / f"{p.name}.ipynb").is_file())


def release(root: Path, names: list[str] | None = None) -> None:
    """Generate the student versions (no solutions, no hidden tests) into release/."""
    for name in names or assignments(root):
        if nbgrader(root, "generate_assignment", name, "--force") != 0:
            raise SystemExit(f"nbgrader could not generate the student version of {name}")
    print(f"Student versions are in {root / 'release'}")


def open_gradebook(root: Path) -> Gradebook:
    """nbgrader's gradebook of the course (gradebook.db), to use in a `with` block."""
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{root / 'gradebook.db'}")


def in_gradebook(root: Path, name: str) -> bool:
    """Does the gradebook know assignment `name` (was it released)?"""
    from nbgrader.api import MissingEntry

    if not (root / "gradebook.db").exists():
        return False
    with open_gradebook(root) as gradebook:
        try:
            gradebook.find_assignment(name)
        except MissingEntry:
            return False
    return True


# ---- the protected files of the course ------------------------------------------------------------
def fingerprint(root: Path) -> dict[str, str]:
    """{path: SHA-256} of every protected file of the course, and of the grader's own code."""
    prints = {}
    for name in PROTECTED:
        path = root / name
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for p in paths:
            if p.is_file():
                prints[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    for p in sorted(PACKAGE.glob("*.py")):
        prints[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return prints


def changed(before: dict, after: dict) -> list[str]:
    """The paths whose fingerprint differs (or that appeared or went)."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def manual_scores(root: Path) -> dict:
    """{(student, assignment, grade cell): score} of every score set by hand."""
    if not (root / "gradebook.db").exists():
        return {}
    scores = {}
    with open_gradebook(root) as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.manual_score is not None:
                            scores[(submission.student.id, assignment.name, grade.name)] = (
                                grade.manual_score
                            )
    return scores


def stored_cells_differ(root: Path, name: str, spec: list[Cell]) -> list[str]:
    """The read-only cells whose copy in the gradebook is not the one in source/."""
    from nbgrader.api import MissingEntry

    locked = {c.grade_id: c.source for c in spec if c.role in ("locked", "test")}
    with open_gradebook(root) as gradebook:
        try:
            notebook = gradebook.find_notebook(name, name)
        except MissingEntry:
            return []
        return sorted(
            c.name for c in notebook.source_cells if c.name in locked and c.source != locked[c.name]
        )


def stop(root: Path, backup: Path, name: str, suspects: list[str], changed: list[str]) -> int:
    """Tampering: gradebook.db back as it was, what changed and who ran; exit status 2."""
    shutil.copy(backup, root / "gradebook.db")
    backup.unlink(missing_ok=True)
    print(
        f"TAMPERING while grading {name}: a protected file changed during the run of "
        f"{', '.join(suspects)}:"
    )
    for path in changed[:20]:
        print(f"    {path}")
    print(
        "Grading stopped. gradebook.db is as it was before this round; no grade of this round "
        "was written. Restore the other changed files (source/ from git, submitted/ from your "
        "copy) and grade again without that student's notebook."
    )
    return 2


def store_scores(root: Path, item: Graded) -> None:
    """The scores into the gradebook (never a manual score); a score set by hand wins in item."""
    from nbgrader.api import MissingEntry

    with open_gradebook(root) as gradebook:
        gradebook.update_or_create_student(item.student)
        if item.status.startswith("graded"):
            stamp = {"timestamp": item.timestamp} if item.timestamp else {}
            with warnings.catch_warnings():  # nbgrader's own SQLAlchemy warnings on a new one
                warnings.simplefilter("ignore")
                gradebook.update_or_create_submission(item.assignment, item.student, **stamp)
            for task in item.tasks:
                cell = task.task if task.manual else f"{task.task}_tests"
                try:
                    grade = gradebook.find_grade(
                        cell, item.assignment, item.assignment, item.student
                    )
                except MissingEntry:
                    continue
                grade.auto_score = task.score
                grade.needs_manual_grade = task.score is None and grade.manual_score is None
            gradebook.db.commit()
            for task in item.tasks:  # what the gradebook counts (a manual score wins)
                cell = task.task if task.manual else f"{task.task}_tests"
                with contextlib.suppress(MissingEntry):
                    grade = gradebook.find_grade(
                        cell, item.assignment, item.assignment, item.student
                    )
                    if grade.manual_score is not None:
                        task.score = float(grade.manual_score)
                        task.reason += f" (score set by hand: {grade.manual_score:g})"
        # not graded: an earlier graded submission stays in the gradebook (with any score set
        # by hand); grades.csv shows this round's status and no score


def set_manual_score(root: Path, student: str, name: str, task: str, points: float) -> None:
    """A score by hand for one task (`course.py score`); later rounds keep it."""
    from nbgrader.api import MissingEntry

    with open_gradebook(root) as gradebook:
        for cell in (task, f"{task}_tests"):
            try:
                grade = gradebook.find_grade(cell, name, name, student)
            except MissingEntry:
                continue
            if points > grade.max_score:
                raise SystemExit(f"{task} is worth at most {grade.max_score:g} points")
            grade.manual_score = points
            grade.needs_manual_grade = False
            gradebook.db.commit()
            print(f"{student}/{name}/{task}: {points:g} (by hand; a later `make grade` keeps it)")
            break
        else:
            raise SystemExit(f"no graded submission of {name} by {student} with a task {task}")
