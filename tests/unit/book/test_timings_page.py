"""The timings page shows a chapter that failed as failed: a real (tiny) Jupyter Book build."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from paths import ROOT


def _notebook(code: str) -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Page"},
            {
                "cell_type": "code",
                "metadata": {},
                "source": code,
                "outputs": [],
                "execution_count": None,
            },
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_a_failed_chapter_shows_as_failed(tmp_path: Path) -> None:
    course = yaml.safe_load((ROOT / "_config.yml").read_text())
    config = {"title": "t", "execute": course["execute"], "only_build_toc_files": True}
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: timings\nchapters:\n  - file: good\n  - file: broken\n"
    )
    shutil.copy(ROOT / "book" / "timings.md", tmp_path / "timings.md")
    (tmp_path / "good.ipynb").write_text(json.dumps(_notebook("print(1 + 1)")))
    (tmp_path / "broken.ipynb").write_text(json.dumps(_notebook("raise ValueError('claim')")))
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    done = subprocess.run(
        [str(jupyter_book), "build", str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    page = (tmp_path / "_build" / "html" / "timings.html").read_text()
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {
        name: next(r for r in body.split("<tr") if f">{name}<" in r) for name in ("good", "broken")
    }
    assert "✅" in rows["good"] and "❌" not in rows["good"]
    assert "❌" in rows["broken"] and "CellExecutionError" in rows["broken"]
    broken = (tmp_path / "_build" / "html" / "broken.html").read_text()
    assert "ValueError" in broken  # the failed chapter's page shows the error
