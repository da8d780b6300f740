"""Chapter 7's "try your own name" (attnlab.ch07_name.explorable), checked in Chromium against
Python. The model is the one the book build trained: its data are read from the built Chapter 7
page (``ATTNLAB_HTML=/path/to/_build/html`` points at another build); the tests put the
JavaScript in pages of their own and open them from file://, offline.

- the tokenizer: ``bpe_tokenizer.js`` cuts 1,000 strings (accents, emoji, other scripts, odd
  white space) into exactly the ids of Python's ``encode``, and refuses a lone surrogate;
- the model: ``tinygpt.js``'s scores at every position of 20 prompts match PyTorch's (float32, the
  page's float16 weights) within 1e-4, and its greedy completions are Python's
  (``complete.finish``) token for token;
- the explorable: what it shows for the reader's own sentences (pieces, completion, the honest
  note, every head's weights at each step) is what ``reference`` computes in Python; the time
  each completion takes in the page is printed; it fits a phone and a desktop, has no console
  error and no request off the page, and shows its static note without JavaScript;
- one source of truth: the page carries Python's tokenizer, lead-in and name pieces, and the
  weights it adds to the page stay under 600 kB (printed).
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import statistics
from pathlib import Path

import pytest
import torch

from attnlab.ch03_next_token.tokenizer import load_corpus
from attnlab.ch07_name.complete import finish, note_for
from attnlab.ch07_name.experiment import MODELS, SentenceResult, lead_in, write_name
from attnlab.ch07_name.explorable import PAGE_FILES, model_from_spec, name_writer, page_data
from attnlab.ch07_name.sentences import (
    clause,
    course_tokenizer,
    make_names,
    make_split,
    name_sentence,
)
from attnlab.explorables import reference
from paths import BUILD_HTML

SITE = Path(os.environ.get("ATTNLAB_HTML", BUILD_HTML)).resolve()
CHAPTER = SITE / "book" / "ch07_name.html"
KIND = "name-writer"
SCORE_TOLERANCE = 1e-4
PAGE_BUDGET = 600_000  # bytes the explorable may add to the page
N_STRINGS = 1000
ROOT_RE = re.compile(
    r'<div class="attnlab-x" id="attnlab-name-writer-[^"]*" data-attnlab-explorable'
)
DATA_RE = re.compile(r'<script type="application/json" class="attnlab-x-data">(.*?)</script>', re.S)
END = "})();\n</script>\n</div>"

HARNESS = r"""
var tok = null, model = null;
window.setUp = function (d) { tok = BpeTokenizer.make(d.tokenizer); model = TinyGpt.load(d.model);
  return model.config; };
window.encodeAll = function (texts) { return texts.map(function (t) { return tok.encode(t); }); };
window.refusesLoneSurrogates = function () {
  return ["a" + String.fromCharCode(0xd800), String.fromCharCode(0xdc00) + "b"].map(function (t) {
    try { tok.encode(t); return "encoded"; } catch (e) { return e.message; } }); };
window.scoresOf = function (windows) { return windows.map(function (w) {
  return Array.from(TinyGpt.forward(model, w, {all: true}).scores); }); };
window.writeAll = function (a) { return a.prompts.map(function (ids) {
  return TinyGpt.writeName(model, ids, a.is_piece, a.max_pieces).written; }); };
"""

_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family:sans-serif;max-width:820px;margin:0 auto;padding:8px">{body}</body></html>
"""


@pytest.fixture(scope="module")
def built() -> dict:
    """The explorable of the built Chapter 7 page: its data and its size in bytes."""
    if not CHAPTER.exists():
        pytest.fail(f"the book is not built at {SITE}: run `make book` (or `make test`) first")
    html = CHAPTER.read_text(encoding="utf-8")
    found = ROOT_RE.search(html)
    assert found, f"{CHAPTER.name} has no {KIND} explorable"
    end = html.index(END, found.start()) + len(END)
    data = json.loads(DATA_RE.search(html, found.start()).group(1))
    return {"data": data, "bytes": len(html[found.start() : end].encode("utf-8"))}


