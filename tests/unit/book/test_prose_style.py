"""A chapter's prose speaks to the student about the run on the page, and its bookkeeping hides.

Three checks, each shown to fail on a planted example below:

- **template glitches** in the markdown: "between 100% and 100%", "5 of the five seeds", "1 of 1",
  and "between" typed in front of a glued range (the glued text may be one number). Glued text is
  computed, so the phrase builders of ``attnlab.core.claims`` (``between``, ``span``,
  ``count_of``) are tested for their edge cases in ``tests/unit/core/test_claims.py``;
- **words for a reviewer** in the markdown: the test suite, unit tests, the claims suite, CI,
  processors, "every seed we ran". A student reads about this run ("on this run", "try another
  seed"); how the course is checked belongs in CONTRIBUTING.md;
- **a visible code cell whose only job is to glue**: glue lines and the plumbing that only feeds
  them go in a hidden cell tagged ``remove-cell``.
"""

from __future__ import annotations

import ast
import re

import pytest

from notebook_cells import load, source
from paths import CHAPTERS

#: Chapter 7 is rewritten on another branch; its failures here are expected until it lands.
REWRITTEN: dict[str, str] = {}  # chapter stem -> why its failure is expected (none now)

_NUMBER_WORDS = "no one two three four five six seven eight nine ten".split()
_COUNT = r"(\d+|" + "|".join(_NUMBER_WORDS[1:]) + r")"
_STRIP = [
    re.compile(r"```.*?```", re.S),  # fenced blocks (code, directives)
    re.compile(r"\$\$.*?\$\$", re.S),  # display math
    re.compile(r"\$[^$\n]+\$"),  # inline math
    re.compile(r"`[^`\n]*`"),  # inline code
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"https?://\S+"),
]
_GLUE = re.compile(r"\{glue(?::text)?\}`([^`]*)`")


def _prose(markdown: str) -> str:
    """The sentences of a markdown cell: a glued value becomes GLUE(name), code and math go."""
    markdown = _GLUE.sub(lambda m: f"GLUE({m.group(1)})", markdown)
    for pattern in _STRIP:
        markdown = pattern.sub(" ", markdown)
    return re.sub(r"\s+", " ", markdown)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS.index(word.lower())


def template_glitches(markdown: str) -> list[str]:
    """Phrases of a template that missed its edge case: equal ends, or counts whose words clash."""
    text = _prose(markdown)
    found = [m.group(0) for m in re.finditer(r"\bbetween (\S+) and \1(?!\S)", text)]
    for m in re.finditer(rf"(?i)\b{_COUNT} (?:of|out of) (?:the |these |all )?{_COUNT}\b", text):
        if _count(m.group(1)) == _count(m.group(2)):
            found.append(m.group(0))  # "5 of the five seeds": say "all five seeds"
    # "between" before a glued value: the glued range can be a single number ("between 100%")
    found += [m.group(0) for m in re.finditer(r"\bbetween GLUE\([^)]*\)", text)]
    return found


_REVIEWER = [
    r"\btest suite\b",
    r"\bunit tests?\b",
    r"\bclaims? (?:suite|tests?|checks?)\b",
    r"\bthe course's claims\b",
    r"\bthe claim this chapter tests\b",
    r"\bthe course's tests\b",
    r"\bCI\b",
    r"\bprocessors?\b",
    r"\b(?:every|each|all|more|other|the) seeds? (?:we|the course) (?:ran|tried|run|tries)\b",
    r"\bfair by construction\b",
]


def reviewer_words(markdown: str) -> list[str]:
    """Words written for someone who checks the course, not for the student reading the page."""
    text = _prose(markdown)
    return [
        m.group(0) for p in _REVIEWER for m in re.finditer(p, text, flags=0 if "CI" in p else re.I)
    ]


def _name(node: ast.AST) -> str | None:
    return getattr(node, "id", None) or getattr(node, "attr", None)


def _is_glue(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) == "glue"


