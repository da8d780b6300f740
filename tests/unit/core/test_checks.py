"""The exercise-check machinery: kind, precise messages, never a crash."""

from __future__ import annotations

import torch

from attnlab.core.checks import Case, CheckResult, compare, run_cases

CASES = [
    Case("two numbers", (torch.tensor([1.0, 2.0]),), torch.tensor([2.0, 4.0])),
    Case("a zero", (torch.tensor([0.0]),), torch.tensor([0.0])),
]


def double(x):
    return 2 * x


def test_passes_on_a_correct_function():
    result = run_cases("check_double", double, CASES)
    assert isinstance(result, CheckResult) and result.passed and bool(result)
    assert "passed all 2 checks" in repr(result)


def test_stub_is_reported_as_not_written():
    def stub(x):
        raise NotImplementedError

    result = run_cases("check_double", stub, CASES)
    assert not result
    assert "`stub` is not written yet" in result.message
    assert "raise NotImplementedError" in result.message


def test_wrong_answer_names_the_case_expected_and_got():
    result = run_cases("check_double", lambda x: 3 * x, CASES, hint="twice the input")
    assert not result.passed
    assert "Case 1 (two numbers)" in result.message
    assert "expected tensor([2., 4.]" in result.message and "got tensor([3., 6.]" in result.message
    assert "largest difference 2" in result.message and "hint: twice the input" in result.message


def test_a_crash_becomes_a_message():
    def crashes(x):
        return x @ x @ x

    result = run_cases("check_double", crashes, CASES)
    assert not result.passed and "raised RuntimeError" in result.message


def test_inputs_are_protected_from_in_place_changes():
    def in_place(x):
        x.mul_(2)
        return x

    assert run_cases("check_double", in_place, CASES).passed
    assert torch.equal(CASES[0].args[0], torch.tensor([1.0, 2.0]))


def test_not_a_function():
    result = run_cases("check_double", double(3), CASES)
    assert not result.passed and "wants your function itself" in result.message


def test_compare_explains_shape_none_and_nan():
    assert "returned None" in compare(None, torch.zeros(2))
    assert "expected shape (2,)" in compare(torch.zeros(3), torch.zeros(2))
    assert "nan or inf" in compare(torch.tensor([float("nan")]), torch.zeros(1))
    assert "expected 2 values" in compare(torch.zeros(2), (torch.zeros(1), torch.zeros(1)))
    assert compare((1.0, torch.ones(1)), (1.0, torch.ones(1))) is None
    assert "expected 'a'" in compare("b", "a")
