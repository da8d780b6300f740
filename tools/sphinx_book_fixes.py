"""Small Sphinx fixes for the web book (loaded through ``sphinx.local_extensions`` in _config.yml).

Each one removes a console error that readers' browsers (and the browser tests) would otherwise
see on every page with Jupyter Book 1.0.4, sphinx-book-theme 1.3 and pydata-sphinx-theme 0.17:

- sphinx-thebe registers its inline configuration script twice, so the second copy fails with
  "Identifier 'THEBE_JS_URL' has already been declared": identical scripts are kept once.
- The theme's colour mode starts empty ("Got invalid theme mode: ."): it now starts light,
  which suits the book's matplotlib figures; readers can still switch.
"""

from __future__ import annotations

import os


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


def setup(app):
    # the chapters execute in kernels started from this process: they show each demo's web version
    # (an explorable) instead of a live widget that would compute nothing on a static page
    os.environ["ATTNLAB_BOOK_BUILD"] = "1"
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
