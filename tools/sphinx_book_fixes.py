"""Small Sphinx fixes for the web book (loaded through ``sphinx.local_extensions`` in _config.yml).

Each one removes a console error that readers' browsers (and the browser tests) would otherwise
see on every page with Jupyter Book 1.0.4, sphinx-book-theme 1.3 and pydata-sphinx-theme 0.17:

- sphinx-thebe registers its inline configuration script twice, so the second copy fails with
  "Identifier 'THEBE_JS_URL' has already been declared": identical scripts are kept once.
- The theme's colour mode starts empty ("Got invalid theme mode: ."): it now starts light,
  which suits the book's matplotlib figures; readers can still switch.

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


def setup(app):
    # the chapters execute in kernels started from this process: they show each demo's web version
    # (an explorable) instead of a live widget that would compute nothing on a static page
    os.environ["ATTNLAB_BOOK_BUILD"] = "1"
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    _time_every_cell()
    _add_budget_column(Path(app.srcdir))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
