"""Exercise checks for Chapter 7: one TinyGPT block's forward pass, and which head copies.

The cases come from ``exercises.py`` (the assignment's hidden tests use the same ones); the right
answers from the chapter's own code: ``Block.forward`` and Chapter 6's ``induction_score``. When
an answer is wrong and matches a common mistake, the message names that mistake.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from attnlab.ch06_copying_names.analysis import induction_score, previous_token_score
from attnlab.ch07_name import exercises
from attnlab.ch07_name.model import Block, causal_mask
from attnlab.core.checks import (
    Case,
    CheckResult,
    PrintedOutput,
    call_student,
    compare,
    error_text,
    never_raises,
    not_callable,
    not_written,
    short,
)

__all__: list[str] = ["check_block_forward", "check_strongest_induction_head"]


class Attention:
    """A block's causal multi-head attention as the exercise calls it: ``attention(h, mask)``
    returns what every token read, (B, L, d_model) (Chapter 5's ``MultiHeadAttention``)."""

    def __init__(self, module: torch.nn.Module) -> None:
        self.module = module

    def __call__(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.module(h, mask=mask)[0]

    def __repr__(self) -> str:
        return "attention(h, mask)"


def block_parts(d_model: int, n_heads: int, width: int, length: int, seed: int) -> tuple:
    """One case of the block exercise: (block, x, mask). The block is ``Block(d_model, n_heads,
    width)`` made with ``torch.manual_seed(seed)``, its two LayerNorms given random scales and
    shifts (so that they differ); ``x`` is (2, length, d_model) from a generator seeded with seed."""
    with torch.random.fork_rng(devices=[]):  # the caller's random numbers stay as they were
        torch.manual_seed(seed)
        block = Block(d_model, n_heads, width)
        with torch.no_grad():
            for norm in (block.norm1, block.norm2):
                norm.weight.normal_(1.0, 0.5)
                norm.bias.normal_(0.0, 0.5)
    x = torch.randn(2, length, d_model, generator=torch.Generator().manual_seed(seed))
    return block, x, causal_mask(length)


def _run_diagnosed(
    check_name: str, func: Callable, build: Callable[[], list[tuple[Case, list]]], hint: str
) -> CheckResult:
    """Like ``run_cases``, and a wrong answer that matches one of a case's ``(wrong value,
    why)`` mistakes is told why. The expected values are built only after the student's last call."""
    if not callable(func):
        return not_callable(check_name, func)
    name = getattr(func, "__name__", None)
    name = name if isinstance(name, str) else type(func).__name__
    inputs = [(case.description, case.args) for case, _ in build()]
    outcomes = []
    with PrintedOutput() as printed:
        for _, args in inputs:
            outcomes.append(call_student(func, args, None, printed))
            if outcomes[-1].error is not None:
                break
    for number, ((case, mistakes), outcome) in enumerate(
        zip(build(), outcomes, strict=False), start=1
    ):
        if isinstance(outcome.error, NotImplementedError):
            return not_written(check_name, name)
        where = f"✗ Case {number} ({case.description}): "
        if outcome.error is not None:
            return CheckResult(
                check_name,
                False,
                where + f"`{name}` raised {error_text(outcome.error)}\n  hint: {hint}",
            )
        try:
            problem = compare(outcome.value, case.expected)
        except Exception as error:  # a result whose own methods fail
            problem = f"your result could not be read ({error_text(error)}): {short(outcome.value)}"
        if problem:
            why = next(
                (why for wrong, why in mistakes if _matches(outcome.value, wrong)),
                hint,
            )
            return CheckResult(check_name, False, where + f"{problem}\n  hint: {why}")
    return CheckResult(check_name, True, f"✓ `{name}` passed all {len(inputs)} checks. Well done!")


def _matches(got: object, wrong: object) -> bool:
    try:
        return compare(got, wrong) is None
    except Exception:
        return False


# ---- exercise 1: the block's forward ------------------------------------------------------------
@torch.no_grad()
def _block_case(label: str, args: tuple) -> tuple[Case, list]:
    block, x, mask = block_parts(*args)
    attention, mlp, norm1, norm2 = Attention(block.attention), block.mlp, block.norm1, block.norm2
    read = attention(norm1(x), mask)
    stream = x + read
    mistakes = [
        (
            read + mlp(norm2(read)),
            "attention's output is ADDED to the stream, x = x + attention(...): the stream keeps "
            "what it held and gains what attention read",
        ),
        (
            mlp(norm2(stream)),
            "the MLP's output is ADDED to the stream too (x = x + mlp(...)), it does not replace it",
        ),
        (
            mlp(norm2(read)),
            "both parts ADD to the stream: x = x + attention(...), then x = x + mlp(...)",
        ),
        (
            stream + mlp(norm1(stream)),
            "each part has its own LayerNorm: attention reads norm1(x), the MLP reads norm2(x)",
        ),
        (
            x + attention(norm2(x), mask) + mlp(norm2(x + attention(norm2(x), mask))),
            "each part has its own LayerNorm: attention reads norm1(x), the MLP reads norm2(x)",
        ),
        (
            x + read + mlp(norm2(x)),
            "the MLP reads the stream AFTER attention added to it, not the block's input x",
        ),
        (
            _normed_stream(x, attention, mlp, norm1, norm2, mask),
            "normalize only what a part reads (attention(norm1(x), mask)); the stream itself "
            "is added to unnormalized",
        ),
        (
            _post_norm(x, attention, mlp, norm1, norm2, mask),
            "the LayerNorm comes BEFORE each part (on what it reads), not after the add",
        ),
        (
            x
            + attention(norm1(x), torch.ones_like(mask))
            + mlp(norm2(x + attention(norm1(x), torch.ones_like(mask)))),
            "pass the mask to attention: a token may only read itself and the tokens before it",
        ),
    ]
    expected = block(x, mask)
    return Case(label, (x, attention, mlp, norm1, norm2, mask), expected), mistakes


def _normed_stream(x, attention, mlp, norm1, norm2, mask) -> torch.Tensor:
    x = norm1(x)
    x = x + attention(x, mask)
    x = norm2(x)
    return x + mlp(x)


def _post_norm(x, attention, mlp, norm1, norm2, mask) -> torch.Tensor:
    x = norm1(x + attention(x, mask))
    return norm2(x + mlp(x))


@never_raises
def check_block_forward(func: Callable) -> CheckResult:
    """Check ``block_forward(x, attention, mlp, norm1, norm2, mask)`` against ``Block.forward``:
    x + attention(norm1(x), mask), then that plus mlp(norm2(that))."""
    return _run_diagnosed(
        "check_block_forward",
        func,
        lambda: [_block_case(label, args) for label, args in exercises.cases("block_forward")],
        hint="two steps, each 'normalize what the part reads, run the part, add its output to "
        "the stream': first attention with norm1 (and the mask), then the MLP with norm2",
    )


# ---- exercise 2: which head copies ---------------------------------------------------------------
def _best(scores: torch.Tensor) -> tuple[int, int]:
    layer, head = divmod(int(scores.flatten().argmax()), scores.shape[1])
    return layer + 1, head


def _scores(patterns: torch.Tensor, score: Callable) -> torch.Tensor:
    return torch.tensor([[score(p) for p in heads] for heads in patterns])


def _induction_case(label: str, args: tuple) -> tuple[Case, list]:
    patterns, period = torch.tensor(args[0]), args[1]
    induction = _scores(patterns, lambda p: induction_score(p, period))
    layer, head = _best(induction)
    duplicate = torch.tensor(
        [
            [float(p[torch.arange(period, len(p)), torch.arange(0, len(p) - period)].mean())]
            for heads in patterns
            for p in heads
        ]
    ).reshape(induction.shape)
    mistakes = [
        ((layer - 1, head), "count the layers from 1 (the first block is layer 1), heads from 0"),
        ((head, layer), "return (layer, head) in that order"),
        (
            _best(duplicate),
            "that head looks at the earlier copy of the SAME token (i - period); an induction "
            "head looks one step AFTER it, at i - period + 1",
        ),
        (
            _best(_scores(patterns, previous_token_score)),
            "that is a previous-token head (it looks at i - 1); score each head with the "
            "induction score on the rows of the repeat",
        ),
    ]
    return Case(label, (patterns, period), (layer, head)), mistakes


@never_raises
def check_strongest_induction_head(func: Callable) -> CheckResult:
    """Check ``strongest_induction_head(patterns, period)`` -> (layer counted from 1, head counted
    from 0) of the head with the highest induction score (Chapter 6's ``induction_score``)."""
    return _run_diagnosed(
        "check_strongest_induction_head",
        func,
        lambda: [
            _induction_case(label, args)
            for label, args in exercises.cases("strongest_induction_head")
        ],
        hint="score every head: the mean of pattern[i, i - period + 1] over the rows i from period "
        "to the end; return the (layer, head) of the highest, the layer counted from 1",
    )
