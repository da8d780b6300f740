"""What the teacher and the students read: grades.csv, the feedback pages, the terminal summary.

- `write_feedback`: autograded/<student>/<name>/<name>.ipynb (the notebook as it ran, with its
  output, and the free-text answers to grade by hand) and feedback/<student>/<name>/<name>.html
  (the score, each task's points and why a task was lost, the notebook as graded; never the
  hidden tests or the expected values, unless ATTNLAB_FEEDBACK_SHOW_HIDDEN=1);
- `export`: grades.csv (one row per student and assignment) and grades_by_task.csv, read back
  from gradebook.db, with grading_status.json's "not graded: why";
- `summary`: one line per submission on the terminal, and the warning of a round without
  isolation.

It may touch: it writes autograded/, feedback/, grades.csv, grades_by_task.csv and
grading_status.json in the course folder, and reads gradebook.db; it starts no process.
"""

from __future__ import annotations

import csv
import html
import json
import os
import shutil
from pathlib import Path

from attnlab.grading.gradebook import open_gradebook
from attnlab.grading.rebuild import visible_part
from attnlab.grading.score import Graded


def write_feedback(root: Path, item: Graded) -> None:
    """The graded notebook and the student's feedback page."""
    write_notebook(root, item)
    page = root / "feedback" / item.student / item.assignment / f"{item.assignment}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(feedback_page(item))


def write_notebook(root: Path, item: Graded) -> None:
    """autograded/<student>/<name>/<name>.ipynb: the notebook as it ran, with its output."""
    import nbformat

    folder = root / "autograded" / item.student / item.assignment
    shutil.rmtree(folder, ignore_errors=True)
    if item.run is None:
        return
    folder.mkdir(parents=True)
    cells = []
    for cell, result in zip(item.run.cells, item.results, strict=False):
        shown = visible_part(cell["source"]) if cell["role"] == "test" else cell["source"]
        code = nbformat.v4.new_code_cell(shown)
        for stream in ("stdout", "stderr"):
            if result and result.get(stream):
                code.outputs.append(
                    nbformat.v4.new_output("stream", name=stream, text=result[stream])
                )
        if result and result.get("error"):
            error = result["error"]
            code.outputs.append(
                nbformat.v4.new_output(
                    "error", ename=error["ename"], evalue=error["evalue"], traceback=[]
                )
            )
        cells.append(code)
    for task in item.tasks:
        if task.score is None:
            answer = item.run.answers.get(task.task, "")
            cells.append(
                nbformat.v4.new_markdown_cell(f"**{task.task}** (graded by hand):\n\n{answer}")
            )
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / f"{item.assignment}.ipynb")


# ---- what the teacher and the student read ---------------------------------------------------------
def _fmt(score: float | None) -> str:
    return "not graded" if score is None else f"{score:.1f}"


def feedback_page(item: Graded) -> str:
    """The student's feedback page (HTML): score, tasks and why, the notebook as graded."""
    show_hidden = os.environ.get("ATTNLAB_FEEDBACK_SHOW_HIDDEN", "") == "1"
    title = html.escape(f"{item.assignment}: feedback for {item.student}")
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap}"
        ".lost{color:#a00}.ok{color:#070}</style></head><body>",
        f"<h1>{title}</h1>",
    ]
    total = sum(t.points for t in item.tasks) if item.tasks else None
    if item.score is None:
        parts.append(
            f"<p><strong>NOT GRADED</strong> (this is not a score of 0). Your notebook "
            f"could not be graded: {html.escape(item.status.removeprefix('not graded: '))}"
            "</p><p>Open the notebook in Jupyter, use <em>Kernel &rarr; Restart and Run "
            "All</em>, check that it opens and runs, and hand it in again (or ask your "
            "teacher).</p></body></html>\n"
        )
        return "".join(parts)
    parts.append(f"<p><strong>Score: {item.score:.1f} / {total:.1f}</strong></p>")
    pending = [t for t in item.tasks if t.score is None]
    if pending:
        parts.append(
            f"<p>{len(pending)} free-text answer(s) worth "
            f"{sum(t.points for t in pending):g} point(s) are graded by hand and not "
            "counted yet.</p>"
        )
    for note in item.notes:
        parts.append(f"<p>{html.escape(note)}</p>")
    parts.append(
        "<table border='1' cellpadding='4'><tr><th>Task</th><th>Points</th><th>Why</th></tr>"
    )
    for task in item.tasks:
        klass = "ok" if task.score == task.points else "lost"
        parts.append(
            f"<tr><td>{html.escape(task.task)}</td><td class='{klass}'>"
            f"{_fmt(task.score)} / {task.points:.1f}</td>"
            f"<td>{html.escape(task.reason)}</td></tr>"
        )
    parts.append("</table>")
    if show_hidden:
        for task in item.tasks:
            for line in task.details:
                parts.append(f"<p class='lost'>{html.escape(task.task)}: {html.escape(line)}</p>")
    parts.append("<h2>Your notebook as graded</h2>")
    for cell, result in zip(item.run.cells, item.results, strict=False):
        if cell["role"] == "test" and not show_hidden:
            shown = visible_part(cell["source"]) + "# (hidden tests not shown)"
        else:
            shown = cell["source"]
        parts.append(f"<pre>{html.escape(shown)}</pre>")
        if result is None:
            parts.append("<p class='lost'>This cell did not run.</p>")
            continue
        for stream in ("stdout", "stderr"):
            if result.get(stream):
                parts.append(f"<pre>{html.escape(result[stream])}</pre>")
        if result.get("error"):
            error = result["error"]
            text = f"{error['ename']}: {error['evalue']}"
            if cell["role"] != "test":
                text = error.get("traceback") or text
            parts.append(f"<pre class='lost'>{html.escape(text)}</pre>")
    parts.append("</body></html>\n")
    return "".join(parts)


