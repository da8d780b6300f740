"""Inside the sandbox: run a notebook's cells one by one and write what each did as JSON.

This file runs on its own: the grader copies it into the submission's throwaway folder (the box)
and starts it there with `python -I runner.py run-cells BOX`, under bwrap where it works. So it
imports nothing of the course (the course folder is hidden in the sandbox), only the standard
library and IPython.

It may touch: BOX/cells.json (read), BOX/results.jsonl (one line appended per cell), and whatever
the student's cells do inside the box. It decides nothing: the hidden tests `record` the
student's results, which leave this process as plain JSON data, and the grading process compares
them with the instructor's (`score.py`).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import signal
import sys
import time
import traceback
from pathlib import Path

MAX_OUTPUT_CHARS = 20_000
MAX_RECORD_NUMBERS = 200_000


def _cut(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    keep = MAX_OUTPUT_CHARS // 2
    cut = len(text) - 2 * keep
    return f"{text[:keep]}\n... [{cut} characters of output cut by the grader] ...\n{text[-keep:]}"


class CellTimeoutError(Exception):
    """A cell ran past the time limit (its name shows in the feedback)."""


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


if __name__ == "__main__":  # python -I runner.py run-cells BOX, inside the sandbox
    if len(sys.argv) != 3 or sys.argv[1] != "run-cells":
        raise SystemExit("usage: python -I runner.py run-cells BOX")
    run_cells(Path(sys.argv[2]))
