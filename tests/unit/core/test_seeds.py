"""ATTNLAB_SEED_OFFSET shifts every seed; one rule for what a seed may be."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import attnlab
from attnlab.ch03_next_token import copy_experiment
from attnlab.ch03_next_token.copy_experiment import CopyConfig


def test_offset_shifts_set_seed_and_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTNLAB_SEED_OFFSET", "7")
    assert attnlab.seed_offset() == 7 and attnlab.shift_seed(3) == 10
    attnlab.set_seed(3)
    shifted = torch.rand(3)
    monkeypatch.delenv("ATTNLAB_SEED_OFFSET")
    attnlab.set_seed(10)
    assert torch.equal(shifted, torch.rand(3))
    monkeypatch.setenv("ATTNLAB_SEED_OFFSET", "2")
    run = copy_experiment.run(CopyConfig(steps=2, eval_size=10, eval_every=1), 1)
    assert run.seed == 3


@pytest.mark.parametrize("text", ["-1", "abc", "1.5", str(2**62)])
def test_a_bad_offset_is_named(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("ATTNLAB_SEED_OFFSET", text)
    with pytest.raises(ValueError, match="ATTNLAB_SEED_OFFSET"):
        attnlab.set_seed(0)


def test_one_rule_for_seeds() -> None:
    attnlab.set_seed(np.int64(5))  # numpy ints are seeds too
    for bad, error in [(2**64, ValueError), (-1, ValueError), (1.0, TypeError), (True, TypeError)]:
        with pytest.raises(error, match="seed"):
            attnlab.set_seed(bad)
