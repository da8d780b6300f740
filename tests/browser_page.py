"""A page opened from a file in headless Chromium, for the browser tests that write their own test
pages (tests/built/test_copy_trainer.py, tests/built/test_name_writer.py)."""

from __future__ import annotations

from pathlib import Path


class Page:
    """One page in a fresh context; every console error and every request off the page.

    ``schemes`` are the URL schemes the page may load: its own file, and for a page that starts a
    Web Worker from an inline script, ``blob:``."""

    def __init__(
        self,
        browser,
        path: Path,
        viewport=None,
        javascript: bool = True,
        schemes: tuple[str, ...] = ("file:",),
    ):
        self.schemes = schemes
        self.context = browser.new_context(
            viewport=viewport or {"width": 1280, "height": 900}, java_script_enabled=javascript
        )
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.route("**/*", self._only_the_page)
        self.page.goto(path.as_uri(), wait_until="load", timeout=90_000)

    def _only_the_page(self, route) -> None:
        if route.request.url.startswith(self.schemes):
            route.continue_()
        else:
            self.problems.append(f"request off the page: {route.request.url}")
            route.abort()

    def close(self) -> None:
        self.context.close()
