"""Chapter 5's claims about training runs, on the claim seeds, at the chapter's settings.

The chapter trains the two-value task ("this year minus birth year") at 1, 2 and 4 heads on seeds
0-4 and states these bounds in its prose (its hidden ``expect`` lines); here the same
``attnlab.ch05_multi_head.two_value`` calls run on ``claim_seeds``: per head count, all seeds at
once as one SeedStack of plain models.
"""

from __future__ import annotations

import pytest
import torch

from attnlab.ch05_multi_head.two_value import TwoValueConfig, TwoValueTask, half_lookups, run_seeds

# the chapter's training run (its cell that calls run_seeds) and its probe set
CONFIG = TwoValueConfig(heads=(1, 2, 4), steps=1200, batch_size=32, lr=6e-3)
PROBE_SEED = 4


@pytest.fixture(scope="module")
def result(claim_seeds):
    return run_seeds(CONFIG, claim_seeds, progress=False)


@pytest.fixture(scope="module")
def lookups(result):
    x, y = TwoValueTask().sample(512, torch.Generator().manual_seed(PROBE_SEED))
    return {
        (h, s): half_lookups(result.model(h, s), x, y) for h in result.heads for s in result.seeds
    }


def test_one_head_never_gets_close(result, claim):
    claim("ch5: one head stays below 60% (final accuracy)", result.final(1), at_most=0.6)


def test_four_heads_learn_on_every_seed(result, claim):
    claim("ch5: four heads end above 70% (final accuracy)", result.final(4), at_least=0.7)


def test_more_heads_beat_one_head_on_every_seed(result, claim):
    one, two, four = (result.final(h) for h in (1, 2, 4))
    gains = [t - o for t, o in zip(two, one, strict=True)]
    claim("ch5: two heads beat one head by 20+ points", gains, at_least=0.2)
    gains = [f - o for f, o in zip(four, one, strict=True)]
    claim("ch5: four heads beat one head by 40+ points", gains, at_least=0.4)


def test_two_heads_are_more_accurate_when_they_grab_both_digits(result, lookups, claim):
    gaps = [
        lookups[(2, s)]["accuracy_both"] - lookups[(2, s)]["accuracy_other"] for s in result.seeds
    ]
    claim(
        "ch5: two heads, 15+ points more accurate where both digits grabbed (seed mean)",
        [sum(gaps) / len(gaps)],
        at_least=0.15,
    )


def test_four_heads_grab_both_digits_on_most_sequences(result, lookups, claim):
    both = [lookups[(4, s)]["both"] for s in result.seeds]
    claim("ch5: four heads grab both digits on 60%+ of sequences", both, at_least=0.6)
