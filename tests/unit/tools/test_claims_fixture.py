"""The claims suite's ``claim`` check (tests/claims/conftest.py): a bound a run misses fails with
every value, and a claim that gets no values at all says what to change instead of failing on a
bare ``min()`` of nothing."""

from __future__ import annotations

import importlib.util

import pytest

from paths import ROOT


def _check():
    spec = importlib.util.spec_from_file_location(
        "claims_conftest", ROOT / "tests" / "claims" / "conftest.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.check_claim


def test_a_value_outside_the_bound_fails_with_every_value():
    claim = _check()
    claim("in bounds", [0.9, 0.95], at_least=0.8)
    with pytest.raises(AssertionError, match=r"expected every value >= 0.8, got \[0.9, 0.7\]"):
        claim("one low", [0.9, 0.7], at_least=0.8)
    with pytest.raises(AssertionError, match=r"expected every value <= 0.05"):
        claim("one high", [0.0, 0.1], at_most=0.05)


def test_no_values_is_a_clear_error_naming_the_claim_and_the_seeds():
    claim = _check()
    with pytest.raises(ValueError, match=r"mean of 5.*no values.*ATTNLAB_CLAIM_SEEDS"):
        claim("mean of 5", [], at_least=0.2)
