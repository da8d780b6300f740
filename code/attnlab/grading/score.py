"""Scores: the student's recorded results against the instructor's, within tolerances.

The instructor's solution runs first, in the sandbox like any notebook (`reference_results`):
what its hidden tests `record` is the expected result of each label. A student's task gets its
points when every label's result matches (numbers within `atol`/`rtol`, 1e-6 and 1e-5 unless the
test says otherwise; shapes, dtypes and Python types exactly), the test cell raised nothing, and
the answer does not use a name the test forbids (`# grader: forbid softmax`). A few labels are
checked by a property instead (`same_as`, `differs_from`, `repeated_block`, `xor_net`).
Everything here runs in the grading process, on plain JSON data.

It may touch: nothing on disk; `reference_results` runs the instructor's notebook through
`sandbox.execute`.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from attnlab.grading.rebuild import Cell, Run, exercise_cases, without_markers
from attnlab.grading.sandbox import execute

FORBID = re.compile(r"^#\s*grader:\s*forbid\s+(.+)$", re.M)


def _close(got, want, how: dict) -> bool:
    atol, rtol = float(how.get("atol", 1e-6)), float(how.get("rtol", 1e-5))
    if type(want) is bool or type(got) is bool:
        return type(got) is type(want) and got == want
    if type(want) in (int, float) and type(got) in (int, float):
        if math.isnan(want) or math.isnan(got):
            return math.isnan(want) and math.isnan(got)
        if math.isinf(want) or math.isinf(got):
            return want == got
        return abs(got - want) <= atol + rtol * abs(want)
    if type(want) is not type(got):
        return False
    if isinstance(want, dict):
        if "unsupported" in want or "unsupported" in got:
            return False
        if "seq" in want:
            return (
                got.get("seq") == want["seq"]
                and len(got["items"]) == len(want["items"])
                and all(
                    _close(g, w, how) for g, w in zip(got["items"], want["items"], strict=False)
                )
            )
        if "array" in want:
            if got.get("array") != want["array"] or got.get("shape") != want["shape"]:
                return False
            if how.get("dtype") and got.get("dtype") != want["dtype"]:
                return False
            return len(got["data"]) == len(want["data"]) and all(
                _close(g, w, how) for g, w in zip(got["data"], want["data"], strict=False)
            )
        return False
    return got == want


def _values(data):
    if isinstance(data, dict) and "array" in data:
        return data["data"]
    return None


def check(label: str, got, want, how: dict, mine: dict) -> bool:
    """Does the student's result `got` for `label` pass? (`mine`: the student's other results)"""
    if how.get("same_as"):
        other = mine.get(how["same_as"])
        return other is not None and _close(got, other, {"atol": 0, "rtol": 0})
    if how.get("differs_from"):
        other = mine.get(how["differs_from"])
        return other is not None and _values(got) is not None and not _close(got, other, {})
    if how.get("property") == "repeated_block":
        data = _values(got)
        vocab = int(how["vocab"])
        if data is None or got.get("dtype") != "torch.int64" or len(data) != 2 * int(how["length"]):
            return False
        half = len(data) // 2
        return (
            data[:half] == data[half:]
            and all(0 <= x < vocab for x in data)
            and len(set(data)) > min(3, vocab - 1)
        )
    if how.get("property") == "xor_net":
        return _xor_net(got)
    return _close(got, want, how)


def _xor_net(got) -> bool:
    """Do the recorded weights (W1, b1, W2, b2) compute XOR on the four points, within 1e-6?"""
    items = got.get("items") if isinstance(got, dict) and got.get("seq") else None
    shapes = ([2, 2], [2], [2, 1], [1])
    if not items or len(items) != 4:
        return False
    if any(
        not isinstance(i, dict) or i.get("shape") != s for i, s in zip(items, shapes, strict=False)
    ):
        return False
    w1, b1, w2, b2 = (i["data"] for i in items)
    for (x0, x1), y in zip(((0, 0), (0, 1), (1, 0), (1, 1)), (0, 1, 1, 0), strict=True):
        hidden = [max(0.0, x0 * w1[j] + x1 * w1[2 + j] + b1[j]) for j in range(2)]
        out = hidden[0] * w2[0] + hidden[1] * w2[1] + b2[0]
        if not abs(out - y) <= 1e-6:
            return False
    return True


def _forbidden(source: str, names: list[str]) -> str | None:
    """The first forbidden name the answer uses (a call, an attribute or a string), if any."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        found = None
        if isinstance(node, ast.Name):
            found = node.id
        elif isinstance(node, ast.Attribute):
            found = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found = node.value.strip()  # getattr(torch, "softmax")
        elif isinstance(node, ast.alias):
            found = node.name.rsplit(".", 1)[-1]
        if found in names:
            return found
    return None


