"""A link check of the built site: every internal link and asset points at a file that exists,
and every #anchor at an id on that page. (Outside links are not fetched: the tests run offline.)"""

from __future__ import annotations

import functools
import html.parser
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from paths import BUILD_HTML

SITE = Path(os.environ.get("ATTNLAB_HTML", BUILD_HTML)).resolve()
PAGES = sorted(
    p
    for p in SITE.rglob("*.html")
    if not p.relative_to(SITE).parts[0].startswith(("_", ".", "widgets"))
)


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name):
                self.ids.add(attrs[name])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "a" and name == "src"):
                self.links.append(attrs[name])


@functools.cache
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_internal_links_resolve(page):
    broken = []
    for link in _parse(page).links:
        url = urlparse(link)
        if url.scheme or url.netloc or link.startswith(("mailto:", "javascript:", "data:")):
            continue  # outside links and inline data
        target = page if not url.path else (page.parent / unquote(url.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists() or SITE not in (target, *target.parents):
            broken.append(f"{link} (no file {target})")
            continue
        if url.fragment and target.suffix == ".html":
            if unquote(url.fragment) not in _parse(target).ids:
                broken.append(f"{link} (no #{url.fragment} in {target.name})")
    assert not broken, f"{page.relative_to(SITE)}: broken links:\n" + "\n".join(broken)


def test_the_site_was_checked():
    if not (SITE / "index.html").exists():
        pytest.fail(f"the book is not built at {SITE}: run `make book` first")
    assert PAGES, "no pages found"


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if p.parent.name == "book" and p.name.startswith("ch")],
    ids=lambda p: p.name,
)
def test_chapters_have_colab_and_binder_buttons(page):
    text = page.read_text(encoding="utf-8")
    notebook = f"book/{page.stem}.ipynb"
    assert "colab.research.google.com/github/" in text and notebook in text, "no Colab button"
    assert "mybinder.org/v2/gh/" in text, f"{page.name}: no Binder button"
