"""Timing and memory helpers for the course's benchmarks (``make bench``), machine-independent
where it matters: ``time_call`` (median seconds per call), ``peak_memory`` (bytes of new tensors
held at once) and ``fit_slope`` (the power p in cost ~ L^p). Nothing here asserts a wall-clock.
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Callable, Sequence

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from attnlab.core import validate

__all__ = ["time_call", "peak_memory", "fit_slope"]


def time_call(fn: Callable[[], object], repeats: int = 5, min_time: float = 0.02) -> float:
    """The median time of one call to ``fn`` in seconds (Chapters 5-6).

    Calls are grouped so that each timed group lasts at least ``min_time`` (short calls are too
    quick to time alone); the median over ``repeats`` groups resists a busy machine.
    """
    repeats = validate.positive_int("repeats", repeats)
    validate.positive_number("min_time", min_time)
    fn()  # warm up: the first call pays for memory and caches
    number, start = 1, time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, math.ceil(min_time / once))
    groups = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        groups.append((time.perf_counter() - start) / number)
    groups.sort()
    return groups[len(groups) // 2]


class _MemoryWatcher(TorchDispatchMode):
    """Sees every tensor operation; adds up the bytes of the new tensors it creates and takes
    them off again when they are freed."""

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[int, list[int]] = {}  # storage address -> [tensors using it, bytes]
        self.held = self.peak = 0

    def _freed(self, address: int) -> None:
        entry = self.live[address]
        entry[0] -= 1
        if entry[0] == 0:
            self.held -= entry[1]
            del self.live[address]

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        out = func(*args, **(kwargs or {}))
        inputs = {a.untyped_storage().data_ptr() for a in args if isinstance(a, torch.Tensor)}
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if not isinstance(t, torch.Tensor):
                continue
            address = t.untyped_storage().data_ptr()
            if address in self.live:
                self.live[address][0] += 1  # a view of a tensor made here
            elif address in inputs:
                continue  # a view of (or an in-place change to) an input: nothing new
            else:
                self.live[address] = [1, t.untyped_storage().nbytes()]
                self.held += self.live[address][1]
                self.peak = max(self.peak, self.held)
            weakref.finalize(t, self._freed, address)
        return out


def peak_memory(fn: Callable[[], object]) -> int:
    """The most bytes of new tensors that ``fn`` held at once (Chapter 5).

    Every operation's new tensors are counted when they are made and taken off when they are
    freed; the highest point is the peak. Memory that one fused operation uses and frees inside
    itself is not seen, only what it returns.
    """
    with _MemoryWatcher() as watcher:
        fn()
    return int(watcher.peak)


def fit_slope(lengths: Sequence[float], values: Sequence[float]) -> float:
    """The slope of the straight line through (log length, log value): the power p in value ~ L^p."""
    if len(lengths) != len(values) or len(lengths) < 2:
        raise ValueError(
            f"lengths and values must have the same length (at least 2), got {len(lengths)} "
            f"and {len(values)}"
        )
    if min(lengths) <= 0 or min(values) <= 0:
        raise ValueError("lengths and values must be positive to take logarithms")
    x = torch.tensor([math.log(v) for v in lengths], dtype=torch.float64)
    y = torch.tensor([math.log(v) for v in values], dtype=torch.float64)
    x = x - x.mean()
    return float((x * (y - y.mean())).sum() / (x * x).sum())
