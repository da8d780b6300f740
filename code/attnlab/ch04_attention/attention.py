"""Attention, built from scratch (Chapters 4 and 5).

One convention for masks runs through the whole course: a boolean ``mask`` where **True means
"may attend"**. (PyTorch's ``nn.MultiheadAttention`` uses the opposite, True = blocked; Chapter 5
shows how to translate.)
"""

from __future__ import annotations

import math

import torch
from torch import nn

from attnlab.core import validate

__all__ = [
    "causal_mask",
    "check_mask",
    "scaled_dot_product_attention",
    "SelfAttention",
    "dot_product_spread",
]


def causal_mask(length: int, device: torch.device | str | None = None) -> torch.Tensor:
    """A ``(length, length)`` boolean mask where position i may attend to positions 0..i."""
    length = validate.positive_int("length", length)
    return torch.ones(length, length, dtype=torch.bool, device=device).tril()


def check_mask(mask: object, scores_shape: tuple[int, ...], axes: str = "") -> torch.Tensor:
    """Check a course-convention mask (boolean, True = may attend) against the scores' shape
    (Chapters 4 and 5): it must broadcast to that shape without enlarging it, and leave every
    query at least one key. ``axes`` names the scores' axes in the error messages (Chapter 5
    passes its per-head ones); returns the mask.
    """
    axes = axes or "(..., L query positions, S key positions)"
    validate.tensor("mask", mask, min_ndim=2)
    assert isinstance(mask, torch.Tensor)
    if mask.dtype != torch.bool:
        raise TypeError(
            f"mask must be a boolean tensor (True = may attend), got dtype {mask.dtype}; "
            "a PyTorch-style mask (True = blocked) goes through mask_from_torch (Chapter 5) first"
        )
    scores_shape = torch.Size(scores_shape)
    try:
        shape = torch.broadcast_shapes(mask.shape, scores_shape)
    except RuntimeError:
        raise ValueError(
            f"mask of shape {tuple(mask.shape)} cannot broadcast to the scores' shape "
            f"{tuple(scores_shape)} {axes}"
        ) from None
    if shape != scores_shape:
        raise ValueError(
            f"mask of shape {tuple(mask.shape)} would enlarge the scores' shape "
            f"{tuple(scores_shape)} {axes} to {tuple(shape)}"
        )
    if not mask.any(dim=-1).all():
        raise ValueError(
            "mask has a query row with nothing to attend to (all False); every query needs at "
            "least one key it may attend to"
        )
    return mask


def _check_attention(query: object, key: object, value: object, mask: object) -> None:
    """The argument checks of :func:`scaled_dot_product_attention`, kept out of its body."""
    validate.tensor("query", query, min_ndim=2, floating=True)
    validate.tensor("key", key, min_ndim=2, floating=True)
    validate.tensor("value", value, min_ndim=2, floating=True)
    assert isinstance(query, torch.Tensor) and isinstance(key, torch.Tensor)
    assert isinstance(value, torch.Tensor)
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"query and key must share their last dimension d_k, got query {tuple(query.shape)} "
            f"and key {tuple(key.shape)}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"key and value must have the same number of positions S (dimension -2), got key "
            f"{tuple(key.shape)} and value {tuple(value.shape)}"
        )
    try:
        torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except RuntimeError:
        raise ValueError(
            f"the leading (batch) dimensions of query {tuple(query.shape)}, key "
            f"{tuple(key.shape)} and value {tuple(value.shape)} must broadcast"
        ) from None
    if key.shape[-2] == 0:
        raise ValueError(
            f"key must hold at least one position to attend to, got {tuple(key.shape)}"
        )
    if query.shape[-1] == 0:
        raise ValueError(
            f"query and key need d_k >= 1 features (their last dimension), got query "
            f"{tuple(query.shape)} and key {tuple(key.shape)}"
        )
    if not (query.dtype == key.dtype == value.dtype):
        raise TypeError(
            f"query, key and value must share a dtype, got {query.dtype}, {key.dtype}, {value.dtype}"
        )
    if mask is not None:  # the scores' shape: (..., L, S), the batch axes of query and key
        lead = torch.broadcast_shapes(query.shape[:-2], key.shape[:-2])
        check_mask(mask, (*lead, query.shape[-2], key.shape[-2]))


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(query · keyᵀ / √d_k) · value, step by step (Chapter 4).

    Shapes: ``query`` (..., L, d_k), ``key`` (..., S, d_k), ``value`` (..., S, d_v); leading
    dimensions broadcast. ``mask`` is boolean, broadcastable to (..., L, S), True = may attend.
    Returns ``(output, weights)`` with shapes (..., L, d_v) and (..., L, S); each row of
    ``weights`` sums to 1. A query row whose mask is all False raises a ``ValueError``.
    """
    _check_attention(query, key, value, mask)
    d_k = query.shape[-1]
    scores = query @ key.transpose(-2, -1) / math.sqrt(d_k)  # compatibility of each pair
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # no weight where it may not attend
    weights = torch.softmax(scores, dim=-1)  # winner takes most; each row sums to 1
    return weights @ value, weights  # the information grab


def _same_dtype(name: str, x: torch.Tensor, weight: torch.Tensor) -> None:
    """A clear error when an input's dtype is not the module's weights' dtype."""
    if x.dtype != weight.dtype:
        raise TypeError(
            f"{name} has dtype {x.dtype} but the module's weights are {weight.dtype}: convert "
            f"{name} with {name}.to({weight.dtype}) (or the module with module.to({x.dtype}))"
        )


