"""attnlab.core.validate: bad input becomes a clear error naming the argument."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import attnlab
from attnlab.core import validate


def test_positive_number_accepts_and_converts():
    assert validate.positive_number("lr", 1) == 1.0
    assert validate.positive_number("lr", np.float32(0.5)) == 0.5


@pytest.mark.parametrize("bad", [0, -0.1, math.inf, math.nan])
def test_positive_number_rejects_values(bad):
    with pytest.raises(ValueError, match="lr"):
        validate.positive_number("lr", bad)


@pytest.mark.parametrize("bad", ["0.1", None, True, [0.1]])
def test_positive_number_rejects_types(bad):
    with pytest.raises(TypeError, match="lr"):
        validate.positive_number("lr", bad)


def test_positive_int():
    assert validate.positive_int("steps", 3) == 3
    with pytest.raises(ValueError, match="steps must be >= 1"):
        validate.positive_int("steps", 0)
    with pytest.raises(TypeError, match="steps must be an int"):
        validate.positive_int("steps", 2.0)
    with pytest.raises(TypeError, match="steps"):
        validate.positive_int("steps", False)


def test_finite_number_and_one_of():
    assert validate.finite_number("w", -2) == -2.0
    with pytest.raises(ValueError, match="w must be finite"):
        validate.finite_number("w", math.inf)
    assert validate.one_of("split", "random", ["systematic", "random"]) == "random"
    with pytest.raises(ValueError, match="split must be one of"):
        validate.one_of("split", "holes", ["systematic", "random"])


def test_as_float_tensor():
    t = validate.as_float_tensor("x", [1, 2, 3], ndim=1)
    assert t.dtype == torch.float32 and t.shape == (3,)
    assert validate.as_float_tensor("x", torch.ones(2, dtype=torch.float64)).dtype == torch.float64
    with pytest.raises(ValueError, match="x must have 1 dimension"):
        validate.as_float_tensor("x", [[1.0]], ndim=1)
    with pytest.raises(TypeError, match="floating-point"):
        validate.as_float_tensor("x", torch.ones(2, dtype=torch.long))
    with pytest.raises(TypeError, match="x must be a torch.Tensor, numpy array or list"):
        validate.as_float_tensor("x", "abc")
    with pytest.raises(TypeError, match="x must hold numbers"):
        validate.as_float_tensor("x", ["a", "b"])


def test_tensor_checks():
    x = torch.zeros(2, 3)
    assert validate.tensor("x", x, ndim=2, floating=True) is x
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        validate.tensor("x", [1.0])
    with pytest.raises(ValueError, match="x must have 3 dimension"):
        validate.tensor("x", x, ndim=3)
    with pytest.raises(ValueError, match="at least 3"):
        validate.tensor("x", x, min_ndim=3)
    with pytest.raises(TypeError, match="integer dtype"):
        validate.tensor("x", x, floating=False)
    with pytest.raises(TypeError, match="dtype torch.int64"):
        validate.tensor("x", x, dtype=torch.int64)
    with pytest.raises(ValueError, match="x must not be empty"):
        validate.non_empty("x", torch.zeros(0))
    with pytest.raises(ValueError, match="x and y must have the same shape"):
        validate.same_shape("x", x, "y", torch.zeros(3))


def test_set_seed_repeats_and_rejects():
    attnlab.set_seed(3)
    a = torch.rand(3)
    attnlab.set_seed(3)
    assert torch.equal(a, torch.rand(3))
    with pytest.raises(TypeError, match="seed must be an int"):
        attnlab.set_seed(1.5)


def test_shared_exercise_cases_are_copies_and_bad_names_are_named():
    from attnlab.core.exercises import fixed_numbers, pick_cases

    table = {"mse": [("one pair", ([1.0], [2.0]))]}
    copy = pick_cases(table, "mse")
    copy[0][1][0].append(99.0)
    assert table["mse"][0][1][0] == [1.0]  # the shared list is untouched
    with pytest.raises(ValueError, match="name must be one of"):
        pick_cases(table, "nope")
    a, b = fixed_numbers(3, (2, 2), (3,))
    assert fixed_numbers(3, (2, 2), (3,)) == (a, b) and len(a) == 2 and len(b) == 3
