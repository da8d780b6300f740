"""Tests of the built book: they need `jupyter-book build .` to have run (make test does it first)."""

from __future__ import annotations

import pytest

from paths import BUILD_HTML


@pytest.fixture(scope="session")
def html_root():
    if not (BUILD_HTML / "index.html").exists():
        pytest.fail(
            "the book is not built: run `make book` (or `make test`, which builds it) first"
        )
    return BUILD_HTML
