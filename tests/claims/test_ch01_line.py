"""Chapter 1's claims about its runs, on other classes of students (one class per claim seed).

The chapter draws one class (seed 0), walks down its bowl with three learning rates and trains
``nn.Linear`` on it. Here every claim seed draws its own class of 50 (and seeds the PyTorch run).
"""

from __future__ import annotations

import pytest

from attnlab import shift_seed
from attnlab.ch01_line import line

RATES = {"too small": 0.005, "good": 0.08}
NOISE = 4.0  # the sleep data's noise, as in the chapter


@pytest.fixture(scope="module")
def runs(claim_seeds):
    results = []
    for seed in claim_seeds:
        hours, scores = line.make_line_data(n=50, seed=shift_seed(seed))
        best_w, best_b = line.least_squares(hours, scores)
        bottom = line.mse(line.predict(best_w, best_b, hours), scores)
        walks = {
            name: line.gradient_descent(hours, scores, lr, 200, 0.0, 60.0)
            for name, lr in RATES.items()
        }
        limit = line.largest_stable_lr(hours)
        too_large = line.gradient_descent(hours, scores, 1.1 * limit, 200, 0.0, 60.0)
        fit = line.train_linear_torch(hours, scores, lr=0.08, steps=500, seed=seed, progress=False)
        sleep, sleep_scores = line.make_curved_data(n=50, seed=shift_seed(seed), noise=NOISE)
        sleep_line = line.least_squares(sleep, sleep_scores)
        results.append(
            {
                "small": walks["too small"].loss[-1] / bottom,
                "small_diverged": walks["too small"].diverged,
                "good": walks["good"].loss[-1] / bottom,
                "good_diverged": walks["good"].diverged,
                "limit": limit,
                "too_large_steps": len(too_large) - 1 if too_large.diverged else 10_000,
                "torch_gap": max(abs(fit.w - best_w), abs(fit.b - best_b)),
                "hump": line.mse(line.predict(*sleep_line, sleep), sleep_scores) / NOISE**2,
            }
        )
    return results


def values(runs, key):
    return [float(r[key]) for r in runs]


def test_the_too_small_rate_is_still_far_up_the_valley(runs, claim):
    assert not any(r["small_diverged"] for r in runs)
    claim("ch1: lr 0.005, MSE after 200 steps / bottom", values(runs, "small"), at_least=1.3)


def test_the_good_rate_reaches_the_bottom(runs, claim):
    assert not any(r["good_diverged"] for r in runs)
    claim("ch1: lr 0.08, MSE after 200 steps / bottom", values(runs, "good"), at_most=1.001)


def test_past_the_speed_limit_the_walk_diverges(runs, claim):
    claim("ch1: the speed limit (0.08 is under it)", values(runs, "limit"), at_least=0.08)
    claim(
        "ch1: steps until 1.1 x the speed limit diverges",
        values(runs, "too_large_steps"),
        at_most=200,
    )


def test_pytorch_lands_on_the_least_squares_line(runs, claim):
    claim(
        "ch1: PyTorch vs least squares, largest knob gap", values(runs, "torch_gap"), at_most=0.01
    )


def test_a_line_cannot_follow_the_hump(runs, claim):
    claim(
        "ch1: best line's MSE on the sleep data / noise variance", values(runs, "hump"), at_least=5
    )