def load_status(root: Path) -> dict:
    """grading_status.json: {"student/assignment": "graded" or "not graded: why"}."""
    path = root / "grading_status.json"
    return json.loads(path.read_text()) if path.exists() else {}


def save_status(root: Path, status: dict) -> None:
    """Write grading_status.json."""
    (root / "grading_status.json").write_text(json.dumps(status, indent=1, sort_keys=True))


def export(root: Path, status: dict) -> None:
    """grades.csv (one row per student and assignment) and grades_by_task.csv, from the gradebook."""
    from nbgrader.api import MissingEntry

    rows, task_rows = [], []
    with open_gradebook(root) as gradebook:
        for assignment in gradebook.assignments:
            for student in gradebook.students:
                key = f"{student.id}/{assignment.name}"
                state = status.get(key, "")
                row = {
                    "assignment": assignment.name,
                    "duedate": assignment.duedate or "",
                    "timestamp": "",
                    "student_id": student.id,
                    "max_score": assignment.max_score,
                    "late_seconds": "",
                    "pending_manual": 0,
                }
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    submission = None
                if state.startswith("not graded"):
                    row.update(score="", status=state)
                elif submission is None:
                    row.update(score="", status="no submission")
                else:
                    pending = sum(
                        g.max_score
                        for n in submission.notebooks
                        for g in n.grades
                        if g.needs_manual_grade
                    )
                    row.update(
                        score=submission.score,
                        timestamp=submission.timestamp or "",
                        late_seconds=round(submission.total_seconds_late or 0),
                        pending_manual=pending,
                        status="graded"
                        + (f", {pending:g} point(s) to grade by hand" if pending else ""),
                    )
                    for notebook in submission.notebooks:
                        for grade in notebook.grades:
                            task_rows.append(
                                {
                                    "student": student.id,
                                    "assignment": assignment.name,
                                    "task": grade.name.removesuffix("_tests"),
                                    "score": "" if grade.needs_manual_grade else float(grade.score),
                                    "max_score": float(grade.max_score),
                                }
                            )
                rows.append(row)
    columns = [
        "assignment",
        "duedate",
        "timestamp",
        "student_id",
        "score",
        "max_score",
        "status",
        "late_seconds",
        "pending_manual",
    ]
    with open(root / "grades.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["assignment"], r["student_id"])))
    with open(root / "grades_by_task.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, ["student", "assignment", "task", "score", "max_score"])
        writer.writeheader()
        writer.writerows(
            sorted(task_rows, key=lambda r: (r["assignment"], r["student"], r["task"]))
        )


def summary(root: Path, graded: list[Graded], seconds: float, sealed: bool, how: str) -> None:
    """One line per submission on the terminal, and where the files are."""
    print(f"Graded {len(graded)} submission(s) in {seconds:.0f} s.")
    if not sealed:
        print(
            f"WARNING: the notebooks ran WITHOUT isolation ({how}): student code could read "
            "and change files this user can reach."
        )
    for item in graded:
        total = sum(t.points for t in item.tasks)
        if item.score is None:
            print(
                f"NOT GRADED: {item.student}/{item.assignment}: "
                f"{item.status.removeprefix('not graded: ')}"
            )
            continue
        pending = [t for t in item.tasks if t.score is None]
        lost = [f"{t.task} ({t.reason})" for t in item.tasks if t.score == 0.0]
        line = f"{item.student}/{item.assignment}: {item.score:.1f} / {total:.1f}"
        if pending:
            line += f", {sum(t.points for t in pending):g} point(s) to grade by hand"
        print(line + (f"; lost: {'; '.join(lost)}"[:400] if lost else ""))
    print(f"Grades: {root / 'grades.csv'} (per task: {root / 'grades_by_task.csv'})")
    print(f"Feedback for each student: {root / 'feedback'}/<student>/<assignment>/")


def task_scores(root: Path) -> list[dict]:
    """One row per student, assignment and graded task (as in grades_by_task.csv)."""
    with open(root / "grades_by_task.csv") as handle:
        return list(csv.DictReader(handle))
