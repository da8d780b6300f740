"""Argument checks shared by every public function (all chapters).

Each helper raises a ``TypeError`` or ``ValueError`` whose message names the argument and says what
was expected, so a student who passes the wrong thing learns what to fix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch


def positive_number(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive, finite number, got {value!r}")
    return value


def positive_int(name: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` if it is an int >= ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def finite_number(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite real number, else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def one_of(name: str, value: object, choices: Sequence[object]) -> object:
    """Return ``value`` if it is one of ``choices``, else raise a ValueError listing them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)!r}, got {value!r}")
    return value


def as_float_tensor(name: str, value: object, ndim: int | None = None) -> torch.Tensor:
    """Turn a tensor, array or list of numbers into a float tensor, checking its rank.

    Lists and arrays become float32 tensors; a float tensor keeps its dtype. Integer or boolean
    tensors are refused, because silently rounding a student's data hides bugs.
    """
    if isinstance(value, torch.Tensor):
        tensor = value
    elif isinstance(value, (np.ndarray, list, tuple)):
        try:
            tensor = torch.as_tensor(np.asarray(value, dtype=np.float64), dtype=torch.float32)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must hold numbers: {error}") from None
    else:
        raise TypeError(
            f"{name} must be a torch.Tensor, numpy array or list of numbers, "
            f"got {type(value).__name__}"
        )
    if not torch.is_floating_point(tensor):
        raise TypeError(f"{name} must have a floating-point dtype, got {tensor.dtype}")
    if ndim is not None and tensor.dim() != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {tuple(tensor.shape)}")
    return tensor


def tensor(
    name: str,
    value: object,
    *,
    ndim: int | Sequence[int] | None = None,
    min_ndim: int | None = None,
    floating: bool | None = None,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """Check that ``value`` is a ``torch.Tensor`` with the expected rank and dtype; return it."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if value.dim() not in allowed:
            wanted = " or ".join(str(n) for n in allowed)
            raise ValueError(
                f"{name} must have {wanted} dimension(s), got shape {tuple(value.shape)}"
            )
    if min_ndim is not None and value.dim() < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimension(s), got shape {tuple(value.shape)}"
        )
    if floating is True and not torch.is_floating_point(value):
        raise TypeError(f"{name} must have a floating-point dtype, got {value.dtype}")
    if floating is False and torch.is_floating_point(value):
        raise TypeError(f"{name} must have an integer dtype, got {value.dtype}")
    if dtype is not None and value.dtype != dtype:
        raise TypeError(f"{name} must have dtype {dtype}, got {value.dtype}")
    return value


def non_empty(name: str, value: torch.Tensor) -> torch.Tensor:
    """Raise a ValueError if ``value`` has no elements."""
    if value.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(value.shape)}")
    return value


def same_shape(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor) -> None:
    """Raise a ValueError if two tensors differ in shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, "
            f"got {tuple(a.shape)} and {tuple(b.shape)}"
        )


#: The largest seed torch.manual_seed takes (a signed 64-bit integer).
MAX_SEED = 2**63 - 1


def seed(name: str, value: object) -> int:
    """Return ``value`` as a plain int if it can seed every generator (0 <= seed < 2**63), else
    raise. One rule for every function of the course: Python and NumPy ints are accepted, bools
    and floats are not."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    value = int(value)
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"{name} must be between 0 and 2**63 - 1, got {value}")
    return value
