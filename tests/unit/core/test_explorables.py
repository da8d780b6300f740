"""The web book's explorables (attnlab.explorables): their Python references agree with the
chapters' own functions and with plain arithmetic, their HTML is self-contained, and bad input
gets a clear error. (Their JavaScript is tested in a real browser: tests/built/test_browser.py.)"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from attnlab import explorables
from attnlab.ch04_attention.copy_run import AttentionCopyConfig
from attnlab.ch07_name.experiment import MODELS, SentenceResult
from attnlab.ch07_name.model import TinyGPT
from attnlab.ch07_name.sentences import course_tokenizer
from attnlab.explorables import reference

ROOT_RE = re.compile(r'<div class="attnlab-x" id="([^"]+)" data-attnlab-explorable="([a-z-]+)">')
DATA_RE = re.compile(r'<script type="application/json" class="attnlab-x-data">(.*?)</script>', re.S)
SCRIPT_RE = re.compile(r"<script>\n(\(function \(\) \{.*?\}\)\(\);)\n</script>", re.S)


def _parts(widget) -> tuple[str, str, dict, str]:
    html = widget.data
    ((root_id, kind),) = ROOT_RE.findall(html)
    (data,) = DATA_RE.findall(html)
    (script,) = SCRIPT_RE.findall(html)
    return root_id, kind, json.loads(data), script


LEXICON = {
    "the": {"query": [0.0, 0.0], "key": [0.0, 0.1], "value": [0.0, 0.0, 1.0]},
    "robot": {"query": [0.0, 1.0], "key": [2.0, 1.0], "value": [1.0, 1.0, 0.0]},
    "rug": {"query": [0.0, 0.5], "key": [1.0, -1.0], "value": [1.0, -0.5, 1.0]},
    "it": {"query": [2.0, 1.0], "key": [0.5, 0.0], "value": [0.2, 0.0, 0.0]},
}


def _examples():
    x = np.linspace(0, 5, 20)
    y = 8 * x + 40 + np.sin(7 * x)
    grid = np.linspace(-3, 3, 61)
    weights = torch.softmax(torch.randn(2, 2, 4, 4, generator=torch.Generator().manual_seed(0)), -1)
    return {
        "line-fitter": explorables.line_fitter(x, y, w=1.0, b=50.0),
        "hinge-builder": explorables.hinge_builder(grid, np.sin(grid), [-1.5, 1.5], [1.0, -1.0]),
        "softmax-temperature": explorables.softmax_temperature([2.0, 1.0, -1.0], ["a", "b", "c"]),
        "attention-explorer": explorables.attention_explorer(
            ["the", "robot", "it"], LEXICON, alternatives={1: ["rug"]}, features=["a", "b", "c"]
        ),
        "head-viewer": explorables.head_viewer(
            [["a", "b", "c", "d"], ["e", "f", "g", "h"]], weights, head_names=["h1", "h2"]
        ),
        "copy-trainer": explorables.copy_trainer(AttentionCopyConfig(n_names=20), n_seeds=3),
        "name-writer": explorables.name_writer(_tiny_gpt_run()),
    }


def _tiny_gpt_run() -> SentenceResult:
    """An untrained small TinyGPT of Chapter 7's vocabulary, as a run's result."""
    torch.manual_seed(0)
    model = TinyGPT(course_tokenizer().vocab_size, 64, 16, 2, 2, 16).eval()
    return SentenceResult(MODELS["tinygpt"], 0, model, {}, {"names_x_distances": 0.5}, {}, 0.0)


@pytest.mark.parametrize("kind", explorables.KINDS)
def test_html_is_self_contained(kind):
    widget = _examples()[kind]
    root_id, found, data, script = _parts(widget)
    assert found == kind
    html = widget.data
    assert "src=" not in html and "require(" not in html and "import " not in script
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", html), "no outside URLs"
    assert script.startswith("(function () {") and f'getElementById("{root_id}")' in script
    assert 'class="ax-live" hidden' in html and 'class="ax-nojs"' in html  # no JS: a note
    assert 'data-control="' in html
    json.dumps(data, allow_nan=False)


@pytest.mark.parametrize("kind", explorables.KINDS)
def test_ids_are_unique_and_repeatable(kind):
    first, second = _parts(_examples()[kind])[0], _parts(_examples()[kind])[0]
    assert first != second  # the same explorable twice on a page
    assert first.rsplit("-", 1)[0] == second.rsplit("-", 1)[0]  # same data, same hash


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize("kind", explorables.KINDS)
def test_javascript_parses(kind, tmp_path):
    script = _parts(_examples()[kind])[3]
    path = tmp_path / f"{kind}.js"
    path.write_text(script)
    result = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_data_cannot_break_out_of_its_script():
    widget = explorables.softmax_temperature([1.0, 2.0], ["</script><b>x</b>", "&"])
    assert "</script><b>" not in widget.data
    assert _parts(widget)[2]["labels"] == ["</script><b>x</b>", "&"]


# ---- the references agree with the chapters' functions and with plain arithmetic --------------


def test_line_reference_is_line_state():
    from attnlab.ch01_line.widgets import line_state

    data = _parts(_examples()["line-fitter"])[2]
    got = reference("line-fitter", data, {"w": 7.5, "b": 41.0})
    x, y = np.array(data["x"]), np.array(data["y"])
    assert got["mse"] == pytest.approx(np.mean((y - 7.5 * x - 41.0) ** 2), rel=1e-12)
    assert got == line_state(7.5, 41.0, torch.tensor(x), torch.tensor(y))
    best = np.polyfit(x, y, 1)
    assert data["best_mse"] == pytest.approx(np.mean((np.polyval(best, x) - y) ** 2), rel=1e-9)


def test_hinge_reference_is_hinge_sum():
    from attnlab.ch02_hinge.hinge import curve_grid, hinge_sum, target_curve

    data = _parts(_examples()["hinge-builder"])[2]
    controls = {"n": 2, "offset": 0.3, "bend0": -1.0, "slope0": 0.8, "bend1": 0.5, "slope1": -2.0}
    got = reference("hinge-builder", data, controls)
    x = np.array(data["x"])
    curve = 0.3 + 0.8 * np.maximum(0, x + 1.0) - 2.0 * np.maximum(0, x - 0.5)
    np.testing.assert_allclose(got["curve"], curve, atol=1e-12)
    np.testing.assert_allclose(got["curve"], hinge_sum(x, [-1.0, 0.5], [0.8, -2.0], 0.3))
    assert got["mse"] == pytest.approx(np.mean((curve - np.sin(x)) ** 2), rel=1e-12)
    assert len(got["parts"]) == 2
    # the same numbers as Chapter 2's builder_state, on its grid and target
    from attnlab.ch02_hinge.widgets import BUILDER_START, builder_state

    grid = curve_grid()
    start = explorables.hinge_builder(
        grid,
        target_curve("sine", grid),
        BUILDER_START["bends"],
        BUILDER_START["slopes"],
        BUILDER_START["offset"],
    )
    bends, slopes = BUILDER_START["bends"], BUILDER_START["slopes"]
    settings = {f"bend{k}": v for k, v in enumerate(bends)}
    settings |= {f"slope{k}": v for k, v in enumerate(slopes)}
    ours = reference("hinge-builder", _parts(start)[2], {"n": 4, "offset": 0.0, **settings})
    theirs = builder_state(bends, slopes, 0.0, "sine")
    assert ours["mse"] == theirs["error"]
    np.testing.assert_array_equal(ours["curve"], theirs["curve"])
    np.testing.assert_array_equal(ours["parts"], theirs["hinges"])
    none = reference("hinge-builder", data, {**controls, "n": 0})
    assert none["parts"] == [] and set(none["curve"]) == {0.3}


def test_softmax_and_explorer_references_are_chapter_4s():
    from attnlab.ch04_attention import wordvectors
    from attnlab.ch04_attention.widgets import explorer_state, temperature_state

    sentence = list(wordvectors.ROBOT_SENTENCE)
    it = sentence.index("it")
    scores = explorer_state(sentence, it)["scores"]
    data = _parts(explorables.softmax_temperature(scores, sentence))[2]
    got = reference("softmax-temperature", data, {"log10_t": 0.0})
    assert got["weights"] == temperature_state(scores, 1.0)["weights"]
    widget = explorables.attention_explorer(
        sentence, wordvectors.LEXICON, {1: ["box"]}, wordvectors.VALUE_FEATURES, it
    )
    got = reference("attention-explorer", _parts(widget)[2], {"query": it, "word1": 1})
    box = sentence[:1] + ["box"] + sentence[2:]
    want = explorer_state(box, it)
    assert got["weights"] == want["weights"] and got["output"] == want["output"]


def test_softmax_reference():
    data = _parts(_examples()["softmax-temperature"])[2]
    for log10_t in (-1.0, 0.0, 0.7):
        got = reference("softmax-temperature", data, {"log10_t": log10_t})
        t = 10**log10_t
        e = np.exp(np.array([2.0, 1.0, -1.0]) / t)
        np.testing.assert_allclose(got["weights"], e / e.sum(), rtol=1e-12)
        assert got["temperature"] == pytest.approx(t)
    cold = reference("softmax-temperature", data, {"log10_t": -1.3})["largest"]
    hot = reference("softmax-temperature", data, {"log10_t": 1.3})["largest"]
    assert cold > 0.99 and hot < 0.4  # winner takes all when cold, everyone shares when hot


def test_attention_reference_by_hand():
    data = _parts(_examples()["attention-explorer"])[2]
    for word, query in ((0, 2), (1, 2), (1, 0)):
        got = reference("attention-explorer", data, {"query": query, "word1": word})
        tokens = ["the", ["robot", "rug"][word], "it"]
        assert got["tokens"] == tokens
        q = np.array(LEXICON[tokens[query]]["query"])
        keys = np.array([LEXICON[t]["key"] for t in tokens])
        values = np.array([LEXICON[t]["value"] for t in tokens])
        scores = keys @ q / math.sqrt(2)
        weights = np.exp(scores) / np.exp(scores).sum()
        np.testing.assert_allclose(got["scores"], scores, rtol=1e-12)
        np.testing.assert_allclose(got["weights"], weights, rtol=1e-12)
        np.testing.assert_allclose(got["output"], weights @ values, rtol=1e-12, atol=1e-15)
    # swapping a word moves the weights ("dynamic wiring")
    robot = reference("attention-explorer", data, {"query": 2, "word1": 0})["weights"]
    rug = reference("attention-explorer", data, {"query": 2, "word1": 1})["weights"]
    assert robot[1] > 0.6 and rug[1] < robot[1]


def test_lexicon_from_embeddings():
    lexicon = explorables.lexicon_from_embeddings(
        {"a": [1.0, 0.0], "b": [0.0, 2.0]}, np.eye(2), [[0.0, 1.0], [1.0, 0.0]], [[1.0], [1.0]]
    )
    assert lexicon["b"] == {"query": [0.0, 2.0], "key": [2.0, 0.0], "value": [2.0]}


def test_head_viewer_reference_reads_the_weights():
    weights = torch.softmax(torch.randn(2, 2, 4, 4, generator=torch.Generator().manual_seed(0)), -1)
    data = _parts(_examples()["head-viewer"])[2]
    got = reference("head-viewer", data, {"example": 1, "query": 2})
    np.testing.assert_allclose(got["rows"], weights[1, :, 2].numpy(), rtol=1e-6)
    assert got["top"] == weights[1, :, 2].argmax(-1).tolist()
    assert got["top_tokens"] == [["e", "f", "g", "h"][j] for j in got["top"]]


def test_head_viewer_single_query_and_varying_heads():
    # Chapter 5's viewer: one query row per head, models with 1 and 2 heads
    one = [[0.1, 0.2, 0.7]]  # (1 head, L)
    two = torch.tensor([[0.5, 0.5, 0.0], [0.0, 0.25, 0.75]])  # (2 heads, L)
    widget = explorables.head_viewer([["a", "b", "?"], ["c", "d", "?"]], [one, two])
    data = _parts(widget)[2]
    got = reference("head-viewer", data, {"example": 1, "query": 2})
    assert got["query"] == 0 and got["rows"] == two.tolist() and got["top_tokens"] == ["c", "?"]
    # Chapter 6's viewer: a list of (L, L) tensors, one per layer
    patterns = [torch.eye(3), torch.tensor([[1.0, 0, 0], [0.5, 0.5, 0], [0.2, 0.7, 0.1]])]
    data = _parts(explorables.head_viewer(["x", "y", "z"], patterns, ["layer 1", "layer 2"]))[2]
    got = reference("head-viewer", data, {"query": 2})
    assert got["top_tokens"] == ["z", "y"]


def test_head_viewer_note_without_javascript():
    # by default the note says the figure above shows the same starting state; a chapter whose
    # figure above shows something else says so instead (Chapter 5: the same models, other sequences)
    weights = [[[0.1, 0.2, 0.7]]]
    default = explorables.head_viewer(["a", "b", "?"], weights).data
    assert "the figure above shows the same starting state" in default
    own = explorables.head_viewer(
        ["a", "b", "?"], weights, without_js="(No JavaScript: <see above>.)"
    )
    assert "(No JavaScript: &lt;see above&gt;.)" in own.data
    assert "the figure above shows the same starting state" not in own.data
    with pytest.raises(TypeError, match="without_js"):
        explorables.head_viewer(["a", "b", "?"], weights, without_js=" ")


# ---- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: explorables.line_fitter([1.0, 2.0], [1.0]), ValueError, "y must have 2"),
        (lambda: explorables.line_fitter("abc", [1.0]), TypeError, "x must be"),
        (lambda: explorables.line_fitter([1.0], [float("nan")]), ValueError, "finite"),
        (lambda: explorables.line_fitter([1.0, 2.0], [1, 2], w=99.0), ValueError, "w_range"),
        (lambda: explorables.line_fitter([1.0, 2.0], [1, 2], w_range=(3, 1)), ValueError, "low"),
        (lambda: explorables.hinge_builder([0, 2, 1], [0, 0, 0]), ValueError, "increasing"),
        (lambda: explorables.hinge_builder([0, 1], [0, 0], [0.5], []), ValueError, "same length"),
        (lambda: explorables.hinge_builder([0, 1], [0, 0], [5.0], [1.0]), ValueError, "bends"),
        (lambda: explorables.hinge_builder([0, 1], [0, 0], max_hinges=9), ValueError, "max_h"),
        (lambda: explorables.softmax_temperature([]), ValueError, "scores"),
        (lambda: explorables.softmax_temperature([1, 2], ["a"]), ValueError, "labels"),
        (lambda: explorables.softmax_temperature([1], temperature=0), ValueError, "temperature"),
        (lambda: explorables.attention_explorer("the it", LEXICON), TypeError, "sentence"),
        (lambda: explorables.attention_explorer(["cat"], LEXICON), ValueError, "lexicon"),
        (
            lambda: explorables.attention_explorer(["it"], LEXICON, alternatives={0: ["dog"]}),
            ValueError,
            "alternatives",
        ),
        (
            lambda: explorables.attention_explorer(["it"], LEXICON, alternatives={3: ["it"]}),
            ValueError,
            "outside",
        ),
        (lambda: explorables.attention_explorer(["it"], {"it": {"query": [1]}}), ValueError, "key"),
        (lambda: explorables.attention_explorer(["it"], LEXICON, features=["a"]), ValueError, "3"),
        (
            lambda: explorables.head_viewer(["a", "b"], [[[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]]),
            ValueError,
            "1 row",
        ),
        (
            lambda: explorables.head_viewer(["a", "b"], [[[0.5, 0.2], [0.5, 0.5]]]),
            ValueError,
            "sum 1",
        ),
        (lambda: explorables.head_viewer("ab", [[[1.0]]]), TypeError, "tokens"),
        (lambda: reference("pie-chart", {}, {}), ValueError, "kind"),
    ],
)
def test_bad_input_is_named(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_a_demo_is_shown_once_in_the_readers_medium(monkeypatch):
    from attnlab.core.explorable import BOOK_BUILD_VARIABLE, demo

    monkeypatch.delenv(BOOK_BUILD_VARIABLE, raising=False)
    assert demo(live=lambda: "widget", web=lambda: "explorable") == "widget"
    monkeypatch.setenv(BOOK_BUILD_VARIABLE, "1")
    assert demo(live=lambda: "widget", web=lambda: "explorable") == "explorable"
    with pytest.raises(TypeError, match="live and web"):
        demo(live="widget", web=lambda: "explorable")


def test_the_book_build_sets_the_variable(monkeypatch):
    import importlib.util

    from attnlab.core.explorable import BOOK_BUILD_VARIABLE

    spec = importlib.util.spec_from_file_location(
        "sphinx_book_fixes", Path(__file__).parents[3] / "tools" / "sphinx_book_fixes.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv(BOOK_BUILD_VARIABLE, "0")  # restored (unset) after the test

    class App:
        def connect(self, *args, **kwargs):
            pass

    module.setup(App())
    assert os.environ[BOOK_BUILD_VARIABLE] == "1"
