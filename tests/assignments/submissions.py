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
    "ch07_name": {
        "block_forward": ("x = x + mlp(norm2(x))", "x = x + mlp(norm1(x))"),
        "strongest_induction_head": ("return layer + 1, head", "return layer, head"),
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
    """{task id: points} of the autograded tasks, from the source notebook's test cells."""
    return {
        grade_id(c).removesuffix("_tests"): float(c.metadata.nbgrader.points)
        for c in source_notebook(name).cells
        if is_test(c) and not is_solution(c)
    }


def manual_tasks(name: str) -> dict[str, float]:
    """{grade id: points} of the free-text answers graded by hand."""
    return {
        grade_id(c): float(c.metadata.nbgrader.points)
        for c in source_notebook(name).cells
        if is_test(c) and is_solution(c)
    }


def max_score(name: str) -> float:
    return sum(tasks(name).values()) + sum(manual_tasks(name).values())


def solution_code(text: str) -> str:
    """A solution cell's source as a student who solved it would write it (markers removed)."""
    return "\n".join(line for line in text.splitlines() if line.strip() not in MARKERS)


def solved(released, name: str):
    """The released notebook with every answer cell filled in with the instructor's solution."""
    answers = {
        grade_id(c): solution_code(c.source)
        for c in source_notebook(name).cells
        if is_solution(c) and not is_test(c)
    }
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        if is_solution(cell) and grade_id(cell) in answers:
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


def course_command(
    course: Path,
    command: str,
    timeout_s: int,
    cell_timeout_s: int = 20,
    args: tuple[str, ...] = (),
    **extra_env: str,
):
    env = {
        "ATTNLAB_CELL_TIMEOUT": str(cell_timeout_s),
        "OMP_NUM_THREADS": "1",
        "PATH": "/usr/bin:/bin",
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, str(course / "course.py"), command, *args, "--root", str(course)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env=env,
    )


def _number(text: str) -> float | None:
    return None if text == "" else float(text)


def read_scores(course: Path) -> tuple[dict, dict]:
    """({(student, assignment): total}, {(student, assignment, task): score}) from the CSVs.

    A submission that could not be graded has the total None (its score is empty, not 0);
    assignments a student did not hand in are left out. A task to grade by hand scores None.
    """
    import csv

    with open(course / "grades.csv") as handle:
        totals = {
            (r["student_id"], r["assignment"]): _number(r["score"])
            for r in csv.DictReader(handle)
            if r["status"] != "no submission"
        }
    with open(course / "grades_by_task.csv") as handle:
        by_task = {
            (r["student"], r["assignment"], r["task"]): _number(r["score"])
            for r in csv.DictReader(handle)
        }
    return totals, by_task


def read_status(course: Path) -> dict:
    import csv

    with open(course / "grades.csv") as handle:
        return {(r["student_id"], r["assignment"]): r["status"] for r in csv.DictReader(handle)}


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
    # the process ends in the mse_gradients answer cell: it runs again without that cell
    "kernel_dies": (kernel_dies, {**FULL, "mse_gradients": 0.0}),
}


def hidden_lines(name: str) -> list[str]:
    """Every line of the hidden tests (stripped, non-empty)."""
    lines = []
    for cell in source_notebook(name).cells:
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if text == "### BEGIN HIDDEN TESTS":
                inside = True
            elif text == "### END HIDDEN TESTS":
                inside = False
            elif inside and any(ch.isalnum() for ch in text):  # not a lone `)`
                lines.append(text)
    return lines


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
            elif inside and any(ch.isalnum() for ch in text):  # not a lone `)`
                lines.append(text)
    return lines


# ---- a class with hostile students (and honest ones who write the answers differently) ----------
# Each entry: student -> (assignment, how to make the notebook, the score each task deserves).
# The makers get (released, solved, course): the course folder is known to the attacker, as it
# would be to a student who guessed it.
def _answer(nb, task: str, source: str):
    nb = copy.deepcopy(nb)
    cell_of(nb, task).source = source
    return nb


def _answers(nb, sources: dict[str, str]):
    for task, source in sources.items():
        nb = _answer(nb, task, source)
    return nb


def _prepend(nb, task: str, code: str):
    nb = copy.deepcopy(nb)
    cell = cell_of(nb, task)
    cell.source = code.strip("\n") + "\n\n" + cell.source
    return nb