def glue_only(code: str) -> bool:
    """True when every statement of a cell glues, or only computes something that is glued.

    A statement glues when it is a ``glue(...)`` call (or a loop of such calls); an assignment only
    feeds the glue when each name it binds is read in the cell only inside ``glue(...)`` calls or
    by other such assignments.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython magics: the Colab cell
        return False
    body = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
    if not body or not any(_is_glue(n) for n in ast.walk(tree)):
        return False
    inside_glue = {id(n) for c in ast.walk(tree) if _is_glue(c) for n in ast.walk(c)}
    assigns = [
        s for s in ast.walk(tree) if isinstance(s, (ast.Assign, ast.AnnAssign, ast.AugAssign))
    ]

    def targets(stmt: ast.AST) -> set[str]:
        nodes = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return {n.id for t in nodes for n in ast.walk(t) if isinstance(n, ast.Name)}

    feeding = {id(n) for s in assigns for n in ast.walk(s.value) if s.value is not None}

    def reads(name: str) -> list[ast.Name]:
        return [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
        ]

    def feeds_only_glue(stmt: ast.AST) -> bool:
        names = targets(stmt)
        return bool(names) and all(
            id(n) in inside_glue or id(n) in feeding for name in names for n in reads(name)
        )

    def ok(stmt: ast.stmt) -> bool:
        if isinstance(stmt, ast.Expr):
            return _is_glue(stmt.value)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            return _is_glue(stmt.value) or feeds_only_glue(stmt)
        if isinstance(stmt, (ast.For, ast.If)):
            return all(ok(s) for s in stmt.body + stmt.orelse)
        if isinstance(stmt, ast.FunctionDef):  # a helper defined only to build glued text
            return all(id(n) in inside_glue for n in reads(stmt.name))
        return False

    return all(ok(s) for s in body)


def _visible_code(nb: dict) -> list[tuple[int, str]]:
    return [
        (number, source(cell))
        for number, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code"
        and "remove-cell" not in cell.get("metadata", {}).get("tags", [])
    ]


def _markdown(nb: dict) -> list[tuple[int, str]]:
    return [(n, source(c)) for n, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"]


def _alt_texts(nb: dict) -> list[tuple[int, str]]:
    """The alt text of every figure cell: the student who cannot see the figure reads it."""
    return [
        (n, c["metadata"]["mystnb"]["image"]["alt"])
        for n, c in enumerate(nb["cells"])
        if c.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")
    ]


def _fail_or_xfail(path, problems: list, what: str) -> None:
    if problems and path.stem in REWRITTEN:
        pytest.xfail(REWRITTEN[path.stem])
    assert not problems, f"{path.name}: {what} (cell, text): {problems}"


# --- the checkers catch what they are for --------------------------------------------------------


@pytest.mark.parametrize(
    "planted",
    [
        "Four heads end between 100% and 100% on the five seeds.",
        "It reached 90% on 5 of the five seeds.",
        "On 1 of 1 seeds it jumped.",
        "On three of the three seeds.",
        "One head ends between {glue:text}`final_1`.",
    ],
)
def test_a_planted_template_glitch_is_caught(planted: str) -> None:
    assert template_glitches(planted)


def test_ordinary_ranges_and_counts_pass() -> None:
    text = (
        "Four heads end between 97% and 100%; three of the five seeds reached 90%, and "
        "{glue:text}`reached_4` passed it. `between(x, x)` in code is not prose."
    )
    assert template_glitches(text) == []


@pytest.mark.parametrize(
    "planted",
    [
        "(and so did each of 20 more seeds in the test suite)",
        "The unit tests repeat this on random sizes.",
        "more in the course's claims tests, on several kinds of processor",
        "The claim this chapter tests: an MLP struggles.",
        "The comparison is fair by construction.",
        "It solved XOR on every seed we ran.",
        "CI runs it nightly.",
    ],
)
def test_planted_reviewer_words_are_caught(planted: str) -> None:
    assert reviewer_words(planted)


def test_ordinary_english_passes() -> None:
    text = (
        "Try another seed: on this run the claim of the chapter holds. Olsson et al. claim "
        "that induction heads form early; a specific case (CIFAR) is another matter."
    )
    assert reviewer_words(text) == []


@pytest.mark.parametrize(
    "planted",
    [
        'glue("needed", needed)',
        'mean_gap = sum(gaps) / len(gaps)\nglue("gap_mean", mean_gap)\nglue("gap_range", f"{min(gaps)}")',
        'for model in results:\n    glue(f"{model}_seen", span(seen[model]))',
        "def low_high(v):\n    return f'{min(v)} to {max(v)}'\n\nglue('r', low_high(acc))",
        "from attnlab.core.claims import glue\n\nx = glue('x', 3)",
    ],
)
def test_a_planted_glue_only_cell_is_caught(planted: str) -> None:
    assert glue_only(planted)


@pytest.mark.parametrize(
    "fine",
    [
        'acc = run()\nprint(f"{acc:.1%}")\nglue("acc", acc)',  # teaches something, then glues
        'mean = glue("m", sum(v) / len(v))\nprint(f"mean {mean:.1%}")',
        "plots.plot_cost(cost);",
        "%pip install attnlab",
    ],
)
def test_a_cell_that_teaches_is_not_flagged(fine: str) -> None:
    assert not glue_only(fine)


# --- the chapters --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_template_glitch_in_the_prose(path):
    nb = load(path)
    problems = [
        (n, g) for n, text in _markdown(nb) + _alt_texts(nb) for g in template_glitches(text)
    ]
    _fail_or_xfail(path, problems, "a phrase template missed its edge case")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_prose_speaks_to_the_student(path):
    nb = load(path)
    texts = _markdown(nb) + _alt_texts(nb)
    problems = [(n, w) for n, text in texts for w in reviewer_words(text)]
    _fail_or_xfail(
        path, problems, "words for a reviewer in the student's prose (move them to CONTRIBUTING.md)"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_visible_cell_only_glues(path):
    problems = [(n, code[:60]) for n, code in _visible_code(load(path)) if glue_only(code)]
    _fail_or_xfail(
        path, problems, "a visible cell only glues: move it into a hidden cell tagged remove-cell"
    )


def glue_calls(code: str) -> int:
    """How many ``glue(...)`` calls a cell makes."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return 0
    return sum(_is_glue(n) for n in ast.walk(tree))


def test_glue_calls_are_counted() -> None:
    assert glue_calls('x = 1\nprint(glue("x", x), glue("y", 2))') == 2
    assert glue_calls("plots.plot(x);") == 0


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_glue_lives_in_hidden_cells(path):
    """A student reads ideas between the ideas, not bookkeeping: every glue call is hidden."""
    problems = [(n, code[:60]) for n, code in _visible_code(load(path)) if glue_calls(code)]
    _fail_or_xfail(
        path,
        problems,
        "a visible cell calls glue: move the glue lines into a hidden remove-cell cell",
    )
