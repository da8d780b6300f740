"""Small Sphinx fixes for the web book (loaded through ``sphinx.local_extensions`` in _config.yml).

Each one removes a console error that readers' browsers (and the browser tests) would otherwise
see on every page with Jupyter Book 1.0.4, sphinx-book-theme 1.3 and pydata-sphinx-theme 0.17:

- sphinx-thebe registers its inline configuration script twice, so the second copy fails with
  "Identifier 'THEBE_JS_URL' has already been declared": identical scripts are kept once.
- The theme's colour mode starts empty ("Got invalid theme mode: ."): it now starts light,
  which suits the book's matplotlib figures; readers can still switch.

One for execution: nbclient asks the kernel's shell channel for a cell's reply with one wait as
long as the cell's timeout. After a cell that shows an ipywidget, that wait can miss the reply
that has already arrived and return it only when the timeout runs out: Chapter 1 then took 313 s
instead of 13 (its kernel-only widget cell's reply arrived at once; the next cell started 300 s
later; jupyter/nbclient#312). Every wait is cut into slices of at most a second, each of which
ends with a fresh look at the socket, so a reply is seen within a second.

One for speed: ``make book`` and ``make test`` build with Sphinx's parallel reading
(``tools/build_book.py``), where reading a chapter is executing it, so two chapters execute at once.
Sphinx reads one document at a time when any extension leaves ``parallel_read_safe`` undeclared,
as three of Jupyter Book's own do; for them it is declared here, after reading their code: none of
them does anything while a document is read (``sphinx_multitoc_numbering`` renumbers the table of
contents after reading, ``sphinx-mathjax-offline`` copies MathJax's files into the output, and
``sphinx_jupyterbook_latex`` acts only for LaTeX builds).

Two more for the timings page (book/timings.md):

- every cell's execution is timed (nbclient's ``record_timing``), so that
  ``tools/cell_times.py`` can list the slowest cells after a build;
- the execution table gets a column with each chapter's budget, from the notebook's metadata
  (``"attnlab": {"budget_seconds": ...}``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from docutils import nodes

#: Where a chapter keeps its time budget, in its notebook's metadata.
BUDGET_KEY = ("attnlab", "budget_seconds")


def _script_key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    filename = getattr(script, "filename", script) or ""  # None and "" both mean inline
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    if not context.get("default_mode"):
        context["default_mode"] = "light"
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


#: The longest single wait for a kernel message (seconds).
SLICE_SECONDS = 1.0


def sliced_get_msg(get_msg):
    """``get_msg(timeout=...)`` of a jupyter_client channel, waiting in slices of at most
    ``SLICE_SECONDS`` until the message comes or the whole timeout has passed."""
    import time
    from queue import Empty

    async def get(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = SLICE_SECONDS if deadline is None else deadline - time.monotonic()
            try:
                return await get_msg(timeout=max(0.0, min(SLICE_SECONDS, left)))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    get.sliced = True
    return get


def slice_kernel_waits() -> None:
    """Make every nbclient kernel client wait for shell and IOPub messages in short slices."""
    from nbclient.client import NotebookClient

    start = NotebookClient.async_start_new_kernel_client
    if getattr(start, "slices_waits", False):
        return

    async def start_and_slice(self):
        kc = await start(self)
        for channel in (kc.shell_channel, kc.iopub_channel):
            if not getattr(channel.get_msg, "sliced", False):
                channel.get_msg = sliced_get_msg(channel.get_msg)
        return kc

    start_and_slice.slices_waits = True
    NotebookClient.async_start_new_kernel_client = start_and_slice


def _time_every_cell() -> None:
    from myst_nb.core.execute import cache

    execute = cache.single_nb_execution
    if getattr(execute, "times_cells", False):
        return

    def timed(*args, **kwargs):
        kwargs.setdefault("record_timing", True)
        return execute(*args, **kwargs)

    timed.times_cells = True
    cache.single_nb_execution = timed


def budget_seconds(notebook: Path) -> float | None:
    """The chapter's time budget, from its notebook's metadata (None where it states none)."""
    if not notebook.exists():
        return None
    meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    value = meta.get(BUDGET_KEY[0], {}).get(BUDGET_KEY[1])
    return float(value) if value is not None else None


def _add_budget_column(srcdir: Path) -> None:
    from myst_nb.ext import execution_tables as tables

    make = tables.make_stat_table
    if getattr(make, "adds_budgets", False):
        return

    def with_budgets(parent_docname, metadata):
        table = make(parent_docname, metadata)
        tgroup = table.children[0]
        tgroup["cols"] += 1
        tgroup.insert(tgroup["cols"] - 1, nodes.colspec(colwidth=10))
        head, body = tgroup.children[-2], tgroup.children[-1]
        head.children[0].append(nodes.entry("", nodes.paragraph(text="Budget (s)")))
        docnames = [d for d in sorted(metadata) if metadata[d].get("exec_data")]
        for row, docname in zip(body.children, docnames, strict=True):
            budget = budget_seconds(srcdir / f"{docname}.ipynb")
            text = "-" if budget is None else f"{budget:g}"
            row.append(nodes.entry("", nodes.paragraph(text=text)))
        return table

    with_budgets.adds_budgets = True
    tables.make_stat_table = with_budgets


#: Jupyter Book's extensions that leave ``parallel_read_safe`` undeclared, and read nothing.
QUIET_WHILE_READING = (
    "sphinx_multitoc_numbering",
    "sphinx-mathjax-offline",
    "sphinx_jupyterbook_latex",
)


def _declare_parallel_reading(app) -> None:
    for name in QUIET_WHILE_READING:
        extension = app.extensions.get(name)
        if extension is not None and extension.parallel_read_safe is None:
            extension.parallel_read_safe = True


def setup(app):
    # the chapters execute in kernels started from this process: they show each demo's web version
    # (an explorable) instead of a live widget that would compute nothing on a static page
    os.environ["ATTNLAB_BOOK_BUILD"] = "1"
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("builder-inited", _declare_parallel_reading)
    slice_kernel_waits()
    _time_every_cell()
    _add_budget_column(Path(getattr(app, "srcdir", ".")))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
