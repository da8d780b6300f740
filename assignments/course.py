"""Release and grade the course's assignments (`make assignments`, `make grade`).

    python assignments/course.py release                 # nbgrader generate_assignment, all
    python assignments/course.py grade                   # grade submitted/, feedback/, grades.csv
    python assignments/course.py grade --assignment ch01_line --student alice   # regrade a part
    python assignments/course.py score alice ch05_multi_head heads_cost_answer 1  # a manual score

The course directory is this folder, or the one named by --root or $ATTNLAB_COURSE.

The grader itself is the package `attnlab.grading` (code/attnlab/grading/, installed with the
course package, so that a copy of this file in another course folder works too); its README says
which file does what, and book/teachers_guide.md explains a round of grading.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    from attnlab.grading.cli import main
except ModuleNotFoundError as missing:  # the grader is part of the course package
    raise SystemExit(
        f"course.py needs the course package attnlab ({missing}): run `make setup`, or "
        "`pip install ./code` from the repository, in the Python you grade with"
    ) from missing

if __name__ == "__main__":
    sys.exit(main(default_root=Path(__file__).resolve().parent))
