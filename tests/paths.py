"""Paths of the course, for tests (tests/ is on sys.path via pytest.ini; the repo root is not,
because the repo has a folder named `code`, like the standard library's module)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BUILD_HTML = ROOT / "_build" / "html"
CHAPTERS = sorted(BOOK.glob("ch*.ipynb"))
