"""What attention costs: time and peak memory against sequence length (Chapter 5).

Every query looks at every key, so the step-by-step attention of Chapter 4 builds an L x L table of
scores per head: time and memory grow with the square of the length L. PyTorch's fused
``scaled_dot_product_attention`` computes the same output in blocks, without keeping the table.

The chapter runs :func:`measure_cost` on a few short lengths. ``python -m attnlab.ch05_multi_head.cost`` (what
``make bench`` runs) measures longer sequences and reports :class:`MultiHeadAttention` as a ratio
to ``torch.nn.MultiheadAttention`` timed in the same run, so the numbers do not depend on how fast
the machine is. Timings come from the machine that runs them; nothing here asserts a wall-clock.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from attnlab.ch04_attention.attention import scaled_dot_product_attention
from attnlab.ch05_multi_head.heads import MultiHeadAttention
from attnlab.ch05_multi_head.two_value import (
    TwoValueConfig,
    _data,
    _start,
    _train_side_by_side,
    run,
    run_seeds,
)
from attnlab.core import validate
from attnlab.core.bench import fit_slope, peak_memory, time_call
from attnlab.core.seeds import keeps_global_rng
from attnlab.core.seedstack import SeedStack

__all__ = [
    "time_call",  # from attnlab.core.bench, kept here for the chapter's `bench.` calls
    "peak_memory",
    "fit_slope",
    "CostResult",
    "measure_cost",
    "ModuleTiming",
    "compare_modules",
    "StackTiming",
    "compare_seed_stack",
    "main",
]


@dataclass
class CostResult:
    """Time (s) and peak memory (bytes) per length for the step-by-step and the fused attention."""

    lengths: list[int]
    time: dict[str, list[float]]  # "step by step" / "fused" -> seconds per length
    memory: dict[str, list[int]]  # same keys -> peak bytes per length

    def slopes(self, what: str = "time", skip: int = 0) -> dict[str, float]:
        """The fitted log-log slope per implementation, over the lengths after the first ``skip``."""
        table = self.time if what == "time" else self.memory
        return {k: fit_slope(self.lengths[skip:], v[skip:]) for k, v in table.items()}

    def speedup(self) -> list[float]:
        """How many times faster the fused function is, per length."""
        return [s / f for s, f in zip(self.time["step by step"], self.time["fused"], strict=True)]


def measure_cost(
    lengths: Sequence[int] = (64, 128, 256, 512, 1024),
    n_heads: int = 4,
    d_head: int = 16,
    repeats: int = 5,
    seed: int = 0,
    progress: bool = True,
) -> CostResult:
    """Time and peak memory of one attention call (batch 1, ``n_heads`` heads) per length.

    "step by step" is Chapter 4's :func:`~attnlab.ch04_attention.attention.scaled_dot_product_attention`, which
    builds the (L, L) weights; "fused" is ``torch.nn.functional.scaled_dot_product_attention``.
    """
    from tqdm.auto import tqdm

    lengths = [validate.positive_int("length", n) for n in lengths]
    n_heads = validate.positive_int("n_heads", n_heads)
    d_head = validate.positive_int("d_head", d_head)
    g = torch.Generator().manual_seed(validate.seed("seed", seed))
    implementations = {
        "step by step": lambda q, k, v: scaled_dot_product_attention(q, k, v),
        "fused": lambda q, k, v: F.scaled_dot_product_attention(q, k, v),
    }
    result = CostResult(lengths, {k: [] for k in implementations}, {k: [] for k in implementations})
    for length in tqdm(lengths, desc="lengths", disable=not progress):
        q, k, v = (torch.randn(1, n_heads, length, d_head, generator=g) for _ in range(3))
        for name, attend in implementations.items():
            call = functools.partial(attend, q, k, v)
            with torch.no_grad():
                result.time[name].append(time_call(call, repeats))
                result.memory[name].append(peak_memory(call))
    return result


@dataclass
class ModuleTiming:
    """Seconds per forward call of three multi-head modules at one length, timed together."""

    length: int
    torch_module: float  # torch.nn.MultiheadAttention(need_weights=False)
    fused: float  # MultiHeadAttention(need_weights=False)
    step_by_step: float  # MultiHeadAttention(need_weights=True)

    @property
    def fused_ratio(self) -> float:
        return self.fused / self.torch_module

    @property
    def step_ratio(self) -> float:
        return self.step_by_step / self.torch_module


@keeps_global_rng
def compare_modules(
    lengths: Sequence[int] = (64, 256, 1024),
    d_model: int = 64,
    n_heads: int = 4,
    batch: int = 2,
    repeats: int = 7,
    seed: int = 0,
) -> list[ModuleTiming]:
    """Time :class:`MultiHeadAttention` (fused and step-by-step) and ``torch.nn.MultiheadAttention``
    with the same weights on the same input, interleaved so a busy machine slows all three alike;
    each keeps its fastest of ``repeats`` runs."""
    torch.manual_seed(validate.seed("seed", seed))
    reference = torch.nn.MultiheadAttention(d_model, n_heads, batch_first=True).eval()
    ours = MultiHeadAttention.from_torch(reference).eval()
    timings = []
    for length in lengths:
        x = torch.randn(batch, validate.positive_int("length", length), d_model)
        calls = {
            "torch_module": functools.partial(reference, x, x, x, need_weights=False),
            "fused": functools.partial(ours, x, x, x, need_weights=False),
            "step_by_step": functools.partial(ours, x, x, x),
        }
        with torch.no_grad():
            runs: dict[str, list[float]] = {k: [] for k in calls}
            for _ in range(repeats):  # interleave the three, then keep each one's fastest run:
                for name, call in calls.items():  # the one other programs disturbed least
                    runs[name].append(time_call(call, repeats=1, min_time=0.05))
        fastest = {k: min(v) for k, v in runs.items()}
        timings.append(ModuleTiming(length, **fastest))
    return timings


@dataclass
class StackTiming:
    """Seconds to train the same seeds and head counts of Chapter 5's experiment three ways: as one
    :class:`~attnlab.ch05_multi_head.side_by_side.SideBySide` stack (what the chapter uses), as
    one :class:`~attnlab.core.seedstack.SeedStack` (``torch.func.vmap``) per head count, and as
    plain models one after another."""

    seeds: int
    steps: int
    side_by_side: float
    seed_stacks: float
    one_by_one: float

    @property
    def ratios(self) -> dict[str, float]:
        """Each way's time / the SideBySide time (above 1: slower than the chapter's way)."""
        return {
            "SeedStack per head count": self.seed_stacks / self.side_by_side,
            "one after another": self.one_by_one / self.side_by_side,
        }


def _seed_stacks(config: TwoValueConfig, seeds: Sequence[int]) -> None:
    """Chapter 5's experiment with one SeedStack per head count (the comparison's second way)."""
    data = tuple(torch.stack(part) for part in zip(*[_data(config, s) for s in seeds], strict=True))
    stacks = [SeedStack([_start(config, h, s) for s in seeds]) for h in config.heads]
    _train_side_by_side(stacks, data, config, progress=False)


def compare_seed_stack(
    steps: int = 200, seeds: Sequence[int] = (0, 1, 2, 3, 4), repeats: int = 3
) -> StackTiming:
    """Train Chapter 5's experiment (1, 2 and 4 heads on ``seeds``) for ``steps`` steps three
    ways, alternately ``repeats`` times; keep each way's fastest run (after one untimed short run
    of each, which pays for first-call set-up)."""
    config = TwoValueConfig(steps=steps, eval_every=steps)
    warm_up = TwoValueConfig(steps=1, n_eval=8)
    ways = {
        "side_by_side": lambda c: run_seeds(c, seeds, progress=False),
        "seed_stacks": lambda c: _seed_stacks(c, seeds),
        "one_by_one": lambda c: [run(c, s, progress=False) for s in seeds],
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for way in ways.values():
        way(warm_up)
    for _ in range(validate.positive_int("repeats", repeats)):
        for name, way in ways.items():
            start = time.perf_counter()
            way(config)
            times[name].append(time.perf_counter() - start)
    return StackTiming(len(seeds), steps, **{name: min(v) for name, v in times.items()})


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m attnlab.ch05_multi_head.cost``: the longer cost benchmark, printed as a table of ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-length", type=int, default=4096, help="longest sequence (tokens)")
    parser.add_argument("--quick", action="store_true", help="a few short lengths only")
    args = parser.parse_args(argv)
    top = 512 if args.quick else validate.positive_int("--max-length", args.max_length)
    lengths = [n for n in (64, 128, 256, 512, 1024, 2048, 4096, 8192) if n <= top]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("\n1. One attention call (4 heads of 16 features), batch 1: step by step vs fused")
    cost = measure_cost(lengths, repeats=3 if args.quick else 5)
    print(
        f"{'length':>7} {'step (ms)':>10} {'fused (ms)':>11} {'speed-up':>9} "
        f"{'step MiB':>9} {'fused MiB':>10}"
    )
    for i, n in enumerate(cost.lengths):
        step, fused = cost.time["step by step"][i], cost.time["fused"][i]
        m_step, m_fused = cost.memory["step by step"][i], cost.memory["fused"][i]
        print(
            f"{n:>7} {step * 1e3:>10.3f} {fused * 1e3:>11.3f} {step / fused:>8.1f}x "
            f"{m_step / 2**20:>9.2f} {m_fused / 2**20:>10.2f}"
        )
    skip = 1 if len(cost.lengths) > 3 else 0  # the shortest length is mostly fixed overhead
    for what in ("time", "memory"):
        slopes = cost.slopes(what, skip=skip)
        print(f"log-log slope of {what}: " + ", ".join(f"{k} {v:.2f}" for k, v in slopes.items()))
    print("\n2. MultiHeadAttention vs torch.nn.MultiheadAttention (same weights, same run)")
    print("   ratio = our time / torch's time (1.0 = as fast; goal for the fused path: <= 1.2)")
    print(f"{'length':>7} {'torch (ms)':>11} {'fused ratio':>12} {'step-by-step ratio':>19}")
    for t in compare_modules([n for n in lengths if n <= 2048], repeats=3 if args.quick else 7):
        print(
            f"{t.length:>7} {t.torch_module * 1e3:>11.3f} {t.fused_ratio:>11.2f}x "
            f"{t.step_ratio:>18.2f}x"
        )
    timing = compare_seed_stack(steps=20 if args.quick else 200, repeats=1 if args.quick else 3)
    print(
        f"\n3. Training Chapter 5's experiment (1, 2, 4 heads x {timing.seeds} seeds, "
        f"{timing.steps} steps): SideBySide {timing.side_by_side:.2f} s"
    )
    for name, ratio in timing.ratios.items():
        print(f"   {name}: {ratio:.2f}x the SideBySide time")
    print("\nTimes are from this machine; the ratios are what to compare across machines.")
    if not args.quick:
        longer_one_head()
    return 0


def longer_one_head(steps: int = 5000, seeds: Sequence[int] = (0, 1, 2, 3, 4)) -> None:
    """Chapter 5's question, run longer: is one head unable to learn the two-value task, or only
    slow? Trains one head (and four, for comparison) for ``steps`` steps and prints the result."""
    print(f"\n4. The two-value task of Chapter 5, trained {steps} steps (the chapter: 1200)")
    config = TwoValueConfig(heads=(1, 4), steps=steps, eval_every=100)
    result = run_seeds(config, seeds, progress=sys.stderr.isatty())
    for h in result.heads:
        reached = ["never" if s is None else str(s) for s in result.steps_to(h, 0.9)]
        print(f"{h} head(s): final accuracy per seed {result.final(h)}; steps to 90%: {reached}")
    print(f"({result.seconds:.0f} s)")


if __name__ == "__main__":
    raise SystemExit(main())
