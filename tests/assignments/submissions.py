"""Builds student submissions for the assignment tests: solved, untouched, wrong, and broken ones."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS_DIR = ROOT / "assignments"
SOURCE = ASSIGNMENTS_DIR / "source"
NAMES = sorted(p.name for p in SOURCE.iterdir() if (p / f"{p.name}.ipynb").is_file())
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")

# One planted mistake per task: (text of the instructor's solution, what the wrong answer has).
WRONG = {
    "ch01_line": {
        "mse": ("np.mean((prediction - target) ** 2)", "np.mean(prediction - target)"),
        "mse_gradients": ("np.mean(2 * residual * x)", "np.mean(residual * x)"),
        "gradient_step": ("w - learning_rate * dw", "w + learning_rate * dw"),
    },
    "ch02_hinge": {
        "relu": (
            "np.maximum(np.asarray(z, dtype=float), 0.0)",
            "np.abs(np.asarray(z, dtype=float))",
        ),
        "two_layer_forward": ("np.maximum(x @ W1 + b1, 0.0)", "(x @ W1 + b1)"),
        "xor_weights": ("b1 = np.array([0.0, -1.0])", "b1 = np.array([0.0, 0.0])"),
    },
    "ch03_next_token": {
        "make_pairs": ("range(window, len(tokens))", "range(window, len(tokens) - 1)"),
        "count_parameters": ("window * d_embed * hidden + hidden", "window * d_embed * hidden"),
        "accuracy": ("np.argmax(logits, axis=1)", "np.argmin(logits, axis=1)"),
    },
    "ch04_attention": {
        "stable_softmax": ("scores - scores.max(dim=-1, keepdim=True).values", "scores"),
        "causal_mask": (".tril()", ".triu()"),
        "attention": ("/ math.sqrt(query.shape[-1])", ""),
    },
    "ch05_multi_head": {
        "split_heads": (
            "x.view(batch, length, n_heads, d_model // n_heads).transpose(1, 2)",
            "x.reshape(batch, n_heads, length, d_model // n_heads)",
        ),
        "merge_heads": ("x.transpose(1, 2).reshape(", "x.reshape("),
        "multi_head_attention": ("/ math.sqrt(d_head)", "/ math.sqrt(d_model)"),
        "count_parameters": ("+ 4 * d_model", "+ 3 * d_model"),
    },
    "ch06_copying_names": {
        "repeated_sequence": (
            "torch.cat([first, first])",
            "torch.cat([first, torch.randint(vocab_size, (length,), generator=generator)])",
        ),
        "previous_token_score": ("diagonal(offset=-1", "diagonal(offset=1"),
        "induction_score": ("rows - half + 1]", "rows - half]"),
    },
}


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_solution(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def is_test(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade"))


def read(path: Path):
    return nbformat.read(path, as_version=4)


def source_notebook(name: str):
    return read(SOURCE / name / f"{name}.ipynb")


def tasks(name: str) -> dict[str, float]:
    """{task id: points} from the source notebook's test cells (metadata)."""
    return {
        grade_id(c).removesuffix("_tests"): float(c.metadata.nbgrader.points)
        for c in source_notebook(name).cells
        if is_test(c)
    }


def solution_code(text: str) -> str:
    """A solution cell's source as a student who solved it would write it (markers removed)."""
    return "\n".join(line for line in text.splitlines() if line.strip() not in MARKERS)


def solved(released, name: str):
    """The released notebook with every answer cell filled in with the instructor's solution."""
    answers = {
        grade_id(c): solution_code(c.source) for c in source_notebook(name).cells if is_solution(c)
    }
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        if is_solution(cell):
            cell.source = answers[grade_id(cell)]
    return nb


def cell_of(nb, gid: str):
    matches = [c for c in nb.cells if grade_id(c) == gid]
    assert len(matches) == 1, f"no single cell with grade_id {gid!r}"
    return matches[0]


def with_wrong(nb, name: str, task: str):
    """A copy of nb with the planted mistake of one task."""
    old, new = WRONG[name][task]
    nb = copy.deepcopy(nb)
    cell = cell_of(nb, task)
    assert old in cell.source, f"{name}/{task}: the planted mistake no longer matches the solution"
    cell.source = cell.source.replace(old, new, 1)
    return nb


def write(course: Path, student: str, name: str, nb) -> Path:
    path = course / "submitted" / student / name / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def make_course(tmp: Path, names: list[str]) -> Path:
    """A course directory with the given assignments' sources and the real configuration."""
    tmp.mkdir(parents=True, exist_ok=True)
    for helper in ("nbgrader_config.py", "course.py"):
        shutil.copy(ASSIGNMENTS_DIR / helper, tmp / helper)
    for name in names:
        shutil.copytree(SOURCE / name, tmp / "source" / name)
    return tmp


def course_command(course: Path, command: str, timeout_s: int, cell_timeout_s: int = 20):
    env = {
        "ATTNLAB_CELL_TIMEOUT": str(cell_timeout_s),
        "OMP_NUM_THREADS": "1",
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, str(course / "course.py"), command, "--root", str(course)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env=env,
    )


