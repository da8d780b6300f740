"""Chapter 7's exercise checks pass the right answers and name the planted wrong ones."""

from __future__ import annotations

import json

import pytest
import torch

from attnlab.ch06_copying_names.analysis import induction_score
from attnlab.ch07_name import exercises
from attnlab.ch07_name.checks import block_parts
from attnlab.checks import check_block_forward, check_strongest_induction_head


def block_forward(x, attention, mlp, norm1, norm2, mask):
    x = x + attention(norm1(x), mask)
    return x + mlp(norm2(x))


def strongest_induction_head(patterns, period):
    rows = torch.arange(period, patterns.shape[-1])
    scores = patterns[..., rows, rows - period + 1].mean(dim=-1)
    layer, head = divmod(int(scores.flatten().argmax()), scores.shape[1])
    return layer + 1, head


def test_the_cases_are_plain_json():
    assert json.loads(json.dumps(exercises.CASES))  # the grader hands them over as JSON
    assert set(exercises.CASES) == {"block_forward", "strongest_induction_head"}


def test_block_parts_are_seeded_and_leave_the_callers_random_numbers_alone():
    torch.manual_seed(5)
    before = torch.rand(1)
    torch.manual_seed(5)
    first, x1, mask = block_parts(8, 2, 16, 5, 1)
    assert torch.equal(torch.rand(1), before)
    second, x2, _ = block_parts(8, 2, 16, 5, 1)
    assert torch.equal(x1, x2) and torch.equal(first.norm1.weight, second.norm1.weight)
    assert not torch.allclose(first.norm1.weight, first.norm2.weight)  # two different norms
    assert mask.shape == (5, 5) and bool(mask.tril().eq(mask).all())


def test_block_forward_check():
    assert check_block_forward(block_forward).passed

    planted = {
        "no residual": (lambda x, a, m, n1, n2, k: (lambda h: h + m(n2(h)))(a(n1(x), k)), "ADDED"),
        "norm after": (
            lambda x, a, m, n1, n2, k: (lambda h: n2(h + m(h)))(n1(x + a(x, k))),
            "BEFORE",
        ),
        "one norm twice": (
            lambda x, a, m, n1, n2, k: (lambda h: h + m(n1(h)))(x + a(n1(x), k)),
            "its own LayerNorm",
        ),
        "no mask": (
            lambda x, a, m, n1, n2, k: (lambda h: h + m(n2(h)))(x + a(n1(x), torch.ones_like(k))),
            "mask",
        ),
    }
    for name, (wrong, words) in planted.items():
        result = check_block_forward(wrong)
        assert not result.passed and "Case 1" in result.message, name
        assert words in result.message, (name, result.message)

    def stub(x, attention, mlp, norm1, norm2, mask):
        raise NotImplementedError

    assert "not written yet" in check_block_forward(stub).message
    assert "raised" in check_block_forward(lambda *args: 1 / 0).message
    assert "without parentheses" in check_block_forward(3).message


def test_strongest_induction_head_check():
    assert check_strongest_induction_head(strongest_induction_head).passed

    def from_zero(patterns, period):
        layer, head = strongest_induction_head(patterns, period)
        return layer - 1, head

    result = check_strongest_induction_head(from_zero)
    assert not result.passed and "count the layers from 1" in result.message

    def same_token(patterns, period):  # the earlier copy itself, not the token after it
        rows = torch.arange(period, patterns.shape[-1])
        scores = patterns[..., rows, rows - period].mean(dim=-1)
        layer, head = divmod(int(scores.flatten().argmax()), scores.shape[1])
        return layer + 1, head

    result = check_strongest_induction_head(same_token)
    assert not result.passed and "one step AFTER" in result.message
    assert "expected 2 values" in check_strongest_induction_head(lambda p, n: [1]).message
    assert "not written yet" in check_strongest_induction_head(_stub).message


def _stub(patterns, period):
    raise NotImplementedError


@pytest.mark.parametrize("label, args", exercises.cases("strongest_induction_head"))
def test_each_pattern_case_has_one_clear_winner(label, args):
    patterns, period = torch.tensor(args[0]), args[1]
    assert torch.allclose(patterns.sum(-1), torch.ones(patterns.shape[:-1]))
    scores = sorted(induction_score(p, period) for heads in patterns for p in heads)
    assert scores[-1] - scores[-2] > 0.1, label  # no tie
