"""Release and grade the course's assignments (`make assignments`, `make grade`).

    python assignments/course.py release                 # nbgrader generate_assignment, all
    python assignments/course.py grade                   # grade submitted/, feedback/, grades.csv
    python assignments/course.py grade --assignment ch01_line --student alice   # regrade a part
    python assignments/course.py score alice ch05_multi_head heads_cost_answer 1  # a manual score

The course directory is this folder, or the one named by --root or $ATTNLAB_COURSE.

How a round of grading works (book/teachers_guide.md has the teacher's view):
- nbgrader makes the student versions and keeps the gradebook (gradebook.db), but it does not
  run student code: nbgrader's autograde runs it with the grader's rights, in the course folder.
- Each submission runs in a throwaway folder that holds only that student's files: the answer
  cells are the student's, every other cell (imports, tests, hidden tests) comes from source/.
  Where `bwrap` (Debian's bubblewrap) works, the run is sealed: read-only file system, the course
  folder hidden, no network. Otherwise the summary says the round ran WITHOUT isolation.
- The hidden tests do not decide anything inside the student's Python process: they `record`
  the student's results on the teacher's inputs, which leave the process as plain JSON, and
  this grading process compares them with the results of the instructor's solution.
- Scores reach the gradebook from this process only. Before writing them it checks that no
  protected file changed (gradebook.db, source/, release/, submitted/); if one did, it stops,
  names the student(s) and puts the gradebook back as it was.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import csv
import hashlib
import html
import importlib
import io
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_OUTPUT_CHARS = 20_000
MAX_RECORD_NUMBERS = 200_000
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
FORBID = re.compile(r"^#\s*grader:\s*forbid\s+(.+)$", re.M)
LMS_NAME = r"{name}(?: ?\(\d+\)|[-_ ]\d+)?\.ipynb"  # ch02_hinge (1).ipynb, ch02_hinge-2.ipynb
GRACE_S = 15  # beyond the cell limit, before a cell that ignores the limit is killed


def cell_timeout() -> int:
    return int(os.environ.get("ATTNLAB_CELL_TIMEOUT", "60"))


def _cut(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    keep = MAX_OUTPUT_CHARS // 2
    cut = len(text) - 2 * keep
    return f"{text[:keep]}\n... [{cut} characters of output cut by the grader] ...\n{text[-keep:]}"


# ==== inside the sandbox: run the cells, write one JSON line per cell ==============================
class CellTimeoutError(Exception):
    pass


def _plain(value, depth=0):
    """value as plain JSON data; exact types only, so no look-alike object passes for a result."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if depth > 6:
        return {"unsupported": "nested too deep"}
    if kind in (list, tuple):
        if len(value) > MAX_RECORD_NUMBERS:
            return {"unsupported": "too long"}
        return {"seq": kind.__name__, "items": [_plain(v, depth + 1) for v in value]}
    numpy = sys.modules.get("numpy")
    torch = sys.modules.get("torch")
    if numpy is not None and kind in (numpy.bool_,):
        return bool(value)
    if numpy is not None and issubclass(kind, numpy.generic) and kind.__module__ == "numpy":
        return value.item()
    array = None
    if numpy is not None and kind is numpy.ndarray:
        array = ("ndarray", str(value.dtype), list(value.shape), value)
    if torch is not None and kind is torch.Tensor:
        data = torch.Tensor.detach(value).cpu()
        array = ("tensor", str(data.dtype), list(data.shape), data)
    if array is None:
        return {"unsupported": f"{kind.__module__}.{kind.__qualname__}"}
    tag, dtype, shape, data = array
    if math.prod(shape) > MAX_RECORD_NUMBERS:
        return {"unsupported": "too large"}
    flat = data.reshape(-1).tolist()
    if not all(type(x) in (bool, int, float) for x in flat):
        return {"unsupported": f"{tag} of {dtype}"}
    return {"array": tag, "dtype": dtype, "shape": shape, "data": flat}


