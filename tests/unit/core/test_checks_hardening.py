"""Bad and sneaky student code against the exercise checks (issue 17): a check never raises, and
it cannot be passed without a correct answer."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import attnlab.checks as checks
from attnlab.ch01_line import line
from attnlab.core import checks as core
from attnlab.core.checks import Case, run_cases

# The 13 checks built on run_cases, with how many arguments the student's function takes.
RUN_CASES_CHECKS = [
    (checks.check_mse, 2),
    (checks.check_mse_gradient, 4),
    (checks.check_gradient_step, 5),
    (checks.check_relu, 1),
    (checks.check_two_layer_forward, 5),
    (checks.check_softmax, 1),
    (checks.check_attention, 3),
    (checks.check_make_pairs, 2),
    (checks.check_count_mlp_parameters, 4),
    (checks.check_split_heads, 2),
    (checks.check_count_parameters, 2),
    (checks.check_multi_head_forward, 6),
    (checks.check_induction_score, 2),
]
ALL_CHECKS = sorted(n for n in dir(checks) if n.startswith("check_"))


def _same(a: object, b: object) -> bool:
    try:
        if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
            return (
                isinstance(a, torch.Tensor)
                and isinstance(b, torch.Tensor)
                and a.shape == b.shape
                and bool(torch.equal(a, b))
            )
        if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
            return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
        return bool(a == b)
    except Exception:
        return False


def _cases_in(value: object, depth: int = 3):
    """Every Case-like object (anything with .args and .expected) inside ``value``."""
    if hasattr(value, "expected") and hasattr(value, "args"):
        yield value
    elif depth and isinstance(value, (list, tuple)):
        for item in value:
            yield from _cases_in(item, depth - 1)
    elif depth and isinstance(value, dict):
        for item in value.values():
            yield from _cases_in(item, depth - 1)


def peeking(*args, **kwargs):
    """The attack: walk up every frame, find a case whose inputs are ours, return its answer."""
    frame = inspect.currentframe().f_back
    while frame is not None:
        for value in list(frame.f_locals.values()):
            for case in _cases_in(value):
                if _same(tuple(case.args), args):
                    return case.expected
        frame = frame.f_back
    raise LookupError("no expected value within reach")


def test_the_frame_attack_is_real_on_a_list_of_cases():
    cases = [Case("two", (torch.tensor([1.0, 2.0]),), torch.tensor([2.0, 4.0]))]
    assert run_cases("check_double", peeking, cases).passed  # a list in reach: the attack works


@pytest.mark.parametrize("check,_", RUN_CASES_CHECKS, ids=[c.__name__ for c, _ in RUN_CASES_CHECKS])
def test_no_check_can_be_passed_by_reading_the_callers_frames(check, _):
    result = check(peeking)
    assert not result.passed and "LookupError" in result.message

    def issue_attack(*args):
        return inspect.currentframe().f_back.f_locals["case"].expected

    result = check(issue_attack)
    assert not result.passed and "KeyError" in result.message


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __array__(self, *args, **kwargs):
        raise TypeError("no")


class Sneaky(torch.Tensor):
    def numpy(self, *args, **kwargs):
        return AlwaysEqual()

    def __eq__(self, other):
        return True


def sneaky(*args, **kwargs):
    return torch.zeros(3).as_subclass(Sneaky)


@pytest.mark.parametrize(
    "check,func",
    [
        (checks.check_mse, sneaky),
        (checks.check_relu, sneaky),
        (checks.check_softmax, sneaky),
        (checks.check_attention, lambda q, k, v, mask=None: (sneaky(), sneaky())),
    ],
)
def test_a_tensor_subclass_cannot_pass(check, func):
    result = check(func)
    assert not result.passed and "subclass of torch.Tensor" in result.message


def test_complex_and_other_non_real_answers_are_refused_by_name():
    result = checks.check_mse(lambda p, t: ((p - t) ** 2).mean() + 1j * 5)
    assert not result.passed and "complex" in result.message
    result = checks.check_mse(lambda p, t: (((p - t) ** 2).mean() + 0j).numpy())
    assert not result.passed and "complex" in result.message
    result = checks.check_mse(lambda p, t: ((p - t) ** 2).mean().to(torch.complex64))
    assert not result.passed and "complex" in result.message
    result = checks.check_mse(lambda p, t: np.array([1.0], dtype=object))
    assert not result.passed and "not of numbers" in result.message
    result = checks.check_mse(lambda p, t: np.ma.masked_array([1.0]))
    assert not result.passed and "subclass of numpy.ndarray" in result.message


@pytest.mark.parametrize(
    "func,words",
    [
        (lambda p, t: np.array("abc"), "not of numbers"),
        (lambda p, t: 10**400, "too large for a float"),
        (lambda p, t: torch.zeros(1).to_sparse(), "sparse"),
        (lambda p, t: torch.zeros((), device="meta"), "meta tensor"),
        (lambda p, t: {"a": 1}, "expected a number or tensor"),
    ],
    ids=["str-array", "huge-int", "sparse", "meta", "dict"],
)
def test_strange_results_become_kind_messages(func, words):
    result = checks.check_mse(func)
    assert not result.passed and words in result.message


def test_an_error_whose_message_breaks_is_still_reported():
    class Broken(Exception):
        def __str__(self):
            raise RuntimeError("no message for you")

    def raises(p, t):
        raise Broken

    result = checks.check_mse(raises)
    assert not result.passed and "raised Broken: <its message cannot be shown>" in result.message


def test_a_long_error_message_is_cut():
    def raises(p, t):
        raise ValueError("x" * 100_000)

    result = checks.check_mse(raises)
    assert not result.passed and len(result.message) < 1000 and "xxx..." in result.message


def test_what_a_student_prints_is_capped(capsys: pytest.CaptureFixture[str]):
    def chatty(p, t):
        print("y" * 100_000)
        return line.mse(p, t)

    assert checks.check_mse(chatty).passed
    out = capsys.readouterr().out
    assert core.MAX_PRINTED <= len(out) < core.MAX_PRINTED * 2
    assert "more printed characters not shown" in out


def test_relu_class_instead_of_an_instance():
    result = checks.check_relu(torch.nn.ReLU)  # the class builds a module: no crash from its repr
    assert not result.passed and "expected a number or tensor, got a ReLU" in result.message


def test_short_never_raises():
    class BadRepr:
        def __repr__(self):
            raise RuntimeError("no")

    assert "cannot be shown" in core.short(BadRepr())
    assert "sparse" in core.short(torch.zeros(2).to_sparse())
    assert "meta" in core.short(torch.zeros(2, device="meta"))
    assert "digits" in core.short(10**400)


def test_an_always_equal_object_does_not_match_a_non_numeric_answer():
    class Equal:
        def __eq__(self, other):
            return True

    assert "expected 'a'" in core.compare(Equal(), "a")


@pytest.mark.parametrize("name", ALL_CHECKS)
def test_no_check_raises_on_objects_that_break_everything(name):
    class Hostile:
        def __getattr__(self, attr):
            raise RuntimeError("boom")

        def __len__(self):
            raise RuntimeError("boom")

        def __iter__(self):
            raise RuntimeError("boom")

        def __eq__(self, other):
            raise RuntimeError("boom")

        def __bool__(self):
            raise RuntimeError("boom")

        def __repr__(self):
            raise RuntimeError("boom")

        __hash__ = object.__hash__

    result = getattr(checks, name)(lambda *args, **kwargs: Hostile())
    assert isinstance(result, checks.CheckResult) and not result.passed


def test_hand_written_checks_refuse_subclasses():
    class Word(str):
        def strip(self, *args):
            return "mat"

    assert not checks.check_it_attends_to(lambda: Word("zzz")).passed

    def xor_weights():
        w = torch.ones(2, 2).as_subclass(Sneaky)
        return w, torch.zeros(2), torch.ones(2, 1), torch.zeros(1)

    result = checks.check_xor_weights(xor_weights)
    assert not result.passed and "subclass of torch.Tensor" in result.message

    def repeated_sequence(period, seed):
        g = torch.Generator().manual_seed(seed)
        first = 7 + torch.randperm(48, generator=g)[:period]
        return torch.cat([first, first]).as_subclass(Sneaky)

    result = checks.check_repeated_sequence(repeated_sequence)
    assert not result.passed and "integer tensor" in result.message


@pytest.mark.parametrize(
    "formula",
    [
        lambda period, seed: 7 + (seed + torch.arange(period)) % 48,
        lambda period, seed: 7 + (seed * 5 + 11 * torch.arange(period)) % 48,
        lambda period, seed: 7 + (seed % 3) * 6 + torch.tensor([5, 2, 0, 4, 1, 3])[:period],
    ],
    ids=["shifted-range", "equal-steps", "few-tokens"],
)
def test_repeated_sequence_without_randomness_fails(formula):
    result = checks.check_repeated_sequence(lambda period, seed: formula(period, seed).repeat(2))
    assert not result.passed and "do not look random" in result.message


def test_repeated_sequence_with_randomness_passes():
    from attnlab.ch06_copying_names.analysis import repeated_sequence

    assert checks.check_repeated_sequence(lambda period, seed: repeated_sequence(period, seed))
