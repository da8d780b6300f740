"""One source of truth for an exercise: the book's check and the assignment's hidden tests draw
their cases from the chapter's ``exercises.py``."""

from __future__ import annotations

import importlib
import json

import pytest

from attnlab.core.checks import CheckResult
from paths import ROOT

SHARED = {
    "ch01_line": {"mse": "check_mse", "mse_gradient": "check_mse_gradient"},
    "ch02_hinge": {"relu": "check_relu", "two_layer_forward": "check_two_layer_forward"},
    "ch04_attention": {"softmax": "check_softmax", "attention": "check_attention"},
    "ch05_multi_head": {
        "split_heads": "check_split_heads",
        "count_parameters": "check_count_parameters",
    },
    "ch03_next_token": {
        "make_pairs": "check_make_pairs",
        "count_mlp_parameters": "check_count_mlp_parameters",
    },
    "ch07_name": {
        "block_forward": "check_block_forward",
        "strongest_induction_head": "check_strongest_induction_head",
    },
}


def _hidden_tests(chapter: str) -> str:
    path = ROOT / "assignments" / "source" / chapter / f"{chapter}.ipynb"
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("chapter", sorted(SHARED))
def test_the_assignment_draws_every_shared_exercise(chapter):
    exercises = importlib.import_module(f"attnlab.{chapter}.exercises")
    assert set(exercises.CASES) == set(SHARED[chapter])
    source = _hidden_tests(chapter)
    for name in exercises.CASES:
        assert f'cases("{name}")' in source, f"{chapter}: no hidden test draws cases({name!r})"
    # the cases are plain JSON data, so the grader can hand them to a sandboxed notebook
    assert json.loads(json.dumps(exercises.CASES))


@pytest.mark.parametrize(
    "chapter, name", [(c, n) for c, names in sorted(SHARED.items()) for n in sorted(names)]
)
def test_the_book_check_runs_the_shared_cases(chapter, name, monkeypatch):
    exercises = importlib.import_module(f"attnlab.{chapter}.exercises")
    checks = importlib.import_module(f"attnlab.{chapter}.checks")
    labels = [label for label, _ in exercises.cases(name)]
    seen = []

    def student(*args, **kwargs):  # the reference answer, and a record of every call
        seen.append(args)
        return getattr(reference, name)(*args, **kwargs)

    reference = exercises if hasattr(exercises, name) else _reference(chapter)
    result = getattr(checks, SHARED[chapter][name])(student)
    assert isinstance(result, CheckResult) and result.passed, result
    assert len(seen) == len(labels) > 1  # every shared case, once
    # one case fewer in exercises.py: one call fewer in the book's check
    monkeypatch.setitem(exercises.CASES, name, exercises.CASES[name][:-1])
    seen.clear()
    getattr(checks, SHARED[chapter][name])(student)
    assert len(seen) == len(labels) - 1


def _reference(chapter: str):
    if chapter == "ch02_hinge":
        return _Relu
    if chapter == "ch05_multi_head":
        return _Heads
    if chapter == "ch07_name":
        return _Block
    return importlib.import_module("attnlab.ch01_line.line")


class _Heads:
    from attnlab.ch05_multi_head.heads import parameter_count as count_parameters
    from attnlab.ch05_multi_head.heads import split_heads


class _Relu:
    relu = staticmethod(lambda x: x.clamp(min=0))


class _Block:
    @staticmethod
    def block_forward(x, attention, mlp, norm1, norm2, mask):
        x = x + attention(norm1(x), mask)
        return x + mlp(norm2(x))

    @staticmethod
    def strongest_induction_head(patterns, period):
        from attnlab.ch06_copying_names.analysis import induction_score

        scores = [[induction_score(p, period) for p in heads] for heads in patterns]
        best = max(
            (s, layer, head) for layer, row in enumerate(scores) for head, s in enumerate(row)
        )
        return best[1] + 1, best[2]
