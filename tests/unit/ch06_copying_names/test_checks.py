"""Chapter 6's exercise checks pass the right answers and name the planted wrong ones."""

from __future__ import annotations

import torch

from attnlab.ch06_copying_names import analysis as ind
from attnlab.checks import check_heads_needed, check_induction_score, check_repeated_sequence


def test_induction_score_check():
    assert check_induction_score(ind.induction_score).passed

    def off_by_one(pattern, period):  # looks at the earlier copy itself, not the token after it
        rows = torch.arange(period, pattern.shape[0])
        return float(pattern[rows, rows - period].mean())

    result = check_induction_score(off_by_one)
    assert not result.passed and "Case 1" in result.message and "induction head" in result.message

    def all_rows(pattern, period):  # averages over the first copy too
        rows = torch.arange(period - 1, pattern.shape[0])
        return float(pattern[rows, rows - period + 1].mean())

    assert not check_induction_score(all_rows).passed

    def stub(pattern, period):
        raise NotImplementedError

    assert "not written yet" in check_induction_score(stub).message
    assert "without parentheses" in check_induction_score(3).message


def test_heads_needed_check():
    assert check_heads_needed(lambda: {1: True, 2: True}).passed
    only_second = check_heads_needed(lambda: {1: False, 2: True})
    assert not only_second.passed and "Layer 1" in only_second.message
    only_first = check_heads_needed(lambda: {1: True, 2: False})
    assert not only_first.passed and "Layer 2" in only_first.message
    assert "keys 1 and 2" in check_heads_needed(lambda: [True, True]).message
    assert "True or False" in check_heads_needed(lambda: {1: 1, 2: 1}).message
    assert "raised" in check_heads_needed(lambda: 1 / 0).message


def test_repeated_sequence_check():
    assert check_repeated_sequence(lambda period, seed: ind.repeated_sequence(period, seed)).passed

    def with_repeats(period, seed):  # tokens may repeat inside the first copy
        g = torch.Generator().manual_seed(seed)
        first = torch.randint(7, 9, (period,), generator=g)
        return torch.cat([first, first])

    assert "DIFFERENT" in check_repeated_sequence(with_repeats).message

    def not_repeated(period, seed):
        return ind.repeated_sequence(2 * period, seed, repeats=2)[: 2 * period]

    assert "repeat the first" in check_repeated_sequence(not_repeated).message

    def one_copy(period, seed):
        return ind.repeated_sequence(period, seed)[:period]

    assert "two copies" in check_repeated_sequence(one_copy).message

    def special_tokens(period, seed):
        return torch.arange(period).repeat(2)

    assert "pool id" in check_repeated_sequence(special_tokens).message

    def floats(period, seed):
        return ind.repeated_sequence(period, seed).float()

    assert "integer" in check_repeated_sequence(floats).message

    def unseeded(period, seed):
        return ind.repeated_sequence(period, int(torch.randint(0, 10**6, ())))

    assert "same seed" in check_repeated_sequence(unseeded).message
