"""Shared test settings: headless plotting and the paths of the course."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BUILD_HTML = ROOT / "_build" / "html"
CHAPTERS = sorted(BOOK.glob("ch*.ipynb"))
