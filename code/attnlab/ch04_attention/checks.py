"""Exercise checks for the attention chapter (Chapter 4)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from attnlab.ch04_attention import exercises
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


def _softmax_cases(labels: list[str]) -> list[Case]:
    return [
        Case(label, (torch.tensor(scores),), exercises.softmax(torch.tensor(scores)))
        for label, (scores,) in exercises.cases("softmax")
        if label in labels
    ]


@never_raises
def check_softmax(softmax: Callable) -> CheckResult:
    """Check ``softmax(scores)``: weights along the last dimension, stable for huge scores."""
    if not callable(softmax):
        return not_callable("check_softmax", softmax)
    labels = [label for label, _ in exercises.cases("softmax")]
    ordinary, extreme = labels[:-2], labels[-2:]  # the last two need the max trick
    first = run_cases(
        "check_softmax",
        softmax,
        lambda: _softmax_cases(ordinary),
        hint="softmax(s)[j] = exp(s[j]) / (sum of exp(s[i]) over the last dimension).",
    )
    if not first:
        return first
    second = run_cases(
        "check_softmax",
        softmax,
        lambda: _softmax_cases(extreme),
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


def _attention_cases() -> list[Case]:
    cases = []
    for label, args in exercises.cases("attention"):
        query, key, value, *mask = (torch.tensor(a) for a in args)
        kwargs = {"mask": mask[0]} if mask else {}
        cases.append(
            Case(
                label,
                (query, key, value),
                exercises.attention(query, key, value, *mask),
                kwargs=kwargs,
            )
        )
    return cases


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
