"""``tune_lr`` reproduces ``DEFAULT_LR``, the MLP copy run's learning rate (Chapter 3).

The grid is 4 rates x 3 seeds of the default copy run (about 5 s on one core). The larger MLP's
tuning (``LARGE_MLP``, about 30 s) is left to its comment; Chapter 4's attention model's tuning is
in tests/unit/ch04_attention/test_copy_run.py.
"""

from __future__ import annotations

from attnlab.ch03_next_token import copy_experiment
from attnlab.ch03_next_token.copy_analysis import tune_lr
from attnlab.ch03_next_token.copy_experiment import DEFAULT_LR, CopyConfig


def test_tune_lr_picks_the_default_rate_on_seen_combinations():
    best, rows = tune_lr(copy_experiment.run, CopyConfig(eval_size=500))
    assert best == DEFAULT_LR == CopyConfig().lr, rows
    by_lr = {row["lr"]: row for row in rows}
    assert set(by_lr) == {0.003, 0.01, 0.03, 0.1}
    # As the comment on DEFAULT_LR says: 100% at 0.003-0.03, and 0.03 reaches 99% fastest.
    for lr in (0.003, 0.01, 0.03):
        assert by_lr[lr]["train_accuracy"] >= 0.99, rows
    assert by_lr[0.1]["train_accuracy"] <= 0.9, rows
    assert by_lr[0.03]["steps_to_99"] < min(by_lr[0.01]["steps_to_99"], by_lr[0.003]["steps_to_99"])
