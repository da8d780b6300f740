"""``tune_lr`` reproduces ``DEFAULT_LR``, the copy runs' learning rates (Chapters 3 and 4).

Each model's grid is 4 rates x 3 seeds of the default copy run (about 5 s for the MLP, 8 s for
attention on one core). The larger MLP's tuning (``LARGE_MLP``, about 30 s) is left to its comment.
"""

from __future__ import annotations

import pytest

from attnlab.ch03_next_token.experiment import DEFAULT_LR, tune_lr


@pytest.mark.parametrize("model", ["mlp", "attention"])
def test_tune_lr_picks_the_default_rate_on_seen_combinations(model):
    best, rows = tune_lr(model, eval_size=500)
    assert best == DEFAULT_LR[model], rows
    by_lr = {row["lr"]: row for row in rows}
    assert set(by_lr) == {0.003, 0.01, 0.03, 0.1}
    # As the comment on DEFAULT_LR says: 100% at 0.003-0.03, and 0.03 reaches 99% fastest.
    for lr in (0.003, 0.01, 0.03):
        assert by_lr[lr]["train_accuracy"] >= 0.99, rows
    assert by_lr[0.1]["train_accuracy"] <= 0.9, rows
    assert by_lr[0.03]["steps_to_99"] < min(by_lr[0.01]["steps_to_99"], by_lr[0.003]["steps_to_99"])
