"""The claims Chapter 2 makes, checked across seeds (the notebook shows seed 0).

- no line gets more than 75% of XOR (the brute-force best line, and a line trained on 10 seeds);
- the chapter's XOR MLP gets 100% on 10 seeds; with only two hidden units it fails on most of them;
- the digits MLP reaches at least 95% test accuracy on 5 seeds, each with its own split;
- gradient descent on the sine needs more hinges than the three that suffice by hand.
"""

from __future__ import annotations

import pytest

from attnlab import digits, hinge

SEEDS = range(10)


def test_no_line_beats_75_percent_on_xor():
    x, y = hinge.xor_data()
    assert hinge.best_line(x, y).accuracy == 0.75


@pytest.mark.parametrize("seed", SEEDS)
def test_a_trained_line_fails_xor(seed):
    x, y = hinge.xor_data()
    _, accuracy = hinge.train_line_classifier(x, y, seed=seed)
    assert accuracy <= 0.75


@pytest.mark.parametrize("seed", SEEDS)
def test_the_mlp_solves_xor(seed):
    _, accuracy = hinge.train_xor_mlp(seed=seed)
    assert accuracy == 1.0


def test_two_hidden_units_often_get_stuck_on_xor():
    # The chapter says two hidden units can solve XOR (its hand-set pair does) but gradient
    # descent often gets stuck with only two: it fails on most of seeds 0-9 (8 of 10 when this
    # was written), and the hand pair works.
    accuracies = [hinge.train_xor_mlp(seed=s, n_hidden=2)[1] for s in SEEDS]
    assert sum(a < 1.0 for a in accuracies) > len(accuracies) / 2, accuracies
    x, y = hinge.xor_data()
    out = hinge.two_layer_forward(x, **hinge.XOR_HAND_WEIGHTS)[:, 0]
    assert ((out > 0).float() == y).all()


@pytest.fixture(scope="module")
def digit_set():
    return digits.load_digits()


@pytest.mark.parametrize("seed", range(5))
def test_digits_reach_95_percent(digit_set, seed):
    split = digits.split_digits(digit_set, seed=seed)
    _, accuracy = digits.train_digit_mlp(split, seed=seed, progress=False)
    assert accuracy >= 0.95, f"seed {seed}: test accuracy {accuracy:.3f}"


def test_gradient_descent_needs_more_hinges_than_a_hand():
    good = 0.01
    slopes, offset = hinge.best_slopes([-3.0, -1.5, 1.5], "sine")
    x = hinge.curve_grid()
    hand = (
        (hinge.hinge_sum(x, [-3.0, -1.5, 1.5], slopes, offset) - hinge.target_curve("sine", x)) ** 2
    ).mean()
    assert hand < good
    three = [hinge.fit_curve("sine", 3, seed=s).error for s in range(3)]
    assert any(e > good for e in three), three  # three learned hinges: some seed gets stuck
    sixteen = [hinge.fit_curve("sine", 16, seed=s).error for s in range(3)]
    assert all(e < good for e in sixteen), sixteen