def run_cells(box: Path) -> None:
    """Run box/cells.json in order; append a JSON line per cell to box/results.jsonl."""
    job = json.loads((box / "cells.json").read_text())
    limit, skip = job["timeout"], set(job["skip"])
    results = open(box / "results.jsonl", "a")  # noqa: SIM115 (kept open for the whole run)
    real_stdout, real_stderr = sys.stdout, sys.stderr

    def alarm(signum, frame):
        raise CellTimeoutError(f"this cell ran for more than {limit} s and was stopped")

    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    shell = InteractiveShell.instance(config=config)
    namespace = shell.user_ns

    shared_cases = job.get("cases", {})
    for index, cell in enumerate(job["cells"]):
        if index in skip:
            continue
        records: list = []

        def record(label, value, records=records, **how):
            """What a hidden test hands to the grader: a label and the student's result."""
            try:
                data = _plain(value)
            except Exception as problem:  # a result that cannot even be read is wrong
                data = {"unsupported": type(problem).__name__}
            records.append({"label": str(label), "value": data, "how": how})
            return value

        def cases(name, shared=shared_cases):
            """The inputs of exercise `name` that the book's check uses too: (label, args) pairs."""
            return [(label, tuple(args)) for label, args in copy.deepcopy(shared[name])]

        def raises(error, function, *args, **kwargs):
            """True when function(*args, **kwargs) raises `error`."""
            try:
                function(*args, **kwargs)
            except error:
                return True
            except Exception:
                return False
            return False

        out, err = io.StringIO(), io.StringIO()
        failure = None
        start = time.perf_counter()
        signal.signal(signal.SIGALRM, alarm)
        signal.alarm(limit)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                if cell["role"] == "test":
                    # a test cell skips IPython's input and AST transformers: plain Python
                    namespace["record"], namespace["raises"] = record, raises
                    namespace["cases"] = cases
                    code = compile(cell["source"], f"<test cell {cell['id']}>", "exec")
                    exec(code, namespace)  # noqa: S102 (the course's own test code)
                else:
                    result = shell.run_cell(cell["source"], store_history=False, silent=False)
                    error = result.error_before_exec or result.error_in_exec
                    if error is not None:
                        failure = {"ename": type(error).__name__, "evalue": str(error)[:2000]}
        except BaseException as error:  # noqa: BLE001 (anything a test cell raises fails it)
            failure = {
                "ename": type(error).__name__,
                "evalue": str(error)[:2000],
                "traceback": "".join(traceback.format_exception(error, limit=-3))[-4000:],
            }
        finally:
            signal.alarm(0)
            sys.stdout, sys.stderr = real_stdout, real_stderr
        line = {
            "index": index,
            "stdout": _cut(out.getvalue()),
            "stderr": _cut(err.getvalue()),
            "error": failure,
            "records": records,
            "seconds": round(time.perf_counter() - start, 3),
        }
        results.write(json.dumps(line) + "\n")
        results.flush()
    results.close()


# ==== the grading process ========================================================================
def nbgrader(root: Path, *args: str, quiet: bool = False) -> int:
    """Run one nbgrader command in the course directory; returns its exit status."""
    env = dict(os.environ)
    # nbgrader calls `alembic` (its database migrations) by name: it must be on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [sys.executable, "-m", "nbgrader", *args]
    print("$ nbgrader " + " ".join(args), flush=True)
    output = subprocess.PIPE if quiet else None
    done = subprocess.run(command, cwd=root, env=env, stdout=output, stderr=output, text=True)
    if done.returncode != 0 and quiet:
        print(done.stdout[-3000:], done.stderr[-3000:])
    return done.returncode


def assignments(root: Path) -> list[str]:
    """The assignments of the course: one folder each under source/."""
    return sorted(p.name for p in (root / "source").iterdir() if (p / f"{p.name}.ipynb").is_file())


def release(root: Path, names: list[str] | None = None) -> None:
    """Generate the student versions (no solutions, no hidden tests) into release/."""
    for name in names or assignments(root):
        if nbgrader(root, "generate_assignment", name, "--force") != 0:
            raise SystemExit(f"nbgrader could not generate the student version of {name}")
    print(f"Student versions are in {root / 'release'}")


