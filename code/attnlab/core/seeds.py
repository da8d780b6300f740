"""Seeds for every chapter: one call makes a run repeatable, one variable shifts them all."""

from __future__ import annotations

import functools
import os
import random
from collections.abc import Callable
from typing import TypeVar

__all__ = ["SEED_OFFSET_VARIABLE", "keeps_global_rng", "seed_offset", "set_seed", "shift_seed"]

#: The environment variable that shifts every seed of the course (see :func:`shift_seed`).
SEED_OFFSET_VARIABLE = "ATTNLAB_SEED_OFFSET"


def seed_offset() -> int:
    """The value of ``ATTNLAB_SEED_OFFSET`` (0 when it is not set), read at every call."""
    text = os.environ.get(SEED_OFFSET_VARIABLE, "").strip()
    if not text:
        return 0
    try:
        offset = int(text)
    except ValueError:
        raise ValueError(
            f"{SEED_OFFSET_VARIABLE} must be a whole number >= 0, got {text!r}"
        ) from None
    if not 0 <= offset < 2**62:
        raise ValueError(f"{SEED_OFFSET_VARIABLE} must be between 0 and 2**62, got {offset}")
    return offset


def shift_seed(seed: object, name: str = "seed") -> int:
    """The seed a run really uses: ``seed + ATTNLAB_SEED_OFFSET`` (all chapters).

    ``set_seed`` and every ``run_*`` experiment pass their seed through here, so that
    ``ATTNLAB_SEED_OFFSET=1000 make test`` runs every chapter and claim on seeds nobody chose.
    """
    from attnlab.core import validate

    return validate.seed(name, validate.seed(name, seed) + seed_offset())


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and PyTorch so that a re-run gives the same numbers (all chapters).

    The seed is shifted by ``ATTNLAB_SEED_OFFSET`` when that variable is set (see ``shift_seed``).
    """
    seed = shift_seed(seed)  # checked before anything is seeded
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


_F = TypeVar("_F", bound=Callable)


def keeps_global_rng(func: _F) -> _F:
    """Decorator for the course's runs and trainers (all chapters): whatever ``func`` seeds or
    draws from torch's global generator, the caller's random numbers afterwards stay as they were.

    Inside, ``torch.manual_seed(seed)`` works as before, so a seed gives the same run as ever.
    """

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> object:
        import torch

        with torch.random.fork_rng(devices=[]):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
