"""Release and grade the course's assignments with nbgrader (`make assignments`, `make grade`).

    python assignments/course.py release   # nbgrader generate_assignment for every assignment
    python assignments/course.py grade     # autograde submitted/, write feedback/, grades.csv

The course directory is this folder, or the one named by --root or $ATTNLAB_COURSE. Grading
goes on when one student's notebook cannot be graded at all (not a notebook, a kernel that died):
that student gets 0 for it, a feedback page that says why, and a line in the summary.
"""

from __future__ import annotations

import argparse
import csv
import html
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def nbgrader(root: Path, *args: str) -> int:
    """Run one nbgrader command in the course directory; returns its exit status."""
    env = dict(os.environ)
    # nbgrader calls `alembic` (its database migrations) by name: it must be on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [sys.executable, "-m", "nbgrader", *args]
    print("$ nbgrader " + " ".join(args), flush=True)
    return subprocess.run(command, cwd=root, env=env).returncode


def assignments(root: Path) -> list[str]:
    """The assignments of the course: one folder each under source/."""
    return sorted(p.name for p in (root / "source").iterdir() if (p / f"{p.name}.ipynb").is_file())


def release(root: Path, names: list[str] | None = None) -> None:
    """Generate the student versions (no solutions, no hidden tests) into release/."""
    for name in names or assignments(root):
        if nbgrader(root, "generate_assignment", name, "--force") != 0:
            raise SystemExit(f"nbgrader could not generate the student version of {name}")
    print(f"Student versions are in {root / 'release'}")


def _in_gradebook(root: Path, name: str) -> bool:
    from nbgrader.api import Gradebook, MissingEntry

    if not (root / "gradebook.db").exists():
        return False
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        try:
            gradebook.find_assignment(name)
        except MissingEntry:
            return False
    return True


def _submissions(root: Path, name: str) -> list[str]:
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(s.name for s in submitted.iterdir() if (s / name).is_dir())


def _failure_page(student: str, name: str, reason: str) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(name)}: feedback</title></head><body>"
        f"<h1>{html.escape(name)}: feedback for {html.escape(student)}</h1>"
        f"<p><strong>Score: 0</strong>. Your notebook could not be graded: {html.escape(reason)}</p>"
        "<p>Open the notebook in Jupyter, use <em>Kernel &rarr; Restart and Run All</em>, check "
        "that it opens and runs, and hand it in again (or ask your teacher).</p></body></html>\n"
    )


def _diagnose(path: Path) -> str:
    import nbformat

    if not path.exists():
        return f"the file {path.name} was not in your submission (was it renamed?)"
    try:
        nbformat.read(path, as_version=4)
    except Exception as error:  # any reason the file is not a notebook
        return f"{path.name} is not a readable Jupyter notebook ({type(error).__name__})"
    return "running it stopped the grader (did a cell end the Python process, or use all memory?)"


def grade(root: Path) -> list[str]:
    """Autograde every submitted/<student>/<assignment>/, write feedback and the grade tables.

    Returns the problems found (submissions that could not be graded at all).
    """
    problems = []
    for name in assignments(root):
        students = _submissions(root, name)
        if not students:
            continue
        if not _in_gradebook(root, name):
            release(root, [name])
        nbgrader(root, "autograde", name, "--force")  # a failed student does not stop the rest
        nbgrader(root, "generate_feedback", name, "--force")
        for student in students:
            notebook = f"{name}.ipynb"
            if (root / "autograded" / student / name / notebook).exists():
                continue
            reason = _diagnose(root / "submitted" / student / name / notebook)
            problems.append(f"{student}/{name}: {reason}")
            page = root / "feedback" / student / name / f"{name}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(_failure_page(student, name, reason))
    if nbgrader(root, "export", "--to", str(root / "grades.csv")) != 0:
        raise SystemExit("nbgrader export failed")
    rows = task_scores(root)
    with open(root / "grades_by_task.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, ["student", "assignment", "task", "score", "max_score"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"Grades: {root / 'grades.csv'} (per task: {root / 'grades_by_task.csv'})")
    print(f"Feedback for each student: {root / 'feedback'}/<student>/<assignment>/")
    for problem in problems:
        print(f"NOT GRADED (scored 0): {problem}")
    return problems


def task_scores(root: Path) -> list[dict]:
    """One row per student, assignment and graded task, read from the gradebook."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for cell in notebook.grades:
                        rows.append(
                            {
                                "student": submission.student.id,
                                "assignment": assignment.name,
                                "task": cell.name.removesuffix("_tests"),
                                "score": float(cell.score or 0.0),
                                "max_score": float(cell.max_score),
                            }
                        )
    return sorted(rows, key=lambda r: (r["assignment"], r["student"], r["task"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["release", "grade"])
    parser.add_argument("--root", type=Path, default=os.environ.get("ATTNLAB_COURSE") or HERE)
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    if not (root / "nbgrader_config.py").exists():
        raise SystemExit(f"{root} is not a course directory (no nbgrader_config.py)")
    if args.command == "release":
        release(root)
    else:
        grade(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