def _gradebook(root: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{root / 'gradebook.db'}")


def _in_gradebook(root: Path, name: str) -> bool:
    from nbgrader.api import MissingEntry

    if not (root / "gradebook.db").exists():
        return False
    with _gradebook(root) as gradebook:
        try:
            gradebook.find_assignment(name)
        except MissingEntry:
            return False
    return True


# ---- the assignment, read from source/ -----------------------------------------------------------
@dataclass
class Cell:
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
    return source.split(HIDDEN_BEGIN)[0].rstrip() + "\n"


def read_assignment(root: Path, name: str) -> list[Cell]:
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


def _without_markers(source: str) -> str:
    return "\n".join(
        line for line in source.splitlines() if line.strip() not in (SOLUTION_BEGIN, SOLUTION_END)
    )


# ---- building the notebook that runs: the student's answers, the course's tests ----------------
@dataclass
class Run:
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


def build_run(spec: list[Cell], student_nb) -> Run:
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


# ---- the sandbox ---------------------------------------------------------------------------------
_BWRAP: tuple[bool, str] | None = None


def isolation() -> tuple[bool, str]:
    """(whether runs are sealed with bwrap, a sentence for the summary)."""
    global _BWRAP
    if _BWRAP is None:
        if os.environ.get("ATTNLAB_SANDBOX", "").lower() in ("off", "0", "no"):
            _BWRAP = (False, "ATTNLAB_SANDBOX=off was set")
        elif shutil.which("bwrap") is None:
            _BWRAP = (False, "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)")
        else:
            probe = subprocess.run(
                ["bwrap", *_bwrap_base(), "--die-with-parent", "true"],
                capture_output=True,
                text=True,
            )
            if probe.returncode == 0:
                _BWRAP = (
                    True,
                    "each notebook ran under bwrap: only the system and Python, read-only; "
                    "its own folder writable; no network",
                )
            else:
                reason = (probe.stderr.strip() or f"exit status {probe.returncode}")[:200]
                _BWRAP = (False, f"bwrap is installed but cannot run here: {reason}")
    return _BWRAP


def _bwrap_base(root: Path | None = None) -> list[str]:
    """The system and this Python, read-only; nothing else of the machine (no /home, no course).

    Empty folders are laid over /tmp and the course first, then the system and Python are bound on
    top, so a Python that lives inside the course (its .venv) or under /tmp stays usable.
    """
    hide = ["--tmpfs", "/tmp"] + (["--tmpfs", str(root)] if root is not None else [])
    binds = []
    places = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"]
    places += [sys.prefix, sys.base_prefix, sys.exec_prefix]
    places.append(str(Path(os.path.realpath(sys.executable)).parent.parent))
    for place in dict.fromkeys(places):
        if os.path.exists(place):
            binds += ["--ro-bind", place, place]
    return [
        *hide,
        *binds,
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--new-session",
    ]


def _command(box: Path, root: Path, sealed: bool) -> list[str]:
    python = [sys.executable, "-I", str(box / "runner.py"), "run-cells", str(box)]
    if not sealed:
        return python
    return [
        "bwrap",
        *_bwrap_base(root),
        "--bind",
        str(box),
        str(box),
        "--die-with-parent",
        "--chdir",
        str(box / "work"),
        "--setenv",
        "HOME",
        str(box / "home"),
        *python,
    ]


def execute(run: Run, files: Path | None, root: Path, label: str) -> list[dict | None]:
    """Run the cells in a throwaway folder; one result per cell (None: it never ran)."""
    sealed, _ = isolation()
    limit = cell_timeout()
    results: list[dict | None] = [None] * len(run.cells)
    killers: dict[int, str] = {}
    box = Path(tempfile.mkdtemp(prefix="attnlab-grade-"))
    try:
        for _attempt in range(3):
            if box.exists():
                shutil.rmtree(box, ignore_errors=True)
            (box / "home").mkdir(parents=True)
            if files is not None:
                shutil.copytree(files, box / "work", ignore=shutil.ignore_patterns("*.ipynb"))
            else:
                (box / "work").mkdir()
            shutil.copy(Path(__file__), box / "runner.py")
            job = {
                "timeout": limit,
                "skip": sorted(killers),
                "cells": run.cells,
                "cases": run.cases,
            }
            (box / "cells.json").write_text(json.dumps(job))
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(box / "home"),
                "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1",
                "MPLBACKEND": "Agg",
                "PYTHONHASHSEED": "0",
                "LANG": "C.UTF-8",
                "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            }
            process = subprocess.Popen(
                _command(box, root, sealed),
                cwd=box / "work",
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            stderr_tail = io.StringIO()
            reader = threading.Thread(
                target=lambda p=process, s=stderr_tail: s.write(
                    p.stderr.read().decode(errors="replace")[-3000:]
                ),
                daemon=True,
            )
            reader.start()
            done: dict[int, dict] = {}
            last = time.monotonic()
            hung = False
            while True:
                finished = process.poll() is not None
                lines = _read_results(box)
                if len(lines) > len(done):
                    last = time.monotonic()
                done = {line["index"]: line for line in lines}
                if finished:
                    break
                allowed = limit + GRACE_S + (20 if not done else 0)  # startup: imports
                if time.monotonic() - last > allowed:
                    hung = True
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    break
                time.sleep(0.1)
            reader.join(timeout=5)
            for index, line in done.items():
                if 0 <= index < len(results):
                    results[index] = line
            todo = [i for i in range(len(run.cells)) if i not in done and i not in killers]
            if not todo:
                break
            culprit = todo[0]
            killers[culprit] = (
                f"this cell ran for more than {limit} s, ignored the time limit and was killed"
                if hung
                else "the Python process ended while this cell ran (os._exit, a crash, or all "
                "memory used): the notebook was run again without it"
            )
            print(
                f"  {label}: cell {culprit} stopped the run; running again without it", flush=True
            )
    finally:
        shutil.rmtree(box, ignore_errors=True)
    for index, reason in killers.items():
        results[index] = {
            "index": index,
            "stdout": "",
            "stderr": "",
            "records": [],
            "error": {"ename": "CellKilled", "evalue": reason},
            "killed": True,
        }
    return results


def _read_results(box: Path) -> list[dict]:
    path = box / "results.jsonl"
    if not path.exists():
        return []
    lines = []
    for raw in path.read_text(errors="replace").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            break  # a line being written
        if isinstance(line, dict) and isinstance(line.get("index"), int):
            lines.append(line)
    return lines


# ---- comparing the student's results with the instructor's ---------------------------------------
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
    task: str
    points: float
    score: float | None  # None: graded by hand, not yet
    reason: str
    details: list[str] = field(default_factory=list)  # for the teacher, when asked
    manual: bool = False  # a free-text answer, graded by hand


def score_run(spec, run, results, reference) -> list[TaskResult]:
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


# ---- the protected files of the course -------------------------------------------------------------
PROTECTED = ("gradebook.db", "source", "release", "submitted", "nbgrader_config.py", "course.py")


def fingerprint(root: Path) -> dict[str, str]:
    prints = {}
    for name in PROTECTED:
        path = root / name
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for p in paths:
            if p.is_file():
                prints[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return prints


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def manual_scores(root: Path) -> dict:
    if not (root / "gradebook.db").exists():
        return {}
    scores = {}
    with _gradebook(root) as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.manual_score is not None:
                            scores[(submission.student.id, assignment.name, grade.name)] = (
                                grade.manual_score
                            )
    return scores


# ---- finding a student's notebook ----------------------------------------------------------------
def find_notebook(folder: Path, name: str) -> tuple[Path | None, str]:
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


def read_submission(path: Path):
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # any reason the file is not a notebook
        return None, f"{path.name} is not a readable Jupyter notebook ({type(error).__name__})"
    if not isinstance(nb.get("cells"), list):
        return None, f"{path.name} has no cells"
    return nb, ""


def _timestamp(folder: Path) -> str | None:
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


# ---- one round ------------------------------------------------------------------------------------
@dataclass
class Graded:
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
        source = _without_markers(cell.source) if cell.role == "answer" else cell.source
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


def grade_one(root, name, spec, reference, student) -> Graded:
    folder = root / "submitted" / student / name
    path, note = find_notebook(folder, name)
    stamp = _timestamp(folder)
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
    status = _load_status(root)
    graded_now: list[Graded] = []
    for name in assignments(root):
        if only_assignment and name != only_assignment:
            continue
        students = [s for s in _submissions(root, name) if not only_student or s == only_student]
        if not students:
            continue
        if not _in_gradebook(root, name):
            release(root, [name])
        spec = read_assignment(root, name)
        edited = stored_cells_differ(root, name, spec)
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
        before, manual_before = fingerprint(root), manual_scores(root)
        graded: list[Graded] = []
        if jobs == 1:  # one at a time: a changed file points at exactly one student
            for student in students:
                graded.append(grade_one(root, name, spec, reference, student))
                changed = _changed(before, fingerprint(root))
                if changed:
                    return _stop(root, backup, name, [student], changed)
        else:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                running = [
                    (pool.submit(grade_one, root, name, spec, reference, s), s) for s in students
                ]
                for number, (future, _) in enumerate(running):
                    graded.append(future.result())
                    changed = _changed(before, fingerprint(root))
                    if changed:  # this student or one that ran beside it
                        suspects = [s for f, s in running[number:] if f.running() or f.done()]
                        pool.shutdown(wait=True, cancel_futures=True)
                        return _stop(root, backup, name, suspects, changed)
        if manual_scores(root) != manual_before:
            return _stop(root, backup, name, students, ["gradebook.db (manual scores)"])
        for item in graded:
            store(root, item)
            status[f"{item.student}/{name}"] = item.status
        backup.unlink(missing_ok=True)
        graded_now.extend(graded)
    _save_status(root, status)
    export(root, status)
    summary(root, graded_now, time.perf_counter() - start, sealed, how)
    return 0


def stored_cells_differ(root: Path, name: str, spec: list[Cell]) -> list[str]:
    """The read-only cells whose copy in the gradebook is not the one in source/."""
    from nbgrader.api import MissingEntry

    locked = {c.grade_id: c.source for c in spec if c.role in ("locked", "test")}
    with _gradebook(root) as gradebook:
        try:
            notebook = gradebook.find_notebook(name, name)
        except MissingEntry:
            return []
        return sorted(
            c.name for c in notebook.source_cells if c.name in locked and c.source != locked[c.name]
        )


def _stop(root, backup, name, suspects, changed) -> int:
    shutil.copy(backup, root / "gradebook.db")
    backup.unlink(missing_ok=True)
    print(
        f"TAMPERING while grading {name}: a protected file changed during the run of "
        f"{', '.join(suspects)}:"
    )
    for path in changed[:20]:
        print(f"    {path}")
    print(
        "Grading stopped. gradebook.db is as it was before this round; no grade of this round "
        "was written. Restore the other changed files (source/ from git, submitted/ from your "
        "copy) and grade again without that student's notebook."
    )
    return 2


def store(root: Path, item: Graded) -> None:
    """The scores into the gradebook (never a manual score), the graded notebook and the page."""
    from nbgrader.api import MissingEntry

    with _gradebook(root) as gradebook:
        gradebook.update_or_create_student(item.student)
        if item.status.startswith("graded"):
            stamp = {"timestamp": item.timestamp} if item.timestamp else {}
            with warnings.catch_warnings():  # nbgrader's own SQLAlchemy warnings on a new one
                warnings.simplefilter("ignore")
                gradebook.update_or_create_submission(item.assignment, item.student, **stamp)
            for task in item.tasks:
                cell = task.task if task.manual else f"{task.task}_tests"
                try:
                    grade = gradebook.find_grade(
                        cell, item.assignment, item.assignment, item.student
                    )
                except MissingEntry:
                    continue
                grade.auto_score = task.score
                grade.needs_manual_grade = task.score is None and grade.manual_score is None
            gradebook.db.commit()
            for task in item.tasks:  # what the gradebook counts (a manual score wins)
                cell = task.task if task.manual else f"{task.task}_tests"
                with contextlib.suppress(MissingEntry):
                    grade = gradebook.find_grade(
                        cell, item.assignment, item.assignment, item.student
                    )
                    if grade.manual_score is not None:
                        task.score = float(grade.manual_score)
                        task.reason += f" (score set by hand: {grade.manual_score:g})"
        # not graded: an earlier graded submission stays in the gradebook (with any score set
        # by hand); grades.csv shows this round's status and no score
    write_notebook(root, item)
    page = root / "feedback" / item.student / item.assignment / f"{item.assignment}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(feedback_page(item))


def write_notebook(root: Path, item: Graded) -> None:
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


def _load_status(root: Path) -> dict:
    path = root / "grading_status.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _save_status(root: Path, status: dict) -> None:
    (root / "grading_status.json").write_text(json.dumps(status, indent=1, sort_keys=True))


def export(root: Path, status: dict) -> None:
    """grades.csv (one row per student and assignment) and grades_by_task.csv, from the gradebook."""
    from nbgrader.api import MissingEntry

    rows, task_rows = [], []
    with _gradebook(root) as gradebook:
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


def summary(root, graded: list[Graded], seconds: float, sealed: bool, how: str) -> None:
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


def set_manual_score(root: Path, student: str, name: str, task: str, points: float) -> None:
    from nbgrader.api import MissingEntry

    with _gradebook(root) as gradebook:
        for cell in (task, f"{task}_tests"):
            try:
                grade = gradebook.find_grade(cell, name, name, student)
            except MissingEntry:
                continue
            if points > grade.max_score:
                raise SystemExit(f"{task} is worth at most {grade.max_score:g} points")
            grade.manual_score = points
            grade.needs_manual_grade = False
            gradebook.db.commit()
            print(f"{student}/{name}/{task}: {points:g} (by hand; a later `make grade` keeps it)")
            break
        else:
            raise SystemExit(f"no graded submission of {name} by {student} with a task {task}")
    export(root, _load_status(root))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["release", "grade", "score", "run-cells"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--root", type=Path, default=os.environ.get("ATTNLAB_COURSE") or HERE)
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
        release(root)
        return 0
    if args.command == "score":
        student, name, task, points = args.args
        set_manual_score(root, student, name, task, float(points))
        return 0
    return grade(root, args.assignment, args.student)


if __name__ == "__main__":
    sys.exit(main())
