"""The cost benchmark (Chapter 5, `make bench`): measurements, slopes and ratios, no wall-clock
asserts."""

from __future__ import annotations

import math

import pytest
import torch

from attnlab.ch05_multi_head import cost as bench


def test_fit_slope_recovers_a_power():
    lengths = [64, 128, 256, 512]
    assert math.isclose(bench.fit_slope(lengths, [3 * n**2 for n in lengths]), 2.0, abs_tol=1e-9)
    assert math.isclose(bench.fit_slope(lengths, [5 * n for n in lengths]), 1.0, abs_tol=1e-9)


@pytest.mark.parametrize(
    "lengths,values,words",
    [([1], [1], "at least 2"), ([1, 2], [1], "same length"), ([1, 2], [0, 1], "positive")],
)
def test_fit_slope_bad_input(lengths, values, words):
    with pytest.raises(ValueError, match=words):
        bench.fit_slope(lengths, values)


def test_peak_memory_sees_the_weights_table():
    """The step-by-step path holds L x L tables per head; the fused one only the output."""
    from attnlab.ch04_attention.attention import scaled_dot_product_attention

    q = torch.randn(1, 2, 256, 8)
    with torch.no_grad():
        step = bench.peak_memory(lambda: scaled_dot_product_attention(q, q, q))
        fused = bench.peak_memory(lambda: torch.nn.functional.scaled_dot_product_attention(q, q, q))
    table = 2 * 256 * 256 * 4  # one float32 (256, 256) table per head
    assert step >= table
    assert fused < table / 4


def test_memory_slopes_two_and_one():
    cost = bench.measure_cost(lengths=(64, 128, 256, 512), repeats=1, progress=False)
    slopes = cost.slopes("memory", skip=1)
    assert slopes["step by step"] >= 1.8, slopes
    assert slopes["fused"] <= 1.2, slopes
    assert all(t > 0 for times in cost.time.values() for t in times)
    assert len(cost.speedup()) == 4


def test_time_call_is_positive_and_checks_arguments():
    assert bench.time_call(lambda: sum(range(100)), repeats=3, min_time=0.001) > 0
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        bench.time_call(lambda: None, repeats=0)


def test_compare_modules_reports_ratios():
    (timing,) = bench.compare_modules(lengths=(32,), d_model=16, n_heads=2, repeats=1)
    assert timing.length == 32
    assert timing.fused_ratio > 0 and timing.step_ratio > 0
    assert math.isclose(timing.fused_ratio, timing.fused / timing.torch_module)


def test_the_timing_helpers_live_in_core():
    from attnlab.core import bench as core_bench

    assert bench.time_call is core_bench.time_call and bench.fit_slope is core_bench.fit_slope
    assert bench.peak_memory is core_bench.peak_memory


def test_main_quick_prints_ratios(capsys, monkeypatch):
    monkeypatch.setattr(bench, "measure_cost", _tiny(bench.measure_cost, lengths=(32, 64)))
    monkeypatch.setattr(bench, "compare_modules", _tiny(bench.compare_modules, lengths=(32,)))
    monkeypatch.setattr(bench, "compare_seed_stack", _tiny(bench.compare_seed_stack, steps=2))
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "fused ratio" in out and "log-log slope of memory" in out
    assert "SeedStack per head count" in out and "x the SideBySide time" in out


def _tiny(func, **fixed):
    def call(*args, **kwargs):
        kwargs.pop("lengths", None)
        args = args[1:] if args else ()
        return func(*args, **{**kwargs, **fixed})

    return call


def test_the_training_comparison_reports_ratios_not_wall_clock():
    from attnlab.ch05_multi_head.cost import StackTiming, compare_seed_stack

    timing = compare_seed_stack(steps=2, seeds=(0, 1), repeats=1)
    assert isinstance(timing, StackTiming) and timing.seeds == 2 and timing.steps == 2
    assert min(timing.side_by_side, timing.seed_stacks, timing.one_by_one) > 0
    assert set(timing.ratios) == {"SeedStack per head count", "one after another"}
    assert timing.ratios["one after another"] == timing.one_by_one / timing.side_by_side
