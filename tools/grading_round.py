"""One full round of grading, recorded, so that a change to the grader can be shown to change nothing.

    .venv/bin/python tools/grading_round.py run OUT     # grade the round, keep what it wrote in OUT
    .venv/bin/python tools/grading_round.py normalise OUT   # OUT/normalised: timestamps replaced
    diff -r BEFORE/normalised AFTER/normalised

The round is built from the submissions of tests/assignments (submissions.py) and graded with
`course.py` exactly as the assignment tests grade it, in three course folders:

- `classroom`: every assignment; for each, the instructor's solutions, the untouched release, one
  planted mistake per task and correct answers written differently; on ch01_line also the
  robustness cases (endless loop, deleted cells, megabytes of output, a dying kernel, a file that
  is not a notebook, renamed files); then a score given by hand and a regrade of that student, and
  a regrade of one student with ATTNLAB_FEEDBACK_SHOW_HIDDEN=1;
- `hostile`: the class of honest and hostile students of test_hostile.py;
- `tampering`: a round without the sandbox in which a notebook writes to the gradebook (stops).

The courses are built in a fixed folder (--work, /tmp/attnlab-grading-round by default) because
some submissions name the course's path in their code, which the feedback pages show. OUT gets
grades.csv, grades_by_task.csv, grading_status.json, every feedback page, every graded notebook,
the gradebook's scores as JSON and each command's output. `normalise` replaces only what differs
between two runs of the same code: timestamps (dates and times, the seconds a round took), the
random name of a sandbox's folder (which a notebook may print) and the random cell ids that
nbformat gives each cell of a graded notebook (`"id": "1a2b3c4d"`).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.assignments import submissions as S  # noqa: E402

CELL_TIMEOUT_S = 20  # as in the assignment tests
KEPT = ("grades.csv", "grades_by_task.csv", "grading_status.json")
FOLDERS = ("feedback", "autograded")


def _command(course: Path, log: Path, *args: str, timeout_s: int = 900, **env: str) -> int:
    command, rest = args[0], tuple(args[1:])
    done = S.course_command(
        course, command, timeout_s=timeout_s, cell_timeout_s=CELL_TIMEOUT_S, args=rest, **env
    )
    with open(log, "a") as handle:
        handle.write(f"$ course.py {' '.join(args)} (exit status {done.returncode})\n")
        handle.write(done.stdout)
        handle.write("-- stderr --\n" + done.stderr + "\n")
    print(f"  course.py {' '.join(args)}: exit status {done.returncode}", flush=True)
    return done.returncode


def _released(course: Path, names: list[str], log: Path) -> dict:
    if _command(course, log, "release") != 0:
        raise SystemExit(f"release failed: see {log}")
    return {n: S.read(course / "release" / n / f"{n}.ipynb") for n in names}


def classroom(course: Path, log: Path) -> None:
    """test_grading.py's submissions for every assignment, and its robustness cases."""
    names = list(S.NAMES)
    S.make_course(course, names)
    release = _released(course, names, log)
    for name in names:
        solved = S.solved(release[name], name)
        S.write(course, "solutions", name, solved)
        S.write(course, "untouched", name, release[name])
        for task in S.WRONG[name]:
            S.write(course, f"wrong_{task}", name, S.with_wrong(solved, name, task))
        S.write(course, "written_differently", name, S._answers(release[name], S.ALTERNATIVE[name]))
    name = "ch01_line"
    solved = S.solved(release[name], name)
    for student, (make_submission, _) in S.ROBUSTNESS.items():
        S.write(course, student, name, make_submission(solved))
    lms = course / "submitted" / "lms_renamed" / name / f"{name} (1).ipynb"
    lms.parent.mkdir(parents=True)
    S.nbformat.write(solved, lms)
    broken = course / "submitted" / "not_a_notebook" / name / f"{name}.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [ this is not JSON')
    renamed = course / "submitted" / "file_renamed" / name / "Untitled.ipynb"
    renamed.parent.mkdir(parents=True)
    S.nbformat.write(solved, renamed)
    late = course / "submitted" / "wrong_mse" / name / "timestamp.txt"
    late.write_text("2026-03-02 10:15:00 UTC\n")
    _command(course, log, "grade")
    shutil.copy(course / "grades.csv", course / "grades.first-round.csv")
    _command(course, log, "score", "first_cell_raises", name, "mse", "1")
    _command(course, log, "score", "untouched", "ch05_multi_head", "heads_cost_answer", "1")
    _command(course, log, "grade", "--assignment", name, "--student", "first_cell_raises")
    _command(
        course,
        log,
        "grade",
        "--assignment",
        "ch04_attention",
        "--student",
        "wrong_attention",
        ATTNLAB_FEEDBACK_SHOW_HIDDEN="1",
    )


