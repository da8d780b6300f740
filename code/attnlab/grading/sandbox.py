"""The sandbox: run a notebook's cells in a throwaway folder, under bwrap where it works.

Each run gets a new folder under /tmp (the box) with the student's own files (work/), an empty
home/, the cells to run (cells.json) and a copy of `runner.py`, which runs them and writes one JSON
line per cell (results.jsonl). Under bwrap the run sees only the system and this Python,
read-only, and its box, writable; /tmp and the course folder are hidden; there is no network and
it is in its own process, IPC and host-name namespaces. Without bwrap (not installed, not
working, or ATTNLAB_SANDBOX=off) the run is NOT isolated, and `isolation()` says so.

A cell has ATTNLAB_CELL_TIMEOUT seconds (60 by default): the runner stops it with an alarm; one
that ignores the alarm is killed GRACE_S later, and one that ends the Python process is marked;
then the notebook runs again without that cell (three tries at most).

It may touch: it starts `bwrap` (or, unsealed, Python) as child processes, in their own process
group (killed as a group); it creates and deletes the box under the system's temp folder.
Nothing else, and it writes nothing in the course folder.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from attnlab.grading import runner
from attnlab.grading.rebuild import Run

GRACE_S = 15  # beyond the cell limit, before a cell that ignores the limit is killed
RUNNER = Path(runner.__file__)  # copied into each box: it runs there on its own


def cell_timeout() -> int:
    """Seconds a cell may run: ATTNLAB_CELL_TIMEOUT, 60 by default."""
    return int(os.environ.get("ATTNLAB_CELL_TIMEOUT", "60"))


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
            shutil.copy(RUNNER, box / "runner.py")
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
