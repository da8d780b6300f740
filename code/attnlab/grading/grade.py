"""One round of grading: every submission of every assignment, from submitted/ to grades.csv.

For each assignment with submissions: release it into the gradebook if nbgrader does not know it
yet, read it from source/, run the instructor's solution for the expected results, then for each
student rebuild their notebook (`rebuild.py`), run it in the sandbox (`sandbox.py`, two at a time
when sealed, one at a time when not) and score it (`score.py`). After every notebook the
protected files are fingerprinted again (`gradebook.py`): a change stops the round before any
score of the assignment is written. Then the scores go to gradebook.db and the pages to feedback/
(`report.py`), and at the end grades.csv and the summary.

It may touch: everything the modules it calls may touch; itself it only orders the work.
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from attnlab.grading import gradebook, report
from attnlab.grading.rebuild import (
    Cell,
    build_run,
    exercise_cases,
    find_notebook,
    read_assignment,
    read_submission,
    submission_time,
)
from attnlab.grading.sandbox import execute, isolation
from attnlab.grading.score import Graded, reference_results, score_run


def grade_one(root: Path, name: str, spec: list[Cell], reference: dict, student: str) -> Graded:
    """One student's submission of one assignment: found, rebuilt, run and scored."""
    folder = root / "submitted" / student / name
    path, note = find_notebook(folder, name)
    stamp = submission_time(folder)
    if path is None:
        return Graded(student, name, [], f"not graded: {note}", [], timestamp=stamp)
    nb, problem = read_submission(path)
    if nb is None:
        return Graded(student, name, [], f"not graded: {problem}", [], timestamp=stamp)
    run = build_run(spec, nb)
    run.cases = exercise_cases(name)
    results = execute(run, folder, root, f"{student}/{name}")
    tasks = score_run(spec, run, results, reference)
    notes = [note] if note else []
    return Graded(student, name, tasks, "graded", notes, run, results, stamp)


def _submissions(root: Path, name: str) -> list[str]:
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(s.name for s in submitted.iterdir() if (s / name).is_dir())


def grade(root: Path, only_assignment: str | None = None, only_student: str | None = None) -> int:
    """Grade submitted/<student>/<assignment>/; returns the exit status (0, or 2 on tampering)."""
    start = time.perf_counter()
    sealed, how = isolation()
    print(f"Isolation: {how}." if sealed else f"WARNING: this round ran WITHOUT isolation: {how}.")
    jobs = 2 if sealed else 1  # unsealed, one at a time: a changed file points at one student
    status = report.load_status(root)
    graded_now: list[Graded] = []
    for name in gradebook.assignments(root):
        if only_assignment and name != only_assignment:
            continue
        students = [s for s in _submissions(root, name) if not only_student or s == only_student]
        if not students:
            continue
        if not gradebook.in_gradebook(root, name):
            gradebook.release(root, [name])
        spec = read_assignment(root, name)
        edited = gradebook.stored_cells_differ(root, name, spec)
        if edited:
            print(
                f"NOTE: the gradebook's stored copy of {', '.join(edited)} differs from "
                f"source/{name} (edited by hand, or by a notebook graded without isolation). "
                f"Grading uses source/; `nbgrader generate_assignment {name} --force` "
                "refreshes the gradebook."
            )
        reference = reference_results(root, name, spec)
        backup = root / ".gradebook.before-grading.db"
        shutil.copy(root / "gradebook.db", backup)
        before, manual_before = gradebook.fingerprint(root), gradebook.manual_scores(root)
        graded: list[Graded] = []
        if jobs == 1:  # one at a time: a changed file points at exactly one student
            for student in students:
                graded.append(grade_one(root, name, spec, reference, student))
                changed = gradebook.changed(before, gradebook.fingerprint(root))
                if changed:
                    return gradebook.stop(root, backup, name, [student], changed)
        else:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                running = [
                    (pool.submit(grade_one, root, name, spec, reference, s), s) for s in students
                ]
                for number, (future, _) in enumerate(running):
                    graded.append(future.result())
                    changed = gradebook.changed(before, gradebook.fingerprint(root))
                    if changed:  # this student or one that ran beside it
                        suspects = [s for f, s in running[number:] if f.running() or f.done()]
                        pool.shutdown(wait=True, cancel_futures=True)
                        return gradebook.stop(root, backup, name, suspects, changed)
        if gradebook.manual_scores(root) != manual_before:
            return gradebook.stop(root, backup, name, students, ["gradebook.db (manual scores)"])
        for item in graded:
            gradebook.store_scores(root, item)  # a score set by hand wins, in item too
            report.write_feedback(root, item)
            status[f"{item.student}/{name}"] = item.status
        backup.unlink(missing_ok=True)
        graded_now.extend(graded)
    report.save_status(root, status)
    report.export(root, status)
    report.summary(root, graded_now, time.perf_counter() - start, sealed, how)
    return 0