@pytest.fixture(scope="module")
def model(built):
    return model_from_spec(built["data"]["model"])


@pytest.fixture(scope="module")
def pages(tmp_path_factory, built, model) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("name_writer")
    d = built["data"]
    result = _result(d, model)
    modules = "\n".join(path.read_text(encoding="utf-8") for path in PAGE_FILES[:2])
    out = {"math": folder / "math.html", "explorable": folder / "explorable.html"}
    out["math"].write_text(
        _PAGE.format(title="math", body=f"<script>\n{modules}\n{HARNESS}\n</script>"),
        encoding="utf-8",
    )
    out["explorable"].write_text(
        _PAGE.format(title="name writer", body=name_writer(result).data), encoding="utf-8"
    )
    return out


@pytest.fixture
def math(open_page, pages, built):
    v = open_page(pages["math"])
    v.page.evaluate("d => setUp(d)", built["data"])
    return v


# ---- one source of truth, and the page's weight -------------------------------------------------


def test_the_page_carries_pythons_data_and_stays_light(built, model, capsys):
    d = built["data"]
    tokenizer = course_tokenizer()
    assert d["tokenizer"] == tokenizer.spec(), "the page's tokenizer is Python's"
    assert d["lead_in"] == lead_in(model.context_length, random.Random(0))
    for key in ("lead_in", "is_piece", "first_pieces", "unseen_first", "more_pieces", "max_pieces"):
        assert d[key] == page_data(_result(d, model))[key], key
    weights = len(d["model"]["weights"])
    with capsys.disabled():
        print(
            f"\nname writer: {built['bytes'] / 1000:.0f} kB added to the page (weights "
            f"{weights / 1000:.0f} kB of base64 float16, {model_size(model):,} numbers); budget "
            f"{PAGE_BUDGET / 1000:.0f} kB"
        )
    assert built["bytes"] <= PAGE_BUDGET


def model_size(model) -> int:
    return sum(p.numel() for p in model.parameters())


def _result(d: dict, model) -> SentenceResult:
    return SentenceResult(
        MODELS["tinygpt"], d["seed"], model, {}, {"names_x_distances": d["heldout"]}, {}, 0.0
    )


# ---- the tokenizer ----------------------------------------------------------------------------

_FRAGMENTS = [
    *"é ñ ü ç ë ø å ß Æ œ".split(),
    "Zoë", "Ångström", "naïve", "café", "e\u0301", "Søren", "Łódź", "İstanbul", "Ñuñoa",
    "😀", "👍🏽", "👩\u200d👩\u200d👧", "🇫🇷", "❤️", "🔑", "\U0001f600\U0001f600",
    "Привет", "مرحبا", "日本語", "한국어", "ελληνικά", "हिन्दी", "ไทย",
    "2026", "٣", "½", "²", "3.14", "_", "__init__",
    ",", ".", "!?", "...", "'", '"', "—", "–", "«", "»", "(", ")", "-", "/", "#", "@",
    " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\u200b", "\ufeff",
    "\x00", "\x7f", "\u0301", "\u0085", "\u2028",
]  # fmt: skip


def _strings(n: int) -> list[str]:
    """``n`` strings: words and names of the course, accents, emoji, other scripts, odd spaces."""
    rng = random.Random(26)
    words = sorted(set(re.findall(r"\S+", load_corpus())))
    names = sorted(make_names())
    fixed = ["", " ", "I'm called Keyvan, so my name is", "I'm called Gabe, so my name is"]
    out = list(fixed)
    while len(out) < n:
        parts = []
        for _ in range(rng.randint(1, 12)):
            pool = rng.choice([words, names, _FRAGMENTS, _FRAGMENTS])
            parts.append(rng.choice(pool))
            parts.append(rng.choice(["", " ", " ", "  "]))
        out.append("".join(parts))
    return out


