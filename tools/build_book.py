"""``jupyter-book build`` that executes two chapters at once.

Jupyter Book 1.x's command line has no option for Sphinx's parallel reading, and reading a
chapter is executing its notebook. This runs the same command with ``jobs`` set (Sphinx's
``-j``) to ``ATTNLAB_BOOK_JOBS`` (default 2): on two cores, two chapters execute side by side,
each kernel with its own thread (see the Makefile), instead of one after the other.
Arguments are those of ``jupyter-book build``.
"""

import functools
import os
import sys

import jupyter_book.sphinx
from jupyter_book.cli.main import main

if __name__ == "__main__":
    jobs = int(os.environ.get("ATTNLAB_BOOK_JOBS", "2"))
    jupyter_book.sphinx.build_sphinx = functools.partial(
        jupyter_book.sphinx.build_sphinx, jobs=jobs
    )
    sys.exit(main(["build", *sys.argv[1:]]))
