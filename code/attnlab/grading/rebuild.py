"""The notebook that runs: a submission's answer cells put into the instructor's notebook.

Reads the assignment from source/ (which cell is an answer, a test, a free-text answer or a
read-only cell), finds the student's notebook in their submitted/ folder (also under a learning
platform's rename), and builds the list of cells that runs: the student's answer cells and the
cells they added, every other cell (imports, tests with their hidden part) from source/. A cell
the student deleted goes back where the source has it.

It may touch: it reads source/<name>/<name>.ipynb and submitted/<student>/<name>/; it writes
nothing and starts no process.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
LMS_NAME = r"{name}(?: ?\(\d+\)|[-_ ]\d+)?\.ipynb"  # ch02_hinge (1).ipynb, ch02_hinge-2.ipynb


# ---- the assignment, read from source/ -----------------------------------------------------------
@dataclass
class Cell:
    """One cell of the instructor's notebook and its role in grading."""

    index: int
    kind: str  # code / markdown
    role: str  # answer, test, manual (free text graded by hand), locked, plain
    grade_id: str | None
    source: str
    points: float = 0.0
    function: str | None = None

    @property
    def task(self) -> str | None:
        if self.role == "test":
            return self.grade_id.removesuffix("_tests")
        return self.grade_id if self.role in ("answer", "manual") else None


def _meta(cell) -> dict:
    return dict(cell.get("metadata", {}).get("nbgrader", {}) or {})


def _function(source: str) -> str | None:
    match = re.search(r"^def (\w+)\(", source, re.M)
    return match.group(1) if match else None


def visible_part(source: str) -> str:
    """A test cell without its hidden tests (what students see)."""
    return source.split(HIDDEN_BEGIN)[0].rstrip() + "\n"


def read_assignment(root: Path, name: str) -> list[Cell]:
    """The cells of source/<name>/<name>.ipynb, each with its role in grading."""
    import nbformat

    nb = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
    cells = []
    for index, cell in enumerate(nb.cells):
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if meta.get("grade") and meta.get("solution"):
            role = "manual"
        elif meta.get("grade") and cell.cell_type == "code":
            role = "test"
        elif meta.get("solution"):
            role = "answer"
        elif meta.get("locked") or gid:
            role = "locked"
        else:
            role = "plain"
        cells.append(
            Cell(
                index,
                cell.cell_type,
                role,
                gid,
                cell.source,
                float(meta.get("points") or 0),
                _function(cell.source) if role == "answer" else None,
            )
        )
    return cells


def _stub(source: str) -> str:
    """An answer cell as released: the solution replaced by the stub."""
    pattern = re.compile(
        rf"^(\s*){re.escape(SOLUTION_BEGIN)}.*?{re.escape(SOLUTION_END)}", re.M | re.S
    )
    return pattern.sub(r"\1# YOUR CODE HERE\n\1raise NotImplementedError()", source)


def without_markers(source: str) -> str:
    """An answer cell of source/ as the instructor's solution runs: the markers removed."""
    return "\n".join(
        line for line in source.splitlines() if line.strip() not in (SOLUTION_BEGIN, SOLUTION_END)
    )


# ---- building the notebook that runs: the student's answers, the course's tests ----------------
@dataclass
class Run:
    """The notebook that runs, and what the rebuild noticed about each task."""

    cells: list[dict]  # {"role", "id", "source", "task"}
    notes: dict[str, list[str]] = field(default_factory=dict)  # task -> what happened to it
    answers: dict[str, str] = field(default_factory=dict)  # task -> the student's answer source
    cases: dict[str, list] = field(default_factory=dict)  # exercise -> its shared cases


def exercise_cases(name: str) -> dict[str, list]:
    """The cases that the book's checks and this assignment's hidden tests share, as plain JSON
    data (``attnlab.<name>.exercises.CASES``); {} for a chapter without that module."""
    try:
        module = importlib.import_module(f"attnlab.{name}.exercises")
    except ModuleNotFoundError:
        return {}
    return json.loads(json.dumps(module.CASES))  # tuples become lists: plain JSON