def test_the_tokenizer_cuts_like_pythons_encode(math, capsys):
    tokenizer = course_tokenizer()
    texts = _strings(N_STRINGS)
    got = math.page.evaluate("t => encodeAll(t)", texts)
    wrong = [
        (t, g, tokenizer.encode(t))
        for t, g in zip(texts, got, strict=True)
        if g != tokenizer.encode(t)
    ]
    assert not wrong, f"{len(wrong)} strings cut differently, e.g. {wrong[:3]}"
    emoji = sum(any(ord(c) > 0xFFFF for c in t) for t in texts)
    accents = sum(any(c in t for c in "éñüçëøåÆœ\u0301") for t in texts)
    with capsys.disabled():
        print(
            f"\ntokenizer: {len(texts)} strings cut as Python cuts them ({emoji} with emoji or "
            f"other characters beyond 16 bits, {accents} with accents)"
        )
    refusals = math.page.evaluate("() => refusesLoneSurrogates()")
    assert all("lone surrogate" in r for r in refusals), refusals
    with pytest.raises(ValueError, match="lone surrogate"):
        tokenizer.encode("a\ud800")
    assert not math.problems, math.problems


# ---- the model ----------------------------------------------------------------------------------


def _prompts() -> list[str]:
    """20 sentences: the chapter's test names at every distance, Keyvan, the reader's kind."""
    split = make_split()
    rng = random.Random(3)
    out = [
        "I'm called Keyvan, so my name is",
        "I'm called Keyvan, and she turned the big key, so my name is",
    ]
    for part in ("seen", "new_names", "names_x_distances", "far", "new_first"):
        for name, distance in rng.sample(list(split.tests[part]), 3):
            out.append(name_sentence(name, clause(distance, rng))[0])
    out += [
        "I'm called Zoë, so my name is",
        "Je m'appelle Élodie 🔑, so my name is",
        "Tom held the",
    ]
    return out[:20]


def test_the_models_scores_and_completions_match_pytorch(math, built, model, capsys):
    d = built["data"]
    tokenizer = course_tokenizer()
    prompts = _prompts()
    assert len(prompts) == 20
    ids = [d["lead_in"] + tokenizer.encode(" " + p.strip()) for p in prompts]
    windows = [row[-model.context_length :] for row in ids]
    got = torch.tensor(math.page.evaluate("w => scoresOf(w)", windows), dtype=torch.float64)
    with torch.no_grad():
        want32 = model(torch.tensor(windows)).double()
        want64 = copy.deepcopy(model).double()(torch.tensor(windows))
    worst32 = (got.reshape(want32.shape) - want32).abs().max().item()
    worst64 = (got.reshape(want64.shape) - want64).abs().max().item()
    written = math.page.evaluate(
        "a => writeAll(a)",
        {"prompts": ids, "is_piece": d["is_piece"], "max_pieces": d["max_pieces"]},
    )
    python = write_name(model, ids, d["max_pieces"])
    assert written == python, "the page writes what Python writes"
    assert [[tokenizer.token_string(t) for t in w] for w in written] == [
        finish(model, p) for p in prompts
    ], "and what `python -m attnlab.complete` writes"
    with capsys.disabled():
        print(
            f"\nTinyGPT: 20 prompts x {model.context_length} positions x {model.vocab_size} "
            f"scores; largest difference to PyTorch {worst32:.1e} (float32), {worst64:.1e} "
            f"(float64); the 20 greedy completions identical, e.g. "
            + "; ".join(repr("".join(finish(model, p))) for p in prompts[:3])
        )
    assert worst32 <= SCORE_TOLERANCE, worst32
    assert not math.problems, math.problems


# ---- the explorable -------------------------------------------------------------------------------

_SET = """(el, value) => { el.value = value;
  el.dispatchEvent(new Event('input', {bubbles: true})); return el.value; }"""

