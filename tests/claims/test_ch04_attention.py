"""Chapter 4's claims about training runs, on the claims seeds (see conftest.py).

The MLP's side of the copy experiment is Chapter 3's (tests/claims/test_ch03_next_token.py); here:
one attention layer with the defaults (``copy_run.run(AttentionCopyConfig(), seed)``), with learned
positions, and the one-layer model of the "called" task
(``name_model.run_seeds(NameConfig(n_layers=1), ...)``, Chapter 6's settings).
"""

from __future__ import annotations

import numpy as np
import pytest

from attnlab.ch04_attention import copy_plots, copy_run
from attnlab.ch04_attention.copy_run import AttentionCopyConfig
from attnlab.ch04_attention.name_model import NameConfig, run_seeds


@pytest.fixture(scope="module")
def runs(claim_seeds):
    return {
        "attention": [copy_run.run(AttentionCopyConfig(), s) for s in claim_seeds],
        "positions": [copy_run.run(AttentionCopyConfig(positions=True), s) for s in claim_seeds],
    }


def test_attention_copies_to_crossed_combinations(runs, claim):
    att = runs["attention"]
    claim("ch4: attention held-out accuracy", [r.heldout_accuracy for r in att], at_least=0.9)
    claim("ch4: attention seen accuracy", [r.train_accuracy for r in att], at_least=0.95)
    claim(
        "ch4: attention heatmap, worst cell",
        [r.group_slot_accuracy.min() for r in att],
        at_least=0.9,
    )


def test_is_attends_to_the_name_at_every_slot(runs, claim):
    least = [
        np.diagonal(copy_plots.copy_attention_by_slot(r, per_slot=100, seed=1)).min()
        for r in runs["attention"]
    ]
    claim("ch4: attention of 'is' on the name, worst slot", least, at_least=0.9)


def test_learned_positions_do_a_little_worse(runs, claim):
    pos, nope = runs["positions"], runs["attention"]
    claim(
        "ch4: learned positions, median held-out accuracy (most seeds >= 80%)",
        [np.median([r.heldout_accuracy for r in pos])],
        at_least=0.8,
    )
    gaps = [100 * (a.heldout_accuracy - p.heldout_accuracy) for a, p in zip(nope, pos, strict=True)]
    claim(
        "ch4: learned positions, mean held-out gap in points (worse on average)",
        [np.mean(gaps)],
        at_least=0.0,
    )


def test_one_layer_cannot_find_a_name_by_its_predecessor(claim_seeds, claim):
    one = run_seeds(NameConfig(n_layers=1), list(claim_seeds))
    claim(
        "ch4: one layer, 'called' task, held-out accuracy",
        [r.heldout_accuracy for r in one],
        at_most=0.4,
    )
    claim(
        "ch4: one layer, 'called' task, seen accuracy",
        [r.train_accuracy for r in one],
        at_most=0.5,
    )