class SelfAttention(nn.Module):
    """One attention head over one sequence (Chapter 4).

    Each token makes a query (what it looks for) and a key (what it is) of size ``d_k``, and a
    value (what it hands over) of size ``d_model``. ``forward(x)`` takes (B, L, d_model) or
    (L, d_model) and returns ``(output, weights)`` with weights shaped (B, L, L) or (L, L).
    With ``causal=True`` a token sees only itself and the tokens before it.
    """

    def __init__(self, d_model: int, d_k: int | None = None, causal: bool = False) -> None:
        super().__init__()
        self.d_model = validate.positive_int("d_model", d_model)
        self.d_k = self.d_model if d_k is None else validate.positive_int("d_k", d_k)
        if not isinstance(causal, bool):
            raise TypeError(f"causal must be True or False, got {causal!r}")
        self.causal = causal
        self.query = nn.Linear(self.d_model, self.d_k, bias=False)
        self.key = nn.Linear(self.d_model, self.d_k, bias=False)
        self.value = nn.Linear(self.d_model, self.d_model, bias=False)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        validate.tensor("x", x, ndim=(2, 3), floating=True)
        if x.shape[-1] != self.d_model:
            raise ValueError(
                f"x must have last dimension d_model={self.d_model}, got {tuple(x.shape)}"
            )
        _same_dtype("x", x, self.query.weight)
        if self.causal:
            causal = causal_mask(x.shape[-2], device=x.device)
            if mask is not None:  # checked on its own first, as the non-causal path does
                check_mask(mask, (*x.shape[:-1], x.shape[-2]))
            mask = causal if mask is None else (mask & causal)
        return scaled_dot_product_attention(self.query(x), self.key(x), self.value(x), mask)


def dot_product_spread(
    d_ks: list[int] | tuple[int, ...] = (2, 8, 32, 128, 512),
    n_keys: int = 10,
    n_rows: int = 1000,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Why divide by √d_k: a measurement on random vectors (Chapter 4).

    For each ``d_k``, draws ``n_rows`` queries and ``n_rows x n_keys`` keys with independent
    standard-normal entries and returns, as lists over ``d_ks``: ``spread`` (the standard deviation
    of the dot products q·k), ``spread_scaled`` (the same for q·k/√d_k), ``top_weight`` and
    ``top_weight_scaled`` (the mean, over rows, of the largest softmax weight among ``n_keys``
    keys: near 1 means the softmax has saturated into a one-hot choice), and ``sensitivity`` and
    ``sensitivity_scaled`` (the mean of ``1 - sum_j w_j²``, the trace of the softmax's Jacobian: how
    much the weights still respond when the scores move; 0 for a one-hot softmax).
    """
    if not isinstance(d_ks, (list, tuple)) or not d_ks:
        raise TypeError(f"d_ks must be a non-empty list of ints, got {d_ks!r}")
    d_ks = [validate.positive_int("d_ks[i]", d) for d in d_ks]
    n_keys = validate.positive_int("n_keys", n_keys, minimum=2)
    n_rows = validate.positive_int("n_rows", n_rows, minimum=2)
    seed = validate.seed("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    result: dict[str, list[float]] = {
        "d_k": [float(d) for d in d_ks],
        "spread": [],
        "spread_scaled": [],
        "top_weight": [],
        "top_weight_scaled": [],
        "sensitivity": [],
        "sensitivity_scaled": [],
    }
    for d_k in d_ks:
        query = torch.randn(n_rows, 1, d_k, generator=generator, dtype=torch.float64)
        key = torch.randn(n_rows, n_keys, d_k, generator=generator, dtype=torch.float64)
        scores = (query @ key.transpose(-2, -1))[:, 0]  # (n_rows, n_keys)
        scaled = scores / math.sqrt(d_k)
        result["spread"].append(scores.std().item())
        result["spread_scaled"].append(scaled.std().item())
        for name, row in (("", scores), ("_scaled", scaled)):
            weights = torch.softmax(row, dim=-1)
            result["top_weight" + name].append(weights.max(-1).values.mean().item())
            result["sensitivity" + name].append((1 - (weights**2).sum(-1)).mean().item())
    return result