SENTENCES = [
    "I'm called Keyvan, so my name is",
    "I'm called Lanel, and she smiled at the old key, so my name is",
    "I'm called Gabe, so my name is",
    "I'm called Zoë, so my name is",
    "I'm called O'Neil, so my name is",
    "I'm called 🔑an, so my name is",
    "   I'm called Tomar, so my name is   ",
    "",
    "   ",
    "key " * 60,
]


def _close(got, want, where: str) -> None:
    if isinstance(want, dict):
        assert set(got) == set(want), f"{where}: keys {sorted(got)} vs {sorted(want)}"
        for key in want:
            _close(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: {got} vs {want}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _close(g, w, f"{where}[{i}]")
    elif isinstance(want, str):
        assert got == want, f"{where}: {got!r} vs {want!r}"
    else:
        assert abs(got - want) <= 1e-6 * max(1.0, abs(want)), f"{where}: {got} vs {want}"


def test_the_readers_sentences_get_pythons_answers(open_page, pages, built, capsys):
    v = open_page(pages["explorable"])
    root = v.page.locator("[data-attnlab-explorable]")
    first = json.loads(root.get_attribute("data-timing"))["ms"]  # with loading the model
    box, step = root.locator(".ax-text"), root.locator("[data-control=step]")
    times, notes = [], 0
    for text in SENTENCES:
        box.fill(text)
        state = json.loads(root.get_attribute("data-state"))
        assert state["controls"]["text"] == text
        times.append(json.loads(root.get_attribute("data-timing"))["ms"])
        want = reference(KIND, built["data"], state["controls"])
        _close(state["outputs"], want, repr(text))
        out = state["outputs"]
        if out["error"]:
            assert root.locator(".ax-readout").text_content() == out["error"]
            continue
        assert out["note"] == (note_for(text) or "")
        honest = root.locator(".ax-honest")
        assert honest.is_visible() == bool(out["note"])
        notes += bool(out["note"])
        assert root.locator(".ax-completion").text_content() == out["completion"]
        assert root.locator(".ax-heads figure").count() == len(out["rows"]) == 8
        for k in range(1, out["steps"] + 1):  # every writing step
            step.evaluate(_SET, str(k))
            state = json.loads(root.get_attribute("data-state"))
            _close(state["outputs"], reference(KIND, built["data"], state["controls"]), f"step {k}")
    assert notes >= 2, "the G-name and the emoji name get the honest note"
    assert not v.problems, v.problems
    # the first sentence is the one the page starts with: its time is the first one's
    written = [
        t for t, s in zip(times[1:], SENTENCES[1:], strict=True) if s.strip() and len(s) < 200
    ]
    with capsys.disabled():
        print(
            f"\nname writer: a completion takes {statistics.median(written):.0f} ms in the page "
            f"(median of {len(written)}, longest {max(written):.0f} ms; the first, with loading "
            f"the model, {first:.0f} ms)"
        )


@pytest.mark.parametrize("width", [1280, 390])
def test_it_fits_a_phone_and_a_desktop(open_page, pages, width, tmp_path):
    v = open_page(pages["explorable"], viewport={"width": width, "height": 900})
    page = v.page
    page.locator(".ax-text").fill("I'm called Lanel, and she smiled, so my name is")
    page.screenshot(path=str(tmp_path / f"name-writer-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    for i in range(8):
        box = page.locator(".ax-heads figure").nth(i).bounding_box()
        assert box and 100 < box["width"] <= width
    assert not v.problems, v.problems


def test_without_javascript_it_shows_its_static_note(open_page, pages):
    v = open_page(pages["explorable"], javascript=False)
    root = v.page.locator("[data-attnlab-explorable]")
    assert root.locator(".ax-nojs").is_visible()
    assert "runs in your browser with JavaScript" in root.locator(".ax-nojs").text_content()
    assert not root.locator("input").first.is_visible()
