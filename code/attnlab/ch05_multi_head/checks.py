"""Exercise checks for the heads chapter (Chapter 5): reshape into heads, count the parameters,
multi-head attention from the single-head function."""

from __future__ import annotations

from collections.abc import Callable

import torch

from attnlab.ch05_multi_head import exercises
from attnlab.ch05_multi_head.heads import MultiHeadAttention, split_heads
from attnlab.core.checks import Case, CheckResult, never_raises, run_cases

__all__: list[str] = ["check_split_heads", "check_count_parameters", "check_multi_head_forward"]


@never_raises
def check_split_heads(split: Callable) -> CheckResult:
    """Check ``split(x, n_heads)``: (B, L, d_model) -> (B, n_heads, L, d_head)."""
    return run_cases(
        "check_split_heads",
        split,
        _split_cases,
        hint="cut the last axis first, x.reshape(B, L, n_heads, d_head), then swap the L and "
        "n_heads axes with .transpose(1, 2); a single reshape to (B, n_heads, L, d_head) mixes "
        "tokens together",
    )


def _split_cases() -> list[Case]:
    cases = []
    for label, (x, n_heads) in exercises.cases("split_heads"):
        x = torch.tensor(x)
        cases.append(Case(label, (x, n_heads), split_heads(x, n_heads)))
    return cases


@never_raises
def check_count_parameters(count: Callable) -> CheckResult:
    """Check ``count(d_model, n_heads)``: the number of learned numbers in a
    ``MultiHeadAttention(d_model, n_heads)`` with biases."""

    def real(d_model: int, n_heads: int) -> int:
        return sum(p.numel() for p in MultiHeadAttention(d_model, n_heads).parameters())

    return run_cases(
        "check_count_parameters",
        count,
        lambda: [
            Case(label, args, real(*args)) for label, args in exercises.cases("count_parameters")
        ],
        hint="four (d_model × d_model) matrices (queries, keys, values, output), each with a bias "
        "of d_model numbers; do the heads change any of these sizes?",
    )


def _multi_head_cases() -> list[Case]:
    g = torch.Generator().manual_seed(7)
    cases = []
    for batch, length, d_model, n_heads in ((1, 3, 4, 1), (1, 3, 4, 2), (2, 5, 8, 4), (2, 4, 6, 3)):
        with torch.random.fork_rng(devices=[]):  # the caller's random numbers stay as they were
            torch.manual_seed(int(torch.randint(1000, (1,), generator=g)))
            module = MultiHeadAttention(d_model, n_heads, bias=False)
        x = torch.randn(batch, length, d_model, generator=g)
        # nn.Linear computes x @ weight.T, so the matrices the student multiplies by are .T
        weights = [
            layer.weight.detach().T.contiguous()
            for layer in (module.query, module.key, module.value, module.out)
        ]
        with torch.no_grad():
            expected = module(x)[0]
        cases.append(
            Case(
                f"batch {batch}, {length} tokens, d_model={d_model}, {n_heads} head(s)",
                (x, *weights, n_heads),
                expected,
            )
        )
    return cases


@never_raises
def check_multi_head_forward(forward: Callable) -> CheckResult:
    """Check ``forward(x, w_query, w_key, w_value, w_out, n_heads)`` -> (B, L, d_model): multi-head
    self-attention without biases, where each projection is ``x @ w``."""
    return run_cases(
        "check_multi_head_forward",
        forward,
        _multi_head_cases,
        hint="project first (q = x @ w_query, ...), cut each of q, k, v into heads, run "
        "scaled_dot_product_attention on every head, glue the heads back side by side, and only "
        "then multiply by w_out",
    )