@dataclass
class TaskResult:
    """One task of a submission: its points, its score (None: to grade by hand) and why."""

    task: str
    points: float
    score: float | None  # None: graded by hand, not yet
    reason: str
    details: list[str] = field(default_factory=list)  # for the teacher, when asked
    manual: bool = False  # a free-text answer, graded by hand


def score_run(
    spec: list[Cell], run: Run, results: list[dict | None], reference: dict
) -> list[TaskResult]:
    """Each task's score and the reason, from what the notebook's cells recorded."""
    outcome = []
    by_test = {c["id"]: (i, c) for i, c in enumerate(run.cells) if c["role"] == "test"}
    answers = {c["task"]: i for i, c in enumerate(run.cells) if c["role"] == "answer"}
    for cell in spec:
        if cell.role == "manual":
            text = run.answers.get(cell.task, "").strip()
            reason = "free-text answer, graded by hand" if text else "no answer written"
            outcome.append(
                TaskResult(cell.task, cell.points, None if text else 0.0, reason, manual=True)
            )
            continue
        if cell.role != "test":
            continue
        task = cell.task
        result = TaskResult(task, cell.points, 0.0, "")
        outcome.append(result)
        notes = run.notes.get(task, [])
        if any("task is lost" in n for n in notes):
            result.reason = "; ".join(notes)
            continue
        forbid = FORBID.findall(cell.source)
        used = _forbidden(run.answers.get(task, ""), " ".join(forbid).split()) if forbid else None
        if used:
            result.reason = f"the task says not to use `{used}`, and the answer does"
            continue
        index, _ = by_test[cell.grade_id]
        ran = results[index]
        answer_ran = results[answers[task]] if task in answers else None
        if ran is None:
            result.reason = "the test cell did not run (the notebook stopped before it)"
            continue
        if ran.get("error"):
            error = ran["error"]
            result.reason = f"{error['ename']}: {error['evalue']}".strip().removesuffix(":")
            if error["ename"] == "NameError" and answer_ran and answer_ran.get("error"):
                first = answer_ran["error"]
                result.reason += f" (the answer cell raised {first['ename']}: {first['evalue']})"
            continue
        mine: dict = {}
        duplicate = None
        for entry in ran.get("records", []):
            if entry["label"] in mine:
                duplicate = entry["label"]
            mine[entry["label"]] = entry["value"]
        expected = reference[cell.grade_id]
        failed = []
        for label, (want, how) in expected.items():
            if label not in mine:
                failed.append(f"{label} (no result)")
            elif not check(label, mine[label], want, how, mine):
                failed.append(label)
                result.details.append(f"{label}: expected {_show(want)}, got {_show(mine[label])}")
        if duplicate:
            failed.append(f"{duplicate} (reported twice)")
        if failed:
            result.reason = "a hidden test failed: " + "; ".join(failed[:4])
            continue
        result.score = cell.points
        result.reason = "passed" + (f" ({'; '.join(notes)})" if notes else "")
    for task_result in outcome:
        extra = [n for n in run.notes.get(task_result.task, []) if n not in task_result.reason]
        if extra and task_result.score == 0.0:
            task_result.reason += " (" + "; ".join(extra) + ")"
    return outcome


def _show(data) -> str:
    text = json.dumps(data)
    return text if len(text) < 300 else text[:300] + " ..."


# ---- a graded submission, and the instructor's results --------------------------------------------
@dataclass
class Graded:
    """One student's submission of one assignment, as graded (or why it could not be)."""

    student: str
    assignment: str
    tasks: list[TaskResult]
    status: str  # "graded" or "not graded: ..."
    notes: list[str]
    run: Run | None = None
    results: list | None = None
    timestamp: str | None = None

    @property
    def score(self) -> float | None:
        if not self.status.startswith("graded"):
            return None
        return sum(t.score or 0.0 for t in self.tasks)


def reference_results(root: Path, name: str, spec: list[Cell]) -> dict:
    """{test grade_id: {label: (value, how)}} from the instructor's solution, run like a student's."""
    cells = []
    for cell in spec:
        if cell.kind != "code":
            continue
        source = without_markers(cell.source) if cell.role == "answer" else cell.source
        cells.append({"role": cell.role, "id": cell.grade_id, "source": source, "task": cell.task})
    run = Run(cells=cells, cases=exercise_cases(name))
    results = execute(run, None, root, f"{name} (instructor's solution)")
    reference = {}
    for cell, result in zip(cells, results, strict=False):
        if cell["role"] != "test":
            continue
        if result is None or result.get("error"):
            error = (result or {}).get("error") or {"ename": "not run", "evalue": ""}
            raise SystemExit(
                f"{name}: the instructor's solution fails its own test {cell['id']}: "
                f"{error['ename']}: {error['evalue']} {error.get('traceback', '')}"
            )
        reference[cell["id"]] = {r["label"]: (r["value"], r["how"]) for r in result["records"]}
        if not reference[cell["id"]]:
            raise SystemExit(f"{name}: the hidden tests of {cell['id']} record nothing")
    return reference