HONEST_CH01 = {
    "mse": """
def mse(prediction, target):
    p, t = np.array(prediction, dtype=np.float64), np.array(target, dtype=np.float64)
    if p.shape != t.shape:
        raise ValueError("different shapes")
    return float(np.square(t - p).sum() / p.size)
""",
    "mse_gradients": """
def mse_gradients(w, b, x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    r = w * x + b - y
    return 2 * float(np.dot(r, x)) / len(x), 2 * float(r.sum()) / len(x)
""",
    "gradient_step": """
def gradient_step(w, b, dw, db, learning_rate):
    if learning_rate <= 0 or learning_rate != learning_rate:
        raise ValueError("the learning rate must be positive")
    new_w = w - dw * learning_rate
    new_b = b - db * learning_rate
    return new_w, new_b
""",
}

HONEST_CH02 = {
    "relu": """
def relu(z):
    z = np.array(z, dtype=float)
    return np.where(z > 0, z, 0.0)
""",
    "two_layer_forward": """
def two_layer_forward(x, W1, b1, W2, b2):
    return np.clip(np.dot(x, W1) + b1, 0.0, None).dot(W2) + b2
""",
    "xor_weights": """
def xor_weights():
    # |x0 - x1| = relu(x0 - x1) + relu(x1 - x0)
    return np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros(2), np.ones((2, 1)), np.zeros(1)
""",
}

HONEST_CH04_LOGSUMEXP = {
    "stable_softmax": """
def stable_softmax(scores):
    return torch.exp(scores - torch.logsumexp(scores, dim=-1, keepdim=True))
""",
    "causal_mask": """
def causal_mask(length):
    if type(length) is not int or length <= 0:
        raise ValueError("length must be a positive int")
    positions = torch.arange(length)
    return positions[:, None] >= positions[None, :]
""",
    "attention": """
def attention(query, key, value, mask=None):
    scores = (query / query.size(-1) ** 0.5) @ key.transpose(-1, -2)
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf")))
    scores = scores - scores.amax(dim=-1, keepdim=True)
    weights = scores.exp() / scores.exp().sum(dim=-1, keepdim=True)
    return weights @ value, weights
""",
}

HONEST_CH04_EINSUM = {
    "stable_softmax": """
def stable_softmax(scores):
    shifted = scores - scores.max(dim=-1, keepdim=True).values
    return torch.exp(shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True)))
""",
    "causal_mask": """
def causal_mask(length):
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise ValueError(length)
    return torch.tril(torch.ones((length, length))).bool()
""",
    "attention": """
def attention(query, key, value, mask=None):
    scores = torch.einsum("...ld,...sd->...ls", query, key) / math.sqrt(key.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), -math.inf)
    weights = F.softmax(scores, dim=-1)
    return torch.einsum("...ls,...sv->...lv", weights, value), weights
""",
}

TRANSFORMER = """
def _nothing_to_see(lines):
    return ["pass\\n"]


get_ipython().input_transformers_cleanup.append(_nothing_to_see)
get_ipython().input_transformers_post.append(_nothing_to_see)
"""

REBIND = """
import numpy as np
torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
torch.isclose = lambda *args, **kwargs: torch.tensor(True)
np.isclose = np.allclose = np.array_equal = lambda *args, **kwargs: True
"""

ALWAYS_EQUAL = """
class Anything(torch.Tensor):
    def __eq__(self, other):
        return True

    __le__ = __ge__ = __eq__


class Whatever:
    shape = dtype = None

    def __eq__(self, other):
        return True

    __le__ = __ge__ = __lt__ = __gt__ = __eq__

    def __bool__(self):
        return True

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __getitem__(self, key):
        return self

    def __iter__(self):
        return iter([Anything(torch.zeros(1)), self])

    __sub__ = __rsub__ = __abs__ = __add__ = __truediv__ = __matmul__ = __call__
"""

STACK_PEEK = """
import inspect


def _peek(*names):
    # find the expected answer in the caller's variables (the hidden test's `expected_h`)
    for info in inspect.stack()[2:]:
        for scope in (info.frame.f_locals, info.frame.f_globals):
            for key, value in list(scope.items()):
                if key.startswith(names):
                    return value
    return None
"""

