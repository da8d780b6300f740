"""Exercise checks for the attention chapter (Chapter 4)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from attnlab.core.checks import (
    Case,
    CheckResult,
    call_student,
    error_text,
    never_raises,
    not_callable,
    not_written,
    run_cases,
)

__all__ = ["check_softmax", "check_attention", "check_it_attends_to", "IT_QUERY_CHANGE"]


def _softmax(scores: torch.Tensor) -> torch.Tensor:
    return torch.softmax(scores.double(), dim=-1).to(scores.dtype)


@never_raises
def check_softmax(softmax: Callable) -> CheckResult:
    """Check ``softmax(scores)``: weights along the last dimension, stable for huge scores."""
    if not callable(softmax):
        return not_callable("check_softmax", softmax)
    ordinary = [
        ([1.0, 2.0, 3.0], "three small scores"),
        ([0.0, 0.0, 0.0, 0.0], "four equal scores share the weight equally"),
        ([[1.0, 0.0, -1.0], [2.0, 2.0, 5.0]], "two rows: softmax along the last dimension"),
    ]
    first = run_cases(
        "check_softmax",
        softmax,
        lambda: [Case(d, (torch.tensor(s),), _softmax(torch.tensor(s))) for s, d in ordinary],
        hint="softmax(s)[j] = exp(s[j]) / (sum of exp(s[i]) over the last dimension).",
    )
    if not first:
        return first
    extreme = [
        ([1000.0, 1001.0, 1002.0], "huge scores: exp(1000) overflows to inf in float32"),
        ([-1000.0, -1001.0, -1002.0], "very negative scores: exp(-1000) underflows to 0"),
    ]
    second = run_cases(
        "check_softmax",
        softmax,
        lambda: [Case(d, (torch.tensor(s),), _softmax(torch.tensor(s))) for s, d in extreme],
        hint="the weights do not change if you subtract the same number from every score of a "
        "row; subtract the row's largest score before exp, and nothing overflows.",
    )
    if not second:
        return second
    name = getattr(softmax, "__name__", "softmax")
    total = len(ordinary) + len(extreme)
    return CheckResult(
        "check_softmax",
        True,
        f"✓ `{name}` passed all {total} checks, huge scores included. Well done!",
    )


def _attention(query, key, value, mask=None):
    scores = query.double() @ key.double().transpose(-2, -1) / math.sqrt(query.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ value.double()).float(), weights.float()


def _attention_cases() -> list[Case]:
    g = torch.Generator().manual_seed(4)

    def randn(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g)

    q1 = torch.tensor([[1.0, 0.0]])
    k1 = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    v1 = torch.tensor([[10.0, 0.0], [0.0, 10.0]])
    q2, k2, v2 = randn(3, 4), randn(5, 4), randn(5, 2)
    q3, k3, v3 = randn(2, 4, 8), randn(2, 4, 8), randn(2, 4, 3)
    causal = torch.ones(4, 4, dtype=torch.bool).tril()
    return [
        Case("one query, two keys, d_k = 2", (q1, k1, v1), _attention(q1, k1, v1)),
        Case("3 queries, 5 keys, d_k = 4, d_v = 2", (q2, k2, v2), _attention(q2, k2, v2)),
        Case("a batch of 2 sentences of 4 tokens", (q3, k3, v3), _attention(q3, k3, v3)),
        Case(
            "a causal mask (True = may attend)",
            (q3, k3, v3),
            _attention(q3, k3, v3, causal),
            kwargs={"mask": causal},
        ),
    ]


@never_raises
def check_attention(attention: Callable) -> CheckResult:
    """Check ``attention(query, key, value, mask=None) -> (output, weights)``."""
    return run_cases(
        "check_attention",
        attention,
        _attention_cases,
        hint="three steps: scores = query · keyᵀ divided by √d_k; where the mask is False the "
        "score becomes -inf; softmax over the last dimension (the keys); then weights @ value. "
        "Return the pair (output, weights).",
    )


#: Chapter 4's exercise: the query of "it" in the robot sentence becomes this.
IT_QUERY_CHANGE: dict[str, float] = {"noun": 4.0, "flat surface": 4.0}


@never_raises
def check_it_attends_to(it_attends_to: Callable) -> CheckResult:
    """Check the predicted word that "it" attends to most after its query becomes
    ``IT_QUERY_CHANGE`` (Chapter 4's exercise)."""
    from attnlab.ch04_attention.state import explorer_state
    from attnlab.ch04_attention.wordvectors import ROBOT_SENTENCE, lexicon_with

    name = "check_it_attends_to"
    if not callable(it_attends_to):
        return not_callable(name, it_attends_to)
    outcome = call_student(it_attends_to)
    if isinstance(outcome.error, NotImplementedError):
        return not_written(name, getattr(it_attends_to, "__name__", "it_attends_to"))
    if outcome.error is not None:
        return CheckResult(name, False, f"✗ your function raised {error_text(outcome.error)}")
    answer = outcome.value
    words = list(ROBOT_SENTENCE)
    if type(answer) is not str:
        return CheckResult(
            name,
            False,
            f'✗ return one word of the sentence as a string, e.g. "sat"; got {answer!r}',
        )
    if answer.strip().lower() not in words:
        return CheckResult(
            name, False, f"✗ {answer!r} is not a word of the sentence: {' '.join(words)}"
        )
    lexicon = lexicon_with("it", "query", IT_QUERY_CHANGE)
    state = explorer_state(words, words.index("it"), lexicon)
    best = max(range(len(words)), key=state["weights"].__getitem__)
    got = words.index(answer.strip().lower())
    if state["raw_scores"][got] == state["raw_scores"][best]:
        return CheckResult(
            name,
            True,
            f"✓ Right: '{words[best]}' scores {state['raw_scores'][best]:g} and takes "
            f"{state['weights'][best]:.0%} of the attention of 'it'. Well done!",
        )
    return CheckResult(
        name,
        False,
        f"✗ Not quite: with the new query, '{answer}' scores q·k = {state['raw_scores'][got]:g}. "
        f"Another word scores higher. Multiply the query, feature by feature, with each word's key "
        f"(the table of keys at the top of the chapter) and add up: the largest sum wins.",
    )
