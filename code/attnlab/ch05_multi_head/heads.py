"""Multi-head attention, built on Chapter 4's function (Chapter 5).

One head mixes the values with one set of weights per token. Multi-head attention cuts ``d_model``
into ``n_heads`` slices of ``d_head = d_model // n_heads``, lets every slice attend on its own (its
own queries, keys and values), glues the slices back together and mixes them with an output
projection. The parameter count does not depend on ``n_heads``: only how ``d_model`` is cut changes.

The module keeps the course's one mask convention: a boolean ``mask``, True = may attend, checked
by Chapter 4's :func:`~attnlab.ch04_attention.attention.check_mask`. PyTorch's
``nn.MultiheadAttention`` uses the opposite (True = blocked); :func:`mask_from_torch` translates.

The chapter's experiment ("this year minus birth year") lives in
:mod:`attnlab.ch05_multi_head.two_value`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from attnlab.ch04_attention.attention import _same_dtype, check_mask, scaled_dot_product_attention
from attnlab.core import validate

__all__ = [
    "split_heads",
    "merge_heads",
    "mask_from_torch",
    "MultiHeadAttention",
    "parameter_count",
]


# ---- the reshapes: (B, L, d_model) <-> (B, n_heads, L, d_head) -----------------------------------


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Cut the last dimension into heads: (..., L, d_model) -> (..., n_heads, L, d_head) (Chapter 5).

    Head ``h`` gets the features ``h * d_head`` to ``(h + 1) * d_head - 1`` of every token.
    """
    validate.tensor("x", x, min_ndim=2)
    n_heads = validate.positive_int("n_heads", n_heads)
    *lead, length, d_model = x.shape
    if d_model % n_heads:
        raise ValueError(
            f"the last dimension of x (d_model={d_model}) must be divisible by n_heads={n_heads}"
        )
    return x.reshape(*lead, length, n_heads, d_model // n_heads).transpose(-3, -2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """Glue the heads back side by side: (..., n_heads, L, d_head) -> (..., L, n_heads * d_head)."""
    validate.tensor("x", x, min_ndim=3)
    *lead, n_heads, length, d_head = x.shape
    return x.transpose(-3, -2).reshape(*lead, length, n_heads * d_head)


# ---- masks: the course's convention and PyTorch's ---------------------------------------------------


def mask_from_torch(
    key_padding_mask: torch.Tensor | None = None, attn_mask: torch.Tensor | None = None
) -> torch.Tensor | None:
    """Translate ``nn.MultiheadAttention``'s masks (True = blocked) into the course's (True = may
    attend), shaped to broadcast against the per-head scores (B, n_heads, L, S) (Chapter 5).

    ``key_padding_mask`` is (B, S): True marks a padding key nobody should look at.
    ``attn_mask`` is (L, S): True marks a query/key pair that is not allowed (e.g. the future).
    Both must be boolean. Returns None when both are None.
    """
    mask = None
    if key_padding_mask is not None:
        validate.tensor("key_padding_mask", key_padding_mask, ndim=2, dtype=torch.bool)
        mask = ~key_padding_mask[:, None, None, :]  # (B, 1, 1, S): same for every head and query
    if attn_mask is not None:
        validate.tensor("attn_mask", attn_mask, ndim=2, dtype=torch.bool)
        allowed = ~attn_mask  # (L, S)
        mask = allowed if mask is None else (mask & allowed)
    return mask


# the per-head scores' axes, named in the mask errors, with the two usual masks' shapes
_PER_HEAD_AXES = (
    "(B, n_heads, L query positions, S key positions); e.g. use (L, S) for a causal mask or "
    "(B, 1, 1, S) for padding"
)


# ---- the module ---------------------------------------------------------------------------------------


class MultiHeadAttention(nn.Module):
    """``n_heads`` attention heads side by side, then an output projection (Chapter 5).

    ``forward(query, key, value, mask=None)`` takes batch-first tensors: ``query`` (B, L, d_model),
    ``key`` and ``value`` (B, S, d_model) (leave them out for self-attention). It returns
    ``(output, weights)``: output (B, L, d_model) and the per-head weights (B, n_heads, L, S).
    ``mask`` is boolean, True = may attend, broadcastable to (B, n_heads, L, S).

    With ``need_weights=False`` the heads go through PyTorch's fused
    ``torch.nn.functional.scaled_dot_product_attention`` instead of Chapter 4's step-by-step
    function: the same output, faster, and no weights (``weights`` is None).
    """

    def __init__(self, d_model: int, n_heads: int, bias: bool = True) -> None:
        super().__init__()
        self.d_model = validate.positive_int("d_model", d_model)
        self.n_heads = validate.positive_int("n_heads", n_heads)
        if d_model % n_heads:
            raise ValueError(
                f"d_model={d_model} must be divisible by n_heads={n_heads}: every head gets "
                f"d_model // n_heads features (try n_heads in {_divisors(d_model)})"
            )
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be True or False, got {bias!r}")
        self.d_head = d_model // n_heads
        self.query = nn.Linear(d_model, d_model, bias=bias)  # all heads' queries at once
        self.key = nn.Linear(d_model, d_model, bias=bias)
        self.value = nn.Linear(d_model, d_model, bias=bias)
        self.out = nn.Linear(d_model, d_model, bias=bias)  # mixes the glued heads

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor | None = None,
        value: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        need_weights: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        self._check_inputs(query, key, value, mask, need_weights)
        key = query if key is None else key  # self-attention: the sequence looks at itself
        value = key if value is None else value
        q = split_heads(self.query(query), self.n_heads)  # (B, n_heads, L, d_head)
        k = split_heads(self.key(key), self.n_heads)  # (B, n_heads, S, d_head)
        v = split_heads(self.value(value), self.n_heads)
        if need_weights:
            heads, weights = scaled_dot_product_attention(q, k, v, mask)  # Chapter 4, per head
        else:
            heads, weights = F.scaled_dot_product_attention(q, k, v, attn_mask=mask), None
        return self.out(merge_heads(heads)), weights

    def _check_inputs(
        self,
        query: object,
        key: object,
        value: object,
        mask: object,
        need_weights: object,
    ) -> None:
        """The argument checks of :meth:`forward`, kept out of its body."""
        key = query if key is None else key
        value = key if value is None else value
        for name, x in (("query", query), ("key", key), ("value", value)):
            validate.tensor(name, x, ndim=3, floating=True)
            assert isinstance(x, torch.Tensor)
            if x.shape[-1] != self.d_model:
                raise ValueError(
                    f"{name} must have shape (B, length, d_model={self.d_model}), "
                    f"got {tuple(x.shape)}"
                )
            _same_dtype(name, x, self.query.weight)
        assert isinstance(query, torch.Tensor) and isinstance(key, torch.Tensor)
        assert isinstance(value, torch.Tensor)
        if key.shape[1] == 0:
            raise ValueError(
                f"key must hold at least one position to attend to, got shape {tuple(key.shape)}"
            )
        if key.shape[:2] != value.shape[:2]:
            raise ValueError(
                f"key and value must have the same batch size and length, got key "
                f"{tuple(key.shape)} and value {tuple(value.shape)}"
            )
        if query.shape[0] != key.shape[0]:
            raise ValueError(
                f"query and key must have the same batch size, got {query.shape[0]} and "
                f"{key.shape[0]}"
            )
        if not isinstance(need_weights, bool):
            raise TypeError(f"need_weights must be True or False, got {need_weights!r}")
        if mask is not None:
            scores = (query.shape[0], self.n_heads, query.shape[1], key.shape[1])
            check_mask(mask, scores, axes=_PER_HEAD_AXES)

    @classmethod
    def from_torch(cls, module: nn.MultiheadAttention) -> MultiHeadAttention:
        """A copy of a ``torch.nn.MultiheadAttention`` (batch_first=True) with the same weights.

        PyTorch stores the three input projections stacked in one matrix ``in_proj_weight``
        (queries, then keys, then values); this copies each third into its own layer. A module
        with dropout is refused: this class has none, so the copy would not behave the same.
        """
        if not isinstance(module, nn.MultiheadAttention):
            raise TypeError(
                f"module must be a torch.nn.MultiheadAttention, got {type(module).__name__}"
            )
        if not module.batch_first:
            raise ValueError("module must be built with batch_first=True, like this course's")
        if not module._qkv_same_embed_dim or module.bias_k is not None or module.add_zero_attn:
            raise ValueError(
                "module must use kdim = vdim = embed_dim, add_bias_kv=False and add_zero_attn=False"
            )
        if module.dropout:
            raise ValueError(
                f"module has dropout={module.dropout}, which MultiHeadAttention does not have: "
                "build the torch module with dropout=0.0 to copy it"
            )
        has_bias = module.in_proj_bias is not None
        copy = cls(module.embed_dim, module.num_heads, bias=has_bias)
        with torch.no_grad():
            weights = module.in_proj_weight.chunk(3)
            for layer, weight in zip((copy.query, copy.key, copy.value), weights, strict=True):
                layer.weight.copy_(weight)
            copy.out.weight.copy_(module.out_proj.weight)
            if has_bias:
                biases = module.in_proj_bias.chunk(3)
                for layer, b in zip((copy.query, copy.key, copy.value), biases, strict=True):
                    layer.bias.copy_(b)
                copy.out.bias.copy_(module.out_proj.bias)
        return copy.to(module.in_proj_weight.dtype)


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def parameter_count(d_model: int, n_heads: int, bias: bool = True) -> int:
    """How many numbers a :class:`MultiHeadAttention` learns: 4 d_model² (+ 4 d_model biases).

    ``n_heads`` only changes how the matrices are cut, not their size (Chapter 5).
    """
    return sum(p.numel() for p in MultiHeadAttention(d_model, n_heads, bias).parameters())
