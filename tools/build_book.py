"""``jupyter-book build`` that executes two chapters at once.

Jupyter Book 1.x's command line has no option for Sphinx's parallel reading, and reading a
chapter is executing its notebook. This runs the same command with ``jobs`` set (Sphinx's
``-j``) to ``ATTNLAB_BOOK_JOBS`` (default 2): on two cores, two chapters execute side by side,
each kernel with its own thread (see the Makefile), instead of one after the other.
Arguments are those of ``jupyter-book build``.
"""

from __future__ import annotations

import functools
import os
import sys

import jupyter_book.sphinx
from jupyter_book.cli.main import main


def book_jobs(value: str | None) -> int:
    """The number of chapters to execute at once, from ``ATTNLAB_BOOK_JOBS`` (unset: 2)."""
    if value is None:
        return 2
    if not value.strip().isdigit() or int(value) < 1:
        raise SystemExit(f"ATTNLAB_BOOK_JOBS must be a whole number of 1 or more, got {value!r}")
    return int(value)


if __name__ == "__main__":
    jobs = book_jobs(os.environ.get("ATTNLAB_BOOK_JOBS"))
    jupyter_book.sphinx.build_sphinx = functools.partial(
        jupyter_book.sphinx.build_sphinx, jobs=jobs
    )
    sys.exit(main(["build", *sys.argv[1:]]))
