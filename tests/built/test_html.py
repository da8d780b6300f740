"""The built HTML book holds every chapter, with its figures and without error output."""

from __future__ import annotations

import re

import pytest

from paths import CHAPTERS


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_page_has_figures_and_no_errors(html_root, path):
    page = html_root / "book" / f"{path.stem}.html"
    assert page.exists(), f"{page} was not built"
    html = page.read_text(encoding="utf-8")
    # myst-nb renders an error output as <div class="output traceback ...">, stderr as "output stderr"
    errors = re.findall(r'class="output (?:traceback|error|stderr)\b', html)
    assert not errors, f"{page.name} shows an error output: {errors}"
    images = re.findall(r"<img[^>]+src=\"([^\"]+\.png)\"", html)
    assert images, f"{page.name} shows no figure"
    for src in images:
        assert (page.parent / src).resolve().exists(), f"{page.name}: missing image {src}"


def test_index_links_every_chapter(html_root):
    index = (html_root / "book" / "intro.html").read_text(encoding="utf-8")
    for path in CHAPTERS:
        assert f"{path.stem}.html" in index, f"the intro does not link {path.stem}"
