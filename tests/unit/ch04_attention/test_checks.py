"""Chapter 4's exercise checks pass right answers and name what is wrong in planted wrong ones."""

from __future__ import annotations

import math

import torch

from attnlab.ch04_attention.attention import scaled_dot_product_attention
from attnlab.checks import check_attention, check_it_attends_to, check_softmax


def stable_softmax(scores):
    shifted = scores - scores.max(dim=-1, keepdim=True).values
    return shifted.exp() / shifted.exp().sum(dim=-1, keepdim=True)


def naive_softmax(scores):
    return scores.exp() / scores.exp().sum(dim=-1, keepdim=True)


def test_softmax_right_answers_pass():
    assert check_softmax(stable_softmax).passed
    assert "passed all 5 checks" in check_softmax(stable_softmax).message
    assert check_softmax(lambda s: torch.softmax(s, dim=-1)).passed


def test_naive_softmax_fails_on_huge_scores_with_a_clear_message():
    result = check_softmax(naive_softmax)
    assert not result.passed
    assert "huge scores" in result.message and "nan or inf" in result.message
    assert "subtract the row's largest score" in result.message


def test_softmax_along_the_wrong_dimension_fails():
    def wrong_dim(scores):
        shifted = scores - scores.max()
        return shifted.exp() / shifted.exp().sum(dim=0, keepdim=True)

    result = check_softmax(wrong_dim)
    assert not result.passed and "two rows" in result.message


def test_softmax_stub_and_not_a_function():
    def softmax(scores):
        raise NotImplementedError

    assert "not written yet" in check_softmax(softmax).message
    assert "wants your function itself" in check_softmax(stable_softmax(torch.ones(2))).message


def test_attention_right_answer_passes():
    assert check_attention(scaled_dot_product_attention).passed


def test_attention_without_the_square_root_fails():
    def unscaled(query, key, value, mask=None):
        weights = torch.softmax(query @ key.transpose(-2, -1), dim=-1)
        return weights @ value, weights

    result = check_attention(unscaled)
    assert not result.passed and "Case 1" in result.message and "√d_k" in result.message


def test_attention_that_ignores_the_mask_fails():
    def maskless(query, key, value, mask=None):
        return scaled_dot_product_attention(query, key, value)

    result = check_attention(maskless)
    assert not result.passed and "causal mask" in result.message


def test_attention_with_an_inverted_mask_or_wrong_softmax_dimension_fails():
    def inverted(query, key, value, mask=None):
        scores = query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])
        if mask is not None:
            scores = scores.masked_fill(mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return weights @ value, weights

    def over_queries(query, key, value, mask=None):
        weights = torch.softmax(query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1]), dim=-2)
        return weights @ value, weights

    assert "causal mask" in check_attention(inverted).message
    assert not check_attention(over_queries).passed


def test_attention_returning_only_the_output_fails():
    def output_only(query, key, value, mask=None):
        return scaled_dot_product_attention(query, key, value, mask)[0]

    result = check_attention(output_only)
    assert not result.passed and "expected 2 values" in result.message


def test_it_attends_to():
    assert check_it_attends_to(lambda: "floor").passed
    assert check_it_attends_to(lambda: " Floor ").passed
    wrong = check_it_attends_to(lambda: "robot")
    assert not wrong.passed and "'robot' scores q·k = 4" in wrong.message
    assert "floor" not in wrong.message  # the message does not give the answer away
    assert "not a word of the sentence" in check_it_attends_to(lambda: "bank").message
    assert "as a string" in check_it_attends_to(lambda: 5).message

    def it_attends_to():
        raise NotImplementedError

    assert "not written yet" in check_it_attends_to(it_attends_to).message
    assert "wants your function itself" in check_it_attends_to("floor").message
