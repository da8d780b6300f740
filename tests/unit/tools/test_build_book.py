"""The book build reads (executes) two chapters at once: tools/build_book.py passes Sphinx's
``jobs`` to Jupyter Book, and tools/sphinx_book_fixes.py declares the three Jupyter Book
extensions that leave parallel reading undeclared."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import SimpleNamespace

import pytest

from paths import ROOT

# Runs the real `jupyter-book build` through tools/build_book.py with Sphinx's reading replaced by
# a report of how it would read: in parallel or one document at a time, and in which chunks.
SPY = r"""
import json, os, runpy, sys
import sphinx.builders as builders
from sphinx.util.parallel import make_chunks

def serial(self, docnames):
    print("READ " + json.dumps({"parallel": False}), flush=True)
    os._exit(0)

def parallel(self, docnames, nproc):
    print("READ " + json.dumps({"parallel": True, "chunks": make_chunks(docnames, nproc)}), flush=True)
    os._exit(0)

builders.Builder._read_serial = serial
builders.Builder._read_parallel = parallel
sys.argv = ["build_book.py", ".", "--path-output", sys.argv[1], "--all"]
runpy.run_path("tools/build_book.py", run_name="__main__")
"""


def _load_fixes():
    spec = importlib.util.spec_from_file_location(
        "sphinx_book_fixes", ROOT / "tools" / "sphinx_book_fixes.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_the_named_undeclared_extensions_are_declared():
    fixes = _load_fixes()

    def extension(name, safe):
        return SimpleNamespace(name=name, parallel_read_safe=safe)

    extensions = {name: extension(name, None) for name in fixes.QUIET_WHILE_READING}
    extensions["sphinx_jupyterbook_latex"].parallel_read_safe = False  # said no: stays no
    extensions["someone_else"] = extension("someone_else", None)  # not ours to declare
    fixes._declare_parallel_reading(SimpleNamespace(extensions=extensions))
    assert extensions["sphinx_multitoc_numbering"].parallel_read_safe is True
    assert extensions["sphinx-mathjax-offline"].parallel_read_safe is True
    assert extensions["sphinx_jupyterbook_latex"].parallel_read_safe is False
    assert extensions["someone_else"].parallel_read_safe is None


def test_the_book_build_reads_the_chapters_two_at_a_time(tmp_path):
    import json

    done = subprocess.run(
        [sys.executable, "-c", SPY, str(tmp_path)],
        cwd=ROOT,
        env={"ATTNLAB_BOOK_JOBS": "2", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("READ ")]
    assert lines, done.stdout[-2000:] + done.stderr[-2000:]
    read = json.loads(lines[-1][len("READ ") :])
    assert read["parallel"], "Sphinx would read one document at a time: " + done.stderr[-2000:]
    chunks = read["chunks"]
    chapter_7 = next(i for i, chunk in enumerate(chunks) if "book/ch07_name" in chunk)
    # the longest chapter shares its chunk with at most one other chapter
    beside = [d for d in chunks[chapter_7] if d.startswith("book/ch") and d != "book/ch07_name"]
    assert len(beside) <= 1, chunks


def test_a_bad_number_of_jobs_is_refused_by_name():
    spec = importlib.util.spec_from_file_location("build_book", ROOT / "tools" / "build_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.book_jobs(None) == 2
    assert module.book_jobs("1") == 1
    for bad in ("0", "two", "-1", ""):
        with pytest.raises(SystemExit, match="ATTNLAB_BOOK_JOBS must be a whole number"):
            module.book_jobs(bad)