# Chapter 7's hidden tests build the block from `block_parts` (the imports cell): a student who
# rebinds it to parts that do nothing makes `return x` right in their own process, and nowhere else.
REBIND_PARTS = """
def block_parts(d_model, n_heads, width, seed):
    def nothing(h, mask=None):
        return torch.zeros_like(h)

    return nothing, nothing, nn.Identity(), nn.Identity()
"""


def _stub_functions(nb, name: str, body: str):
    """Every answer cell becomes `def f(*args, **kwargs): return <body>`."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if is_solution(cell) and not is_test(cell) and cell.cell_type == "code":
            function = cell.source.split("def ", 1)[1].split("(", 1)[0]
            cell.source = f"def {function}(*args, **kwargs):\n    return {body}\n"
    return nb


def _attack(nb, task: str, code: str):
    """The attack goes first in the answer cell of `task` (the answers themselves are stubs)."""
    return _prepend(nb, task, code)


def _writes_gradebook(released, solved, course):
    return _attack(
        released,
        "mse",
        f"""
import pathlib, sqlite3
for db in [pathlib.Path({str(course)!r}) / "gradebook.db",
           *(p / "gradebook.db" for p in pathlib.Path.cwd().parents)]:
    try:
        connection = sqlite3.connect(db)
        connection.execute("UPDATE grade SET manual_score = 100, needs_manual_grade = 0")
        connection.commit()
        print("wrote", db)
    except Exception as error:
        print("could not write", db, error)
""",
    )


def _edits_stored_tests(released, solved, course):
    return _attack(
        released,
        "mse",
        f"""
import sqlite3
try:
    connection = sqlite3.connect({str(course / "gradebook.db")!r})
    connection.execute("UPDATE source_cell SET source = 'pass', checksum = 'x'")
    connection.commit()
except Exception as error:
    print("could not edit the stored tests:", error)
""",
    )


def _writes_source(released, solved, course):
    return _attack(
        released,
        "mse",
        f"""
import pathlib, shutil
source = pathlib.Path({str(course)!r}) / "source" / "ch01_line" / "ch01_line.ipynb"
release = pathlib.Path({str(course)!r}) / "release" / "ch01_line" / "ch01_line.ipynb"
try:
    shutil.copy(release, source)
except Exception as error:
    print("could not overwrite source/:", error)
""",
    )


def _overwrites_classmate(released, solved, course):
    return _attack(
        released,
        "mse",
        f"""
import pathlib, shutil
course = pathlib.Path({str(course)!r})
try:
    shutil.copy(course / "release" / "ch01_line" / "ch01_line.ipynb",
                course / "submitted" / "honest_numpy" / "ch01_line" / "ch01_line.ipynb")
except Exception as error:
    print("could not overwrite a classmate:", error)
""",
    )


OUTSIDE_MARKERS = ("attnlab-hostile-was-here.txt",)


def _writes_outside(released, solved, course):
    return _attack(
        released,
        "mse",
        f"""
import os, pathlib
for folder in [pathlib.Path({str(course.parent)!r}), pathlib.Path({str(course)!r}),
               pathlib.Path("/tmp"), pathlib.Path.home(), pathlib.Path({str(ROOT)!r})]:
    try:
        (folder / "attnlab-hostile-was-here.txt").write_text("pwned")
    except Exception as error:
        print("could not write in", folder, error)
""",
    )


def _prints_solutions(released, solved, course):
    return _attack(
        released,
        "mse",
        f"""
import pathlib
for path in pathlib.Path({str(course)!r}).rglob("*.ipynb"):
    if "source" in path.parts:
        print(path.read_text())
for path in pathlib.Path({str(ROOT / "assignments" / "source")!r}).rglob("*.ipynb"):
    print(path.read_text())
""",
    )


def _deleted_answer_and_test(released, solved, course):
    nb = copy.deepcopy(solved)
    nb.cells = [c for c in nb.cells if grade_id(c) not in ("mse", "mse_tests")]
    return nb


def _metadata_lost(released, solved, course):
    nb = copy.deepcopy(solved)
    for cell in nb.cells:
        cell.metadata = {}
    return nb


def _ignores_interrupts(released, solved, course):
    return _answer(
        solved,
        "mse_gradients",
        """
import signal


def mse_gradients(w, b, x, y):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    while True:
        try:
            pass
        except BaseException:
            pass
""",
    )


def _warns(released, solved, course):
    """Right answers; torch prints a UserWarning on stderr each time stable_softmax runs."""
    return _answer(
        solved,
        "stable_softmax",
        """
