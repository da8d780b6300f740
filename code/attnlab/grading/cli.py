"""The commands of `assignments/course.py`: release, grade, score (and run-cells, for the sandbox).

    python assignments/course.py release                 # nbgrader generate_assignment, all
    python assignments/course.py grade                   # grade submitted/, feedback/, grades.csv
    python assignments/course.py grade --assignment ch01_line --student alice   # regrade a part
    python assignments/course.py score alice ch05_multi_head heads_cost_answer 1  # a manual score

The course directory is the folder of course.py, or the one named by --root or $ATTNLAB_COURSE.

It may touch: what the command does (see gradebook.py, grade.py and report.py); `run-cells` runs
cells in the current process, as the sandbox's copy of runner.py does.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from attnlab.grading import gradebook, report
from attnlab.grading.grade import grade
from attnlab.grading.runner import run_cells

DESCRIPTION = "Release and grade the course's assignments (`make assignments`, `make grade`)."


def main(argv: list[str] | None = None, default_root: Path | None = None) -> int:
    """Run one command; returns the exit status (2: grading stopped on tampering)."""
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("command", choices=["release", "grade", "score", "run-cells"])
    parser.add_argument("args", nargs="*")
    default = os.environ.get("ATTNLAB_COURSE") or default_root or Path.cwd()
    parser.add_argument("--root", type=Path, default=default)
    parser.add_argument("--assignment", help="grade only this assignment")
    parser.add_argument("--student", help="grade only this student")
    args = parser.parse_args(argv)
    if args.command == "run-cells":  # inside the sandbox
        run_cells(Path(args.args[0]))
        return 0
    root = Path(args.root).resolve()
    if not (root / "nbgrader_config.py").exists():
        raise SystemExit(f"{root} is not a course directory (no nbgrader_config.py)")
    if args.command == "release":
        gradebook.release(root)
        return 0
    if args.command == "score":
        student, name, task, points = args.args
        gradebook.set_manual_score(root, student, name, task, float(points))
        report.export(root, report.load_status(root))
        return 0
    return grade(root, args.assignment, args.student)
