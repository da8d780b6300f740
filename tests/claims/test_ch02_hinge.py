"""Chapter 2's claims about its runs, on the claim seeds (the chapter runs seeds 0-4 and 0-2).

- gradient descent needs more hinges than a hand: 2 learned hinges never reach the bar, 16 always
  get below it;
- no trained line beats 75% on XOR; the 16-unit MLP solves it, the 2-unit one fails on most seeds;
- the digits MLP reads at least 92% of its test digits, each seed with its own split.
"""

from __future__ import annotations

import pytest

from attnlab.ch02_hinge import digits, fit, xor

GOOD = 0.01  # the chapter's "good enough" bar


@pytest.fixture(scope="module")
def sine_fits(claim_seeds):
    return {n: [fit.fit_curve("sine", n, seed=s, steps=1000) for s in claim_seeds] for n in (2, 16)}


def test_gradient_descent_needs_more_hinges_than_a_hand(sine_fits, claim):
    claim("ch2: sine, 2 learned hinges: error", [f.error for f in sine_fits[2]], at_least=GOOD)
    claim("ch2: sine, 16 hidden units: error", [f.error for f in sine_fits[16]], at_most=GOOD)


@pytest.fixture(scope="module")
def xor_runs(claim_seeds):
    x, y = xor.xor_data()
    runs = []
    for s in claim_seeds:
        _, accuracy = xor.train_xor_mlp(seed=s)
        runs.append(
            {
                "line": xor.train_line_classifier(x, y, seed=s)[1],
                "mlp": accuracy,
                "mlp2": xor.train_xor_mlp(seed=s, n_hidden=2)[1],
            }
        )
    return runs


def test_no_line_beats_75_percent_on_xor(xor_runs, claim):
    x, y = xor.xor_data()
    claim("ch2: XOR, the best of all lines: accuracy", [xor.best_line(x, y).accuracy], at_most=0.75)
    claim("ch2: XOR, a trained line: accuracy", [r["line"] for r in xor_runs], at_most=0.75)


def test_the_mlp_solves_xor_and_two_units_often_get_stuck(xor_runs, claim):
    claim("ch2: XOR, 16 hidden units: accuracy", [r["mlp"] for r in xor_runs], at_least=1.0)
    failed = [float(r["mlp2"] < 1.0) for r in xor_runs]
    claim(
        "ch2: XOR, 2 hidden units: share of seeds that fail",
        [sum(failed) / len(failed)],
        at_least=0.5,
    )


def test_digits_reach_the_stated_accuracy(claim_seeds, claim):
    data = digits.load_digits()
    accuracies = []
    for s in claim_seeds:
        split = digits.split_digits(data, seed=s)
        accuracies.append(digits.train_digit_mlp(split, seed=s, progress=False)[1])
    claim("ch2: digits MLP, 300 steps: test accuracy", accuracies, at_least=0.92)
