"""The built book in a real browser (Debian's Chromium driven by Playwright), served on localhost.

- every page loads with no console error, no failed request and no request to another host
  (the book must work on a classroom network that blocks CDNs);
- every chapter shows its figures, and every image has alt text;
- every explorable responds to its controls and shows the numbers that
  ``attnlab.explorables.reference`` computes in Python, to 1e-6; a chapter whose notebook calls
  an explorable must show it;
- without JavaScript an explorable shows its static note, never a dead control;
- a kernel-only ipywidget is labelled as such and its starting state is drawn;
- one screenshot per chapter at desktop and at phone width under ``_build/screenshots/``, and no
  page is wider than a phone's screen.

Run after the book is built (``make test`` does both). ``ATTNLAB_HTML=/path/to/_build/html``
points the tests at another build; ``ATTNLAB_CHROMIUM`` at another Chromium binary.
"""

from __future__ import annotations

import functools
import http.server
import json
import math
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from paths import BUILD_HTML

SITE = Path(os.environ.get("ATTNLAB_HTML", BUILD_HTML)).resolve()
SOURCE = SITE.parents[1]  # the book's root: <root>/_build/html
SHOTS = SITE.parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TOLERANCE = 1e-6

PAGES = sorted(
    p.relative_to(SITE).as_posix()
    for p in SITE.rglob("*.html")
    if not p.relative_to(SITE).parts[0].startswith(("_", ".", "widgets"))
)
CHAPTER_PAGES = [p for p in PAGES if re.fullmatch(r"book/ch\d+[^/]*\.html", p)]
EXPLORABLE_RE = re.compile(r'data-attnlab-explorable="([a-z-]+)"')
# (page, position on the page, kind), from what the built pages actually contain
EXPLORABLES = [
    (page, i, kind)
    for page in CHAPTER_PAGES
    for i, kind in enumerate(EXPLORABLE_RE.findall((SITE / page).read_text(encoding="utf-8")))
]
# explorable functions -> the kind they write on the page
FUNCTION_KIND = {
    "line_fitter": "line-fitter",
    "hinge_builder": "hinge-builder",
    "softmax_temperature": "softmax-temperature",
    "attention_explorer": "attention-explorer",
    "head_viewer": "head-viewer",
    "copy_trainer": "copy-trainer",
    "name_writer": "name-writer",
}


# ---- fixtures: a static server and a browser ---------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site():
    if not (SITE / "index.html").exists():
        pytest.fail(f"the book is not built at {SITE}: run `make book` (or `make test`) first")
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


_PAGE_READY = "() => document.documentElement.getAttribute('data-attnlab-ready') === '1'"
# generous: a page is ready in about a second, but a machine grading notebooks beside the browser
# can be many times slower
READY_TIMEOUT_MS = 90_000
# ipywidgets controls a reader would try to move (a tqdm progress bar is a widget too, but it only
# shows how far a computation got, so it needs no label)
_CONTROLS = ", ".join(
    f".widget-{kind}"
    for kind in (
        "slider",
        "dropdown",
        "button",
        "toggle-button",
        "toggle-buttons",
        "checkbox",
        "text",
        "textarea",
        "select",
        "radio",
        "play",
        "colorpicker",
        "datepicker",
    )
)


class Visit:
    """One page in a fresh browser context, with everything that went wrong on the way."""

    def __init__(self, browser, site: str, path: str, viewport=DESKTOP, javascript=True):
        self.context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
        self.context.set_default_timeout(READY_TIMEOUT_MS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on(
            "requestfailed",
            lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"),
        )
        self.page.on(
            "response",
            lambda r: (
                self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None
            ),
        )
        self.page.route("**/*", self._only_localhost)
        # a machine grading notebooks beside the browser can take far longer than Playwright's
        # 30 s default to load a page, so every wait here gets the generous READY_TIMEOUT_MS
        self.page.goto(f"{site}/{path}", wait_until="load", timeout=READY_TIMEOUT_MS)
        if javascript:
            # _static/attnlab.js marks the page ready once every explorable has drawn its first
            # state and the widget manager has drawn every embedded ipywidget (some sit in closed
            # dropdowns, so it waits for every view rather than for one to be visible)
            self.page.wait_for_function(_PAGE_READY, timeout=READY_TIMEOUT_MS)

    def _only_localhost(self, route) -> None:
        host = urlparse(route.request.url).hostname
        if host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="session")
