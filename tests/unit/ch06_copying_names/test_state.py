"""Chapter 6's head viewer logic (no browser) and figures (headless)."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
import pytest
import torch

from attnlab.ch04_attention.names import VOCAB
from attnlab.ch06_copying_names import analysis, plots
from attnlab.ch06_copying_names import widgets as views
from attnlab.ch06_copying_names.experiment import NameExperiment, run_seeds

SENTENCE = "rose hill called key rain sky star lake so my name is"


@pytest.fixture(scope="module")
def trained():
    return run_seeds(NameExperiment("two_layer", steps=40, eval_every=20, eval_size=32), [0, 1])


def test_head_view_state_reads_the_rows_of_both_layers(trained):
    state = views.head_view_state(trained[0], SENTENCE)
    assert state["tokens"] == SENTENCE.split() and state["query"] == 11
    assert len(state["patterns"]) == len(state["rows"]) == len(state["looks_at"]) == 2
    for pattern, row, (pos, token, weight) in zip(
        state["patterns"], state["rows"], state["looks_at"], strict=True
    ):
        assert row == pattern[11].tolist()
        assert weight == max(row) and token == state["tokens"][pos]
    assert state["prediction"] in VOCAB
    # a query in the middle sees only the tokens up to it (causal)
    middle = views.head_view_state(trained[1], SENTENCE, 3)
    assert all(w == 0.0 for row in middle["rows"] for w in row[4:])
    assert middle["looks_at"][0][0] <= 3


def test_head_view_state_follows_the_seed(trained):
    a = views.head_view_state(trained[0], SENTENCE)["rows"]
    b = views.head_view_state(trained[1], SENTENCE)["rows"]
    assert a != b


@pytest.mark.parametrize(
    "text,query,error,match",
    [
        (3, None, TypeError, "text"),
        ("", None, ValueError, "at least one"),
        ("called Keyvan", None, ValueError, "vocabulary"),
        (SENTENCE, 12, ValueError, "query"),
        (SENTENCE, -1, ValueError, "query"),
        (SENTENCE, 1.5, TypeError, "query"),
    ],
)
def test_head_view_state_bad_input(trained, text, query, error, match):
    with pytest.raises(error, match=match):
        views.head_view_state(trained[0], text, query)


def test_figures_draw(trained):
    state = views.head_view_state(trained[0], SENTENCE)
    figures = [
        plots.plot_curves({"two_layer": trained}, chance=0.02),
        plots.plot_heads(state["patterns"], state["tokens"], row=3),
        plots.plot_ablation([analysis.ablate_accuracy(r, n=32) for r in trained], chance=0.02),
        plots.plot_probe(torch.eye(6), ["a"] * 6, 3, 0.5),
        plots.plot_whole_names({"mlp": {"train": [0.5, 0.4], "heldout": [0.0, 0.1]}}),
        plots.plot_jump(trained, xlim=40),
        plots.plot_course(["a", "b", "c", "d", "e", "f"]),
        plots.plot_split(7),
    ]
    assert all(len(f.axes) >= 1 for f in figures)
    plt.close("all")


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: plots.plot_curves([]), TypeError, "results"),
        (lambda: plots.plot_heads([], ["a"]), ValueError, "patterns"),
        (lambda: plots.plot_heads([torch.eye(3)], ["a", "b"]), ValueError, "match tokens"),
        (lambda: plots.plot_heads([torch.eye(2)], ["a", "b"], row=5), ValueError, "row"),
        (lambda: plots.plot_ablation([]), ValueError, "scores"),
        (lambda: plots.plot_whole_names({}), TypeError, "table"),
        (lambda: plots.plot_course(["only one"]), ValueError, "evidence"),
        (lambda: plots.plot_jump([]), TypeError, "results"),
        (lambda: plots.plot_jump([1, 2]), TypeError, "results"),
        (lambda: plots.plot_jump([SimpleNamespace(history={})], xlim=0), ValueError, "xlim"),
        (lambda: plots.plot_split(2), ValueError, "n_slots"),
    ],
)
def test_figures_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
    plt.close("all")


def test_head_viewer_builds_and_redraws(trained):
    pytest.importorskip("ipywidgets")
    views.head_viewer(trained[0], [SENTENCE, "called june v an el ra o y so my name is"])
    with pytest.raises(ValueError, match="sentences"):
        views.head_viewer(trained[0], [])
    plt.close("all")