def read_scores(course: Path) -> tuple[dict, dict]:
    """({(student, assignment): total}, {(student, assignment, task): score}) from the CSVs."""
    import csv

    with open(course / "grades.csv") as handle:
        totals = {
            (r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(handle)
        }
    with open(course / "grades_by_task.csv") as handle:
        by_task = {
            (r["student"], r["assignment"], r["task"]): float(r["score"])
            for r in csv.DictReader(handle)
        }
    return totals, by_task


def dump(obj) -> str:
    return json.dumps(obj, indent=1, sort_keys=True)


# ---- the submissions a class of 200 will hand in (on Assignment 1: mse 2, mse_gradients 3,
# gradient_step 2 points) -------------------------------------------------------------------------
def _first_code(nb):
    return next(c for c in nb.cells if c.cell_type == "code")


def raises_in_first_cell(nb):
    """A new first cell that raises; the answers below it are right: they still count."""
    nb = copy.deepcopy(nb)
    nb.cells.insert(0, nbformat.v4.new_code_cell('raise RuntimeError("I was just trying things")'))
    return nb


def broken_imports_cell(nb):
    """The read-only imports cell edited to raise: the grader restores it."""
    nb = copy.deepcopy(nb)
    _first_code(nb).source = "import nump as np  # a typo in the read-only cell"
    return nb


def raises_in_first_answer(nb):
    """The first answer cell raises before it defines mse: that task scores 0, the rest count."""
    nb = copy.deepcopy(nb)
    cell = cell_of(nb, "mse")
    cell.source = 'raise ValueError("not finished")\n' + cell.source
    return nb


def endless_loop(nb):
    """mse_gradients never returns: its test cell times out, the other tasks count."""
    nb = copy.deepcopy(nb)
    cell = cell_of(nb, "mse_gradients")
    cell.source = cell.source.replace(
        "    x = np.asarray(x", "    while True:\n        pass\n    x = np.asarray(x", 1
    )
    assert "while True" in cell.source
    return nb


def deleted_test_cell(nb, name):
    """The mse test cell deleted AND a wrong mse: the test is put back and still catches it."""
    nb = with_wrong(nb, name, "mse")
    nb.cells = [c for c in nb.cells if grade_id(c) != "mse_tests"]
    return nb


def edited_test_cell(nb, name):
    """The mse test cell replaced by `pass` (and its points raised) with a wrong mse: restored."""
    nb = with_wrong(nb, name, "mse")
    cell = cell_of(nb, "mse_tests")
    cell.source = "pass  # tests? what tests?"
    cell.metadata.nbgrader["points"] = 100
    return nb


def deleted_answer_cell(nb):
    """The gradient_step answer cell deleted: that task scores 0."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if grade_id(c) != "gradient_step"]
    return nb


def renamed_function(nb):
    """mse renamed to mean_squared_error: the tests cannot find mse, that task scores 0."""
    nb = copy.deepcopy(nb)
    cell = cell_of(nb, "mse")
    cell.source = cell.source.replace("def mse(", "def mean_squared_error(", 1)
    return nb


def huge_output(nb):
    """Right answers that print about 6 MB (one long line and 300 000 short ones)."""
    nb = copy.deepcopy(nb)
    cell = cell_of(nb, "mse")
    cell.source += '\nprint("x" * 4_000_000)\nprint("debug line\\n" * 300_000)\n'
    return nb


def kernel_dies(nb):
    """A cell that ends the Python process: nothing can be graded; the rest of the class is."""
    nb = copy.deepcopy(nb)
    cell = cell_of(nb, "mse_gradients")
    cell.source = "import os\n\nos._exit(1)\n" + cell.source
    return nb


# student id -> (how to make the submission from the solved release, expected {task: score})
FULL = {"mse": 2.0, "mse_gradients": 3.0, "gradient_step": 2.0}
ROBUSTNESS = {
    "first_cell_raises": (raises_in_first_cell, FULL),
    "imports_cell_edited": (broken_imports_cell, FULL),
    "first_answer_raises": (raises_in_first_answer, {**FULL, "mse": 0.0}),
    "endless_loop": (endless_loop, {**FULL, "mse_gradients": 0.0}),
    "test_cell_deleted": (lambda nb: deleted_test_cell(nb, "ch01_line"), {**FULL, "mse": 0.0}),
    "test_cell_edited": (lambda nb: edited_test_cell(nb, "ch01_line"), {**FULL, "mse": 0.0}),
    "answer_cell_deleted": (deleted_answer_cell, {**FULL, "gradient_step": 0.0}),
    "function_renamed": (renamed_function, {**FULL, "mse": 0.0}),
    "prints_megabytes": (huge_output, FULL),
}


def secret_lines(name: str) -> list[str]:
    """Every line of the instructor's solutions and hidden tests (stripped, non-empty)."""
    lines = []
    for cell in source_notebook(name).cells:
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if text in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                inside = True
            elif text in ("### END SOLUTION", "### END HIDDEN TESTS"):
                inside = False
            elif inside and text:
                lines.append(text)
    return lines
