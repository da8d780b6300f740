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


def _timings_rows(html_root) -> dict[str, tuple[float, float | None]]:
    """The timings page's table: {chapter: (run time in seconds, budget in seconds or None)}."""
    html = (html_root / "book" / "timings.html").read_text(encoding="utf-8")
    body = html[html.index("<tbody") : html.index("</tbody>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        name = cells[0].split("/")[-1]
        budget = None if cells[-1] in ("", "-") else float(cells[-1])
        rows[name] = (float(cells[3]), budget)
    return rows


def test_every_chapter_ran_within_twice_its_budget(html_root):
    """The timings page shows each chapter's time against its budget; more than twice the budget
    is a stall or a slowdown to find, not noise."""
    rows = _timings_rows(html_root)
    for path in CHAPTERS:
        assert path.stem in rows, f"the timings page has no row for {path.stem}"
        seconds, budget = rows[path.stem]
        assert budget, f"{path.stem} states no budget_seconds in its notebook metadata"
        assert seconds <= 2 * budget, (
            f"{path.stem} took {seconds:.0f} s in the book build, more than twice its budget of "
            f"{budget:.0f} s: look at tools/cell_times.py's table for the slow cells"
        )