def hostile(course: Path, log: Path) -> None:
    """test_hostile.py's class of honest and hostile students, in one round."""
    everyone = {**S.HONEST, **S.HOSTILE}
    names = sorted({name for name, _, _ in everyone.values()})
    S.make_course(course, names)
    release = _released(course, names, log)
    solved = {n: S.solved(release[n], n) for n in names}
    for student, (name, make, _) in everyone.items():
        S.write(course, student, name, make(release[name], solved[name], course))
    _command(course, log, "grade")


def tampering(course: Path, log: Path) -> None:
    """Without the sandbox: a clean round, then a notebook that writes to the gradebook."""
    name = "ch01_line"
    S.make_course(course, [name])
    release = _released(course, [name], log)[name]
    solved = S.solved(release, name)
    S.write(course, "solutions", name, solved)
    _command(course, log, "grade", ATTNLAB_SANDBOX="off")
    attack = S.HOSTILE["writes_gradebook"][1](release, solved, course)
    S.write(course, "writes_gradebook", name, attack)
    _command(course, log, "grade", ATTNLAB_SANDBOX="off")


def gradebook_scores(course: Path) -> list[dict]:
    """Every grade in gradebook.db: the scores the grader wrote there."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        rows.append(
                            {
                                "student": submission.student.id,
                                "assignment": assignment.name,
                                "timestamp": str(submission.timestamp),
                                "grade": grade.name,
                                "auto_score": grade.auto_score,
                                "manual_score": grade.manual_score,
                                "needs_manual_grade": grade.needs_manual_grade,
                            }
                        )
    return sorted(rows, key=lambda r: (r["assignment"], r["student"], r["grade"]))


def keep(course: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in (*KEPT, "grades.first-round.csv"):
        if (course / name).exists():
            shutil.copy(course / name, out / name)
    for folder in FOLDERS:
        if (course / folder).is_dir():
            shutil.copytree(course / folder, out / folder)
    scores = json.dumps(gradebook_scores(course), indent=1, sort_keys=True)
    (out / "gradebook_scores.json").write_text(scores + "\n")


def run(out: Path, work: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty")
    for name, build in (("classroom", classroom), ("hostile", hostile), ("tampering", tampering)):
        course = work / name
        shutil.rmtree(course, ignore_errors=True)
        (out / name).mkdir(parents=True)
        print(f"{name}: {course}", flush=True)
        build(course, out / name / "commands.log")
        keep(course, out / name)


# dates and times (2026-12-07 14:30:01.123456, with a zone or not), the seconds a round took, and
# the random folder of a sandbox (a notebook may print it)
TIMES = [
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?( ?(UTC|[+-]\d\d:?\d\d))?"), "<TIME>"),
    (re.compile(r"submission\(s\) in \d+ s\."), "submission(s) in <N> s."),
    (re.compile(r"attnlab-grade-[A-Za-z0-9_]+"), "attnlab-grade-<TMP>"),
]
CELL_ID = (re.compile(r'^( *"id": )"[0-9a-f]{8}",$', re.M), r'\1"<RANDOM>",')  # nbformat's


def normalise(out: Path) -> None:
    target = out / "normalised"
    shutil.rmtree(target, ignore_errors=True)
    for path in sorted(out.rglob("*")):
        if not path.is_file() or target in path.parents:
            continue
        text = path.read_text(errors="replace")
        for pattern, replacement in TIMES:
            text = pattern.sub(replacement, text)
        if path.suffix == ".ipynb":
            text = CELL_ID[0].sub(CELL_ID[1], text)
        copy = target / path.relative_to(out)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "normalise"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/attnlab-grading-round"))
    args = parser.parse_args()
    if args.command == "run":
        run(args.out.resolve(), args.work.resolve())
    normalise(args.out.resolve())


if __name__ == "__main__":
    main()