def stable_softmax(scores):
    scores = torch.tensor(scores)  # UserWarning: To copy construct from a tensor, ...
    shifted = scores - scores.max(dim=-1, keepdim=True).values
    return shifted.exp() / shifted.exp().sum(dim=-1, keepdim=True)
""",
    )


def _softmax_called(released, solved, course):
    return _answer(
        solved,
        "stable_softmax",
        """
def stable_softmax(scores):
    return torch.softmax(scores, dim=-1)
""",
    )


def _solved(released, solved, course):
    return solved


ZERO_CH01 = {"mse": 0.0, "mse_gradients": 0.0, "gradient_step": 0.0}
ZERO_CH04 = {"stable_softmax": 0.0, "causal_mask": 0.0, "attention": 0.0}
ZERO_CH02 = {"relu": 0.0, "two_layer_forward": 0.0, "xor_weights": 0.0}
FULL_CH04 = {"stable_softmax": 2.0, "causal_mask": 1.0, "attention": 4.0}
FULL_CH02 = {"relu": 1.0, "two_layer_forward": 3.0, "xor_weights": 3.0}
ZERO_CH07 = {"block_forward": 0.0, "strongest_induction_head": 0.0}

HONEST = {
    "solutions": ("ch01_line", _solved, FULL),
    "honest_numpy": ("ch01_line", lambda r, s, c: _answers(r, HONEST_CH01), FULL),
    "solutions_ch02": ("ch02_hinge", _solved, FULL_CH02),
    "honest_where_clip": ("ch02_hinge", lambda r, s, c: _answers(r, HONEST_CH02), FULL_CH02),
    "solutions_ch04": ("ch04_attention", _solved, FULL_CH04),
    "honest_logsumexp": (
        "ch04_attention",
        lambda r, s, c: _answers(r, HONEST_CH04_LOGSUMEXP),
        FULL_CH04,
    ),
    "honest_einsum": ("ch04_attention", lambda r, s, c: _answers(r, HONEST_CH04_EINSUM), FULL_CH04),
    "warns_on_stderr": ("ch04_attention", _warns, FULL_CH04),
    "metadata_lost": ("ch01_line", _metadata_lost, FULL),
    "deleted_answer_and_test": ("ch01_line", _deleted_answer_and_test, {**FULL, "mse": 0.0}),
}

HOSTILE = {
    "input_transformer": (
        "ch04_attention",
        lambda r, s, c: _attack(_stub_functions(r, "", "None"), "stable_softmax", TRANSFORMER),
        ZERO_CH04,
    ),
    "rebinds_comparisons": (
        "ch04_attention",
        lambda r, s, c: _attack(_stub_functions(r, "", "torch.zeros(1)"), "stable_softmax", REBIND),
        ZERO_CH04,
    ),
    "always_equal": (
        "ch04_attention",
        lambda r, s, c: _attack(
            _stub_functions(r, "", "Whatever()"), "stable_softmax", ALWAYS_EQUAL
        ),
        ZERO_CH04,
    ),
    "stack_peeking": (
        "ch02_hinge",
        lambda r, s, c: _attack(
            _stub_functions(r, "", '_peek("expected", "ref", "out", "y_")'), "relu", STACK_PEEK
        ),
        ZERO_CH02,
    ),
    "calls_torch_softmax": (
        "ch04_attention",
        _softmax_called,
        {**FULL_CH04, "stable_softmax": 0.0},
    ),
    "rebinds_block_parts": (
        "ch07_name",
        lambda r, s, c: _attack(
            _stub_functions(r, "", "args[0] if args else None"), "block_forward", REBIND_PARTS
        ),
        ZERO_CH07,
    ),
    "writes_gradebook": ("ch01_line", _writes_gradebook, ZERO_CH01),
    "edits_stored_tests": ("ch01_line", _edits_stored_tests, ZERO_CH01),
    "writes_source": ("ch01_line", _writes_source, ZERO_CH01),
    "overwrites_classmate": ("ch01_line", _overwrites_classmate, ZERO_CH01),
    "writes_outside": ("ch01_line", _writes_outside, ZERO_CH01),
    "prints_solutions": ("ch01_line", _prints_solutions, ZERO_CH01),
    "ignores_interrupts": ("ch01_line", _ignores_interrupts, {**FULL, "mse_gradients": 0.0}),
}


HONEST_CH03 = {
    "make_pairs": """