def build_run(spec: list[Cell], student_nb: dict) -> Run:
    """The cells that run: the student's answers and added cells, all else from source/."""
    by_id = {c.grade_id: c for c in spec if c.grade_id}
    by_function = {c.function: c for c in spec if c.function}
    # a locked cell that lost its metadata is known by its text (a test cell: its visible part)
    by_text = {c.source.strip(): c for c in spec if c.role in ("locked", "test")}
    by_text.update({visible_part(c.source).strip(): c for c in spec if c.role == "test"})
    run = Run(cells=[])
    placed: dict[int, int] = {}  # source index -> position in run.cells
    seen: set[str] = set()

    def note(task, text):
        run.notes.setdefault(task, []).append(text)

    for cell in student_nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        gid = _meta(cell).get("grade_id")
        match = by_id.get(gid)
        if match is None and by_text.get(source.strip()) is not None:
            match = by_text[source.strip()]
            if match.grade_id in seen:
                continue
        if match is None and cell.get("cell_type") == "code":
            named = by_function.get(_function(source))
            if named is not None and named.grade_id not in seen:
                match = named  # an answer cell that lost its metadata, found by its function
                note(match.task, "the answer cell had lost its grader metadata: found by its name")
        if match is None:
            if cell.get("cell_type") == "code":  # a cell the student added: it runs as written
                run.cells.append({"role": "student", "id": "", "source": source, "task": None})
            continue
        if match.grade_id in seen and match.role != "answer":
            continue  # a copy of a locked cell: the original runs once
        seen.add(match.grade_id)
        if match.role == "answer":
            run.answers[match.task] = source
            run.cells.append(
                {"role": "answer", "id": match.grade_id, "source": source, "task": match.task}
            )
        elif match.role == "manual":
            run.answers[match.task] = source
        elif match.kind == "code":
            run.cells.append(
                {
                    "role": match.role,
                    "id": match.grade_id,
                    "source": match.source,
                    "task": match.task,
                }
            )
        placed[match.index] = len(run.cells) - 1  # its cell, or (markdown) the one before it
    # cells missing from the submission go back where the source has them
    for cell in spec:
        if cell.index in placed or cell.kind != "code" and cell.role != "manual":
            continue
        before = [placed[i] for i in placed if i < cell.index]
        at = max(before, default=-1) + 1
        if cell.role == "answer":
            entry = {
                "role": "answer",
                "id": cell.grade_id,
                "source": _stub(cell.source),
                "task": cell.task,
            }
            note(cell.task, "the answer cell was missing from the submission: this task is lost")
        elif cell.role == "manual":
            note(cell.task, "the answer cell was missing from the submission")
            run.answers[cell.task] = ""
            continue
        else:
            entry = {
                "role": cell.role,
                "id": cell.grade_id,
                "source": cell.source,
                "task": cell.task,
            }
            if cell.role == "test":
                note(cell.task, "the test cell was missing from the submission: it was put back")
        run.cells.insert(at, entry)
        placed = {i: (p + 1 if p >= at else p) for i, p in placed.items()}
        placed[cell.index] = at
    return run


# ---- finding a student's notebook ----------------------------------------------------------------
def find_notebook(folder: Path, name: str) -> tuple[Path | None, str]:
    """The submitted notebook (also under a platform's rename) and a note, or None and why."""
    exact = folder / f"{name}.ipynb"
    if exact.is_file():
        return exact, ""
    pattern = re.compile(LMS_NAME.format(name=re.escape(name)))
    renamed = sorted(p for p in folder.glob("*.ipynb") if pattern.fullmatch(p.name))
    if renamed:
        return renamed[-1], f"graded {renamed[-1].name} (the file was renamed)"
    others = sorted(p.name for p in folder.glob("*.ipynb"))
    found = f" (found: {', '.join(others)})" if others else ""
    return None, f"the file {name}.ipynb was not in the submission{found}"


def read_submission(path: Path) -> tuple[dict | None, str]:
    """The notebook, or None and why it cannot be graded."""
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # any reason the file is not a notebook
        return None, f"{path.name} is not a readable Jupyter notebook ({type(error).__name__})"
    if not isinstance(nb.get("cells"), list):
        return None, f"{path.name} has no cells"
    return nb, ""


def submission_time(folder: Path) -> str | None:
    """The time in the submission's timestamp.txt, if it has a readable one."""
    stamp = folder / "timestamp.txt"
    if not stamp.is_file():
        return None
    from nbgrader.utils import parse_utc

    text = stamp.read_text(errors="replace").strip()
    try:
        parse_utc(text)
    except Exception:  # an unreadable time is no time
        print(f"NOTE: {stamp} is not a date and time ({text[:40]!r}); ignored")
        return None
    return text or None
