"""Tests of the built book: they need `jupyter-book build .` to have run (make test does it first)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_page import Page

from paths import BUILD_HTML

CHROMIUM = os.environ.get("ATTNLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def html_root():
    if not (BUILD_HTML / "index.html").exists():
        pytest.fail(
            "the book is not built: run `make book` (or `make test`, which builds it) first"
        )
    return BUILD_HTML


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (``ATTNLAB_CHROMIUM`` points elsewhere)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: `make browser-deps` installs it")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, request):
    """``open_page(path, viewport=..., javascript=...)``: a :class:`browser_page.Page`, closed after
    the test; a test module's ``PAGE_SCHEMES`` widens what its pages may load."""
    schemes = getattr(request.module, "PAGE_SCHEMES", ("file:",))
    opened: list[Page] = []

    def _open(path: Path, **options) -> Page:
        opened.append(Page(browser, path, schemes=schemes, **options))
        return opened[-1]

    yield _open
    for page in opened:
        page.close()