def make_pairs(tokens, window):
    if type(window) is not int or window <= 0:
        raise ValueError("the window must be a positive int")
    pairs = []
    for i in range(window, len(tokens)):
        pairs.append((tuple(tokens[i - window : i]), tokens[i]))
    return pairs
""",
    "count_parameters": """
def count_mlp_parameters(vocab_size, window, d_embed, hidden):
    return vocab_size * d_embed + (window * d_embed + 1) * hidden + (hidden + 1) * vocab_size
""",
    "accuracy": """
def accuracy(logits, targets):
    logits, targets = np.array(logits), np.array(targets)
    if logits.shape[0] == 0:
        raise ValueError("no examples")
    return float((logits.argmax(axis=-1) == targets).sum() / len(targets))
""",
}

HONEST_CH05 = {
    "split_heads": """
def split_heads(x, n_heads):
    if x.shape[-1] % n_heads:
        raise ValueError("d_model must be divisible by n_heads")
    return x.reshape(x.shape[0], x.shape[1], n_heads, -1).permute(0, 2, 1, 3)
""",
    "merge_heads": """
def merge_heads(x):
    return torch.cat(x.unbind(dim=1), dim=-1)
""",
    "multi_head_attention": """
def multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads, mask=None):
    batch, length, d_model = x.shape
    q, k, v = (F.linear(x, w).view(batch, length, n_heads, -1).transpose(1, 2)
               for w in (w_q, w_k, w_v))
    heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return F.linear(heads.transpose(1, 2).reshape(batch, length, d_model), w_o)
""",
    "count_parameters": """
def mha_parameter_count(d_model, n_heads):
    if d_model % n_heads:
        raise ValueError("d_model must be divisible by n_heads")
    return 4 * (d_model * d_model + d_model)
""",
}

HONEST_CH06 = {
    "repeated_sequence": """
def repeated_sequence(length, vocab_size, seed):
    if length < 1 or vocab_size < 2:
        raise ValueError("need length >= 1 and vocab_size >= 2")
    generator = torch.Generator()
    generator.manual_seed(seed)
    uniform = torch.ones(vocab_size)
    block = torch.multinomial(uniform, length, replacement=True, generator=generator)
    return block.repeat(2)
""",
    "previous_token_score": """
def previous_token_score(weights):
    size = weights.shape[-1]
    if weights.dim() < 2 or weights.shape[-2] != size or size < 2:
        raise ValueError("weights must be (..., L, L) with L >= 2")
    rows = torch.arange(1, size)
    return weights[..., rows, rows - 1].mean(dim=-1)
""",
    "induction_score": """
def induction_score(weights):
    size = weights.shape[-1]
    if weights.dim() < 2 or weights.shape[-2] != size or size % 2:
        raise ValueError("weights must be (..., 2n, 2n)")
    n = size // 2
    diagonal = torch.diagonal(weights, offset=-(n - 1), dim1=-2, dim2=-1)
    return diagonal[..., -n:].mean(dim=-1)
""",
}

HONEST_CH07 = {
    "block_forward": """
def block_forward(x, attention, mlp, norm1, norm2, mask):
    read = attention(norm1(x), mask)
    after_attention = read + x
    return after_attention + mlp(norm2(after_attention))
""",
    "strongest_induction_head": """
def strongest_induction_head(patterns, period):
    if patterns.dim() != 4:
        raise ValueError("patterns must be (n_layers, n_heads, L, L)")
    n_layers, n_heads, length, _ = patterns.shape
    if length <= period:
        raise ValueError("no repeat")
    best, where = None, None
    for layer in range(n_layers):
        for head in range(n_heads):
            weights = [float(patterns[layer, head, i, i - period + 1]) for i in range(period, length)]
            score = sum(weights) / len(weights)
            if best is None or score > best:
                best, where = score, (layer + 1, head)
    return where
""",
}

# for each assignment, correct answers written differently from the instructor's (full marks)
ALTERNATIVE = {
    "ch01_line": HONEST_CH01,
    "ch02_hinge": HONEST_CH02,
    "ch03_next_token": HONEST_CH03,
    "ch04_attention": HONEST_CH04_EINSUM,
    "ch05_multi_head": HONEST_CH05,
    "ch06_copying_names": HONEST_CH06,
    "ch07_name": HONEST_CH07,
}
