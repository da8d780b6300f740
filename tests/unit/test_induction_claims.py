"""Chapter 6's claims hold on five seeds the chapter does not show (5-9), at the chapter's settings.

The notebook asserts the same bounds on seeds 0-4 in its hidden claim-check cells; this file checks
that they are not an accident of those seeds. One batched ensemble per model keeps it to seconds.
"""

from __future__ import annotations

import math

import pytest

from attnlab import induction as ind
from attnlab.checks import induction as induction_checks

SEEDS = [5, 6, 7, 8, 9]


@pytest.fixture(scope="module")
def runs():
    # the attention models are measured every 10 steps, as in the chapter, for the history claims
    every = {"mlp": 50, "one_layer": 10, "two_layer": 10}
    return {m: ind.run_name_experiments(m, SEEDS, eval_every=every[m]) for m in ind.MODELS}


def test_mlp_learns_seen_combinations_but_fails_held_out(runs):
    for r in runs["mlp"]:
        assert r.train_accuracy >= 0.6, r
        assert r.heldout_accuracy <= 0.05, r


def test_one_layer_fails(runs):
    for r in runs["one_layer"]:
        assert max(r.history["train"]) <= 0.5, r  # never gets past 50%, at any step
        assert r.heldout_accuracy <= 0.4, r


def test_two_layers_succeed_and_the_sizes_are_comparable(runs):
    for r in runs["two_layer"]:
        assert r.train_accuracy >= 0.9 and r.heldout_accuracy >= 0.85, r
    assert sum(r.heldout_accuracy >= 0.97 for r in runs["two_layer"]) >= 3
    sizes = [rs[0].n_params for rs in runs.values()]
    assert max(sizes) / min(sizes) < 2, sizes  # "within a factor of two"


def test_ablation_collapses_and_agrees_with_the_exercise_answer(runs):
    for r in runs["two_layer"]:
        scores = ind.ablate_accuracy(r)
        assert scores["none"] >= 0.85, scores
        collapsed = {layer: scores[f"layer {layer}"] <= 0.2 for layer in (1, 2)}
        assert collapsed == induction_checks._HEADS_NEEDED, scores


def test_the_heads_do_what_the_chapter_says(runs):
    for r in runs["two_layer"]:
        summary = ind.circuit_summary(r)
        assert all(v >= 0.8 for v in summary.values()), (r.seed, summary)


def test_layer_one_is_a_previous_token_head(runs):
    for r in runs["two_layer"]:
        assert ind.previous_token_probe(r) >= 0.5, r.seed


def test_the_jump_is_sudden(runs):
    for r in runs["two_layer"]:
        steps, heldout, loss = r.history["step"], r.history["heldout"], r.history["loss"]
        assert steps[1] == 10 and heldout[1] < 0.1, heldout[:3]
        high = next(s for s, a in zip(steps, heldout, strict=True) if a >= 0.9)
        low = max(s for s, a in zip(steps, heldout, strict=True) if a <= 0.2 and s < high)
        assert high - low <= 80, (r.seed, low, high)
        assert loss[30] >= 0.75 * math.log(len(ind.POOL)), (r.seed, loss[30])  # the plateau
        land = next(i for i, x in enumerate(loss) if x <= 0.5)
        leave = max(i for i, x in enumerate(loss[:land]) if x >= 3.0)
        assert land - leave <= 60, (r.seed, leave, land)  # the cliff


def test_single_name_models_are_not_general_induction_heads(runs):
    for r in runs["two_layer"]:
        assert ind.induction_probe(r) <= 0.25, r.seed


def test_a_forty_times_larger_mlp_fails_too():
    big = ind.run_name_experiments("mlp", [0, 1], hidden=2000, eval_every=100)
    small = ind.run_name_experiment("mlp", seed=0, steps=1, eval_every=1, eval_size=4)
    assert big[0].n_params >= 35 * small.n_params
    for r in big:
        assert r.train_accuracy >= 0.9 and r.heldout_accuracy <= 0.05, r
