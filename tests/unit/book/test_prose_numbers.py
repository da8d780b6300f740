"""Numbers in the prose come from the run; claims are one hidden `expect` line, never an assert.

A measured figure typed into a chapter's markdown (a percentage or a decimal) is allowed only if
- it is glued from the run (``{glue:text}`name:.1%```), or
- it is a bound that a hidden ``expect(...)`` line of the same chapter states (the figure appears in
  that call's claim text, so the build fails when the run does not bear it out), or
- it is a setting or an exact constant, listed below with its reason.
Numbers inside math, code and links are not prose figures.
"""

from __future__ import annotations

import ast
import re

import pytest

from notebook_cells import load, source
from paths import CHAPTERS

#: Figures that are not measured: settings of the experiments and exact constants.
NOT_MEASURED: dict[str, dict[str, str]] = {
    "ch01_line": {},
    "ch02_hinge": {
        "0.01": "setting: the 'good enough' error bar GOOD of the hinge builder and the fits",
        "0.5": "setting: the threshold the hand-set XOR network subtracts",
        "4.0": "not a result: the version of the CC BY 4.0 licence of the digits",
    },
    "ch03_next_token": {
        "10%": "setting: the last tenth of the text is held out",
        "90%": "setting: the first 90% of the text is trained on",
        "0.5%": "constant: guessing one of 200 names",
        "0.01": "setting: the larger MLP's learning rate",
        "4.0": "the version of the text's licence, CC BY 4.0",
    },
    "ch04_attention": {"0.5%": "constant: guessing one of 200 names"},
    "ch05_multi_head": {
        "10%": "constant: guessing one of 10 answers",
        "90%": "setting: the weight on one half that counts as fetching it, and the accuracy "
        "level the steps are counted to",
    },
    "ch06_copying_names": {
        "0.01": "setting: the learning rate of the MLP and one layer",
        "0.005": "setting: the learning rate of two layers",
        "3.9": "constant: ln 48, the loss of a blind guess among the 48 pool tokens",
        "0.5": "threshold the chapter sets: an induction score of 0.5 counts as high",
        "90%": "threshold: a seed counted as getting nearly all held-out names right",
        "80%": "thresholds: a head counted as doing its job; the top of the jump",
        "20%": "threshold: the bottom of the jump",
    },
}

_FIGURE = re.compile(r"(?<![\w.$])\d+(?:\.\d+)?\s?%|(?<![\w.$])\d+\.\d+(?![\w.%])")
_STRIP = [
    re.compile(r"```.*?```", re.S),  # fenced blocks (code, directives)
    re.compile(r"\$\$.*?\$\$", re.S),  # display math
    re.compile(r"\$[^$\n]+\$"),  # inline math
    re.compile(r"\{[\w:-]+\}`[^`]*`"),  # roles: {glue:text}`x:.1%`, {math}`...`
    re.compile(r"`[^`\n]*`"),  # inline code
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"https?://\S+"),
]


def prose_figures(markdown: str) -> list[str]:
    """The measured-looking figures typed in a markdown cell (normalised: "97 %" -> "97%")."""
    for pattern in _STRIP:
        markdown = pattern.sub(" ", markdown)
    return [re.sub(r"\s", "", m) for m in _FIGURE.findall(markdown)]


def _is_expect(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "expect"
    )


def _expect_calls(code: str) -> list[ast.Call]:
    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython magics: the Colab cell
        return []
    return [node for node in ast.walk(tree) if _is_expect(node)]


def checked_bounds(nb: dict) -> set[str]:
    """Every figure that appears in the claim text of an ``expect`` call of the notebook."""
    figures: set[str] = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for call in _expect_calls(source(cell)):
            if len(call.args) >= 2:
                for node in ast.walk(call.args[1]):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        figures.update(prose_figures(node.value))
    return figures


def test_the_figure_finder() -> None:
    text = "It gets 97% (and 0.25 of the weight), $\\sqrt{2} = 1.41$, `lr=0.03`, 5 seeds."
    assert prose_figures(text) == ["97%", "0.25"]
    assert prose_figures("{glue:text}`acc:.1%` and 12.5 %") == ["12.5%"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_typed_figure_is_glued_or_checked(path):
    nb = load(path)
    allowed = checked_bounds(nb) | set(NOT_MEASURED.get(path.stem, {}))
    typed = []
    for number, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            typed += [(number, f) for f in prose_figures(source(cell)) if f not in allowed]
    assert not typed, (
        f"{path.name}: these figures are typed into the prose but neither glued from the run nor "
        f"stated by an expect(...) claim (cell, figure): {typed}"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_assert_walls(path):
    """A student's "Run all" never stops on a bare AssertionError; claims are expect() lines."""
    for number, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        code = source(cell)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        assert not asserts, (
            f"{path.name} cell {number} has an assert: use attnlab.core.claims.expect"
        )
        if _expect_calls(code):
            tags = cell.get("metadata", {}).get("tags", [])
            assert "remove-cell" in tags, f"{path.name} cell {number}: claim cells are hidden"
            others = [
                s
                for s in tree.body
                if not isinstance(s, (ast.Import, ast.ImportFrom))
                and not (isinstance(s, ast.Expr) and _is_expect(s.value))
            ]
            assert not others, (
                f"{path.name} cell {number}: a claim cell holds only expect(...) lines"
            )