def visit(browser, site):
    """``visit(path, viewport=..., javascript=...)``: the page, loaded once per session and
    shared by the tests that only read it (the explorable tests move its sliders last)."""
    opened: dict[tuple, Visit] = {}

    def _visit(path: str, viewport=DESKTOP, javascript=True) -> Visit:
        key = (path, tuple(sorted(viewport.items())), javascript)
        if key not in opened:
            opened[key] = Visit(browser, site, path, viewport=viewport, javascript=javascript)
        return opened[key]

    yield _visit
    for v in opened.values():
        v.close()


# ---- every page --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors_or_outside_requests(visit, path):
    v = visit(path)
    assert not v.problems, f"{path}:\n" + "\n".join(v.problems)


# ---- chapters: figures, screenshots, phone width, widgets ---------------------------------------


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_chapter_shows_its_figures_with_alt_text(visit, path):
    page = visit(path).page
    images = page.eval_on_selector_all(
        "article img",
        "els => els.map(e => ({src: e.getAttribute('src'), alt: e.getAttribute('alt'),"
        " ok: e.complete && e.naturalWidth > 0, w: e.getBoundingClientRect().width}))",
    )
    figures = [i for i in images if "_images/" in (i["src"] or "")]
    assert figures, f"{path} shows no figure"
    broken = [i["src"] for i in images if not i["ok"] or i["w"] == 0]
    assert not broken, f"{path}: images that do not show: {broken}"
    no_alt = [i["src"] for i in images if not (i["alt"] or "").strip()]
    assert not no_alt, (
        f"{path}: images without alt text (give the cell "
        f'"mystnb": {{"image": {{"alt": "..."}}}} metadata): {no_alt}'
    )


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_chapter_screenshots_and_phone_width(visit, path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = Path(path).stem
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = visit(path, viewport=viewport).page
        page.screenshot(path=str(SHOTS / f"{stem}-{name}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, (
            f"{path} is {width}px wide at {name} width {viewport['width']}px: something does not "
            "shrink (make wide outputs scroll inside their own box)"
        )


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_kernel_only_widgets_are_labelled_and_drawn(visit, path):
    page = visit(path).page
    cells = page.eval_on_selector_all(
        "div.cell:has(script[type='application/vnd.jupyter.widget-view+json'])",
        """(els, controls) => els.map(e => ({
            tagged: e.classList.contains('tag_kernel-only'),
            label: getComputedStyle(e.querySelector('.cell_output'), '::before').content,
            drawn: e.querySelectorAll('.jupyter-widgets').length,
            controls: e.querySelectorAll(controls).length,
            images: [...e.querySelectorAll('.cell_output img')].map(i => i.getAttribute('alt')),
            text: e.innerText.slice(0, 80)}))""",
        _CONTROLS,
    )
    for cell in cells:
        assert cell["drawn"], f"{path}: a widget was not drawn (widget JS missing?): {cell['text']}"
        if not cell["controls"]:  # a progress bar: it computes nothing and needs no label
            assert not cell["tagged"], f"{path}: {cell['text']!r} has no controls to label"
            continue
        assert cell["tagged"], (
            f"{path}: an ipywidgets cell without the `kernel-only` tag ({cell['text']!r}); in the "
            "web book its controls would compute nothing, so tag the cell `kernel-only`"
        )
        assert "live kernel" in cell["label"], f"{path}: the kernel-only label is missing"
        assert cell["images"], f"{path}: a kernel-only widget shows no starting figure"
        assert all((alt or "").strip() for alt in cell["images"]), f"{path}: figure without alt"


# ---- explorables -------------------------------------------------------------------------------


def _close(got, want, where: str) -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), f"{where}: keys {got} vs {want}"
        for key in want:
            _close(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, (list, tuple)):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: {got} vs {want}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _close(g, w, f"{where}[{i}]")
    elif isinstance(want, str) or want is None:
        assert got == want, f"{where}: {got!r} vs {want!r}"
    else:
        assert isinstance(got, (int, float)) and math.isfinite(got), f"{where}: {got!r}"
        assert abs(got - want) <= TOLERANCE * max(1.0, abs(want)), f"{where}: {got} vs {want}"


_SET = """(el, value) => { el.value = value;
  el.dispatchEvent(new Event('input', {bubbles: true})); return el.value; }"""


@pytest.mark.parametrize(
    ("path", "index", "kind"), EXPLORABLES, ids=[f"{p}-{i}-{k}" for p, i, k in EXPLORABLES]
)
def test_explorable_responds_and_matches_python(visit, path, index, kind):
    from attnlab.explorables import reference

    v = visit(path)
    root = v.page.locator("[data-attnlab-explorable]").nth(index)
    assert root.get_attribute("data-attnlab-explorable") == kind
    assert root.locator(".ax-live").is_visible() and not root.locator(".ax-nojs").is_visible()
    data = json.loads(root.locator("script.attnlab-x-data").text_content())
    readout = root.locator(".ax-readout")

    def check(label: str) -> dict:
        state = json.loads(root.get_attribute("data-state"))
        _close(state["outputs"], reference(kind, data, state["controls"]), f"{kind} {label}")
        return state

    check("at the start")
    changed: set[str] = set()
    # a reader's hand on the first visible control (Playwright drives it like a user)
    sliders, menus = root.locator("input[type=range]:visible"), root.locator("select:visible")
    assert sliders.count() or menus.count(), f"{kind}: no control is visible"
    first = sliders.first if sliders.count() else menus.first
    before = readout.text_content()
    if sliders.count():
        first.fill(first.get_attribute("max"))
    else:
        first.select_option(index=first.locator("option").count() - 1)
    check("after a reader moved the first control")
    if readout.text_content() != before:
        changed.add(first.get_attribute("data-control"))
    # then every control through its range
    for control in root.locator("[data-control]").all():
        name = control.get_attribute("data-control")
        if control.evaluate("e => e.tagName") == "SELECT":
            values = [str(i) for i in range(control.locator("option").count())]
        else:
            low, high = float(control.get_attribute("min")), float(control.get_attribute("max"))
            values = [str(low + f * (high - low)) for f in (1.0, 0.0, 0.37, 0.81)]
        for value in values:
            before = readout.text_content()
            control.evaluate(_SET, value)
            check(f"with {name} = {value}")
            if readout.text_content() != before:
                changed.add(name)
    assert changed, f"{kind}: no control changed what the page shows"
    assert not v.problems, "\n".join(v.problems)
    if kind == "attention-explorer":  # clicking a token makes it the query
        v.page.locator("[data-attnlab-explorable]").nth(index).locator(
            ".ax-tokens button"
        ).first.click()
        assert check("after clicking the first token")["outputs"]["query"] == 0


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_chapters_show_the_explorables_their_notebooks_call(path):
    notebook = SOURCE / "book" / (Path(path).stem + ".ipynb")
    if not notebook.exists():
        pytest.skip(f"no notebook {notebook.name} next to this build")
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    # `explorables.line_fitter(...)`, or a name imported from attnlab.explorables (attnlab.widgets
    # has kernel widgets of the same names, so a bare `line_fitter(` alone does not count)
    imported = set()
    for group, line in re.findall(
        r"from attnlab\.explorables import (?:\(([^)]*)\)|([\w ,]+))", code
    ):
        imported |= {n.strip() for n in (group or line).split(",") if n.strip() in FUNCTION_KIND}
    called = {
        FUNCTION_KIND[name]
        for name in FUNCTION_KIND
        if re.search(r"\bexplorables\." + name + r"\s*\(", code)
        or (name in imported and re.search(r"(?<![.\w])" + name + r"\s*\(", code))
    }
    shown = set(EXPLORABLE_RE.findall((SITE / path).read_text(encoding="utf-8")))
    assert called <= shown, f"{path}: the notebook calls {called - shown} but the page lacks them"


@pytest.mark.parametrize("path", sorted({p for p, _, _ in EXPLORABLES}))
def test_explorables_without_javascript_show_a_static_note(visit, path):
    page = visit(path, javascript=False).page
    roots = page.locator("[data-attnlab-explorable]")
    for i in range(roots.count()):
        root = roots.nth(i)
        assert root.locator(".ax-nojs").is_visible(), f"{path}: explorable {i} shows no note"
        assert not root.locator("input, select").first.is_visible(), (
            f"{path}: explorable {i} shows a control that cannot work without JavaScript"
        )
