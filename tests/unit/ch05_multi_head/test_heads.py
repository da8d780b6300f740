"""MultiHeadAttention (Chapter 5): equal to torch.nn.MultiheadAttention, fused path, bad input."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch04_attention.attention import causal_mask, scaled_dot_product_attention
from attnlab.ch05_multi_head.heads import (
    MultiHeadAttention,
    mask_from_torch,
    merge_heads,
    parameter_count,
    split_heads,
)

TOL = 1e-5


def _pair(d_model: int, n_heads: int, bias: bool = True, seed: int = 0):
    torch.manual_seed(seed)
    reference = torch.nn.MultiheadAttention(d_model, n_heads, bias=bias, batch_first=True).eval()
    return reference, MultiHeadAttention.from_torch(reference)


def _padding(batch: int, length: int, generator: torch.Generator) -> torch.Tensor:
    """PyTorch-style key_padding_mask (True = padding): every sequence keeps >= 1 real token."""
    real = torch.randint(1, length + 1, (batch,), generator=generator)
    return torch.arange(length)[None, :] >= real[:, None]


CASES = [(seed, n_heads) for seed in range(4) for n_heads in (1, 2, 4, 8)]


@pytest.mark.parametrize("seed,n_heads", CASES)
@pytest.mark.parametrize("masks", ["none", "padding", "causal", "both"])
def test_same_output_as_torch(seed, n_heads, masks):
    g = torch.Generator().manual_seed(seed)
    d_model = n_heads * int(torch.randint(1, 9, (1,), generator=g))
    batch, length = (int(v) for v in torch.randint(1, 7, (2,), generator=g))
    reference, ours = _pair(d_model, n_heads, bias=seed % 2 == 0, seed=seed)
    x = torch.randn(batch, length, d_model, generator=g)
    kwargs = {}
    if masks in ("padding", "both"):
        kwargs["key_padding_mask"] = _padding(batch, length, g)
    if masks in ("causal", "both"):
        kwargs["attn_mask"] = ~causal_mask(length)
    if masks == "both":  # causal + padding must leave every query a key: pad only at the end
        kwargs["key_padding_mask"][:, 0] = False
    expected, expected_w = reference(
        x, x, x, need_weights=True, average_attn_weights=False, **kwargs
    )
    mask = mask_from_torch(**kwargs)
    out, weights = ours(x, x, x, mask=mask)
    assert weights.shape == (batch, n_heads, length, length)
    assert (out - expected).abs().max() <= TOL
    assert (weights - expected_w).abs().max() <= TOL
    fused, none = ours(x, x, x, mask=mask, need_weights=False)
    assert none is None
    assert (fused - expected).abs().max() <= TOL


def test_cross_attention_different_lengths():
    reference, ours = _pair(12, 3)
    g = torch.Generator().manual_seed(1)
    q, kv = torch.randn(2, 3, 12, generator=g), torch.randn(2, 5, 12, generator=g)
    expected, _ = reference(q, kv, kv)
    out, weights = ours(q, kv, kv)
    assert weights.shape == (2, 3, 3, 5)
    assert (out - expected).abs().max() <= TOL
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3, 3))


def test_self_attention_shorthand_and_weights_per_head():
    _, ours = _pair(8, 2)
    x = torch.randn(2, 4, 8)
    assert torch.equal(ours(x)[0], ours(x, x, x)[0])
    # head h is Chapter 4's function on its slice of the projections
    q, k, v = (split_heads(layer(x), 2) for layer in (ours.query, ours.key, ours.value))
    _, w = scaled_dot_product_attention(q[:, 1], k[:, 1], v[:, 1])
    assert torch.allclose(ours(x)[1][:, 1], w)


def test_split_and_merge_are_inverse_and_keep_features_together():
    x = torch.arange(2 * 3 * 8, dtype=torch.float32).reshape(2, 3, 8)
    heads = split_heads(x, 4)
    assert heads.shape == (2, 4, 3, 2)
    assert torch.equal(heads[1, 2, 0], x[1, 0, 4:6])  # head 2 = features 4, 5 of each token
    assert torch.equal(merge_heads(heads), x)


def test_mask_from_torch_flips_the_convention():
    kpm = torch.tensor([[False, False, True]])
    mask = mask_from_torch(key_padding_mask=kpm)
    assert mask.shape == (1, 1, 1, 3) and mask.flatten().tolist() == [True, True, False]
    both = mask_from_torch(key_padding_mask=kpm, attn_mask=~causal_mask(3))
    assert both.shape == (1, 1, 3, 3)
    assert both[0, 0].tolist() == [[True, False, False], [True, True, False], [True, True, False]]
    assert mask_from_torch() is None


def test_parameter_count_does_not_depend_on_heads():
    assert {parameter_count(32, h) for h in (1, 2, 4, 8, 16, 32)} == {4 * 32 * 32 + 4 * 32}
    assert parameter_count(12, 3, bias=False) == 4 * 12 * 12


@pytest.mark.parametrize(
    "d_model,n_heads,error,words",
    [
        (10, 3, ValueError, "divisible by n_heads=3"),
        (8, 0, ValueError, "n_heads must be >= 1"),
        (8.0, 2, TypeError, "d_model must be an int"),
    ],
)
def test_bad_construction(d_model, n_heads, error, words):
    with pytest.raises(error, match=words):
        MultiHeadAttention(d_model, n_heads)


def test_bad_inputs_name_the_argument():
    m = MultiHeadAttention(8, 2)
    x = torch.randn(2, 5, 8)
    with pytest.raises(ValueError, match="query must have shape"):
        m(torch.randn(2, 5, 6))
    with pytest.raises(ValueError, match="query must have 3"):
        m(torch.randn(5, 8))
    with pytest.raises(TypeError, match="query must have a floating-point"):
        m(torch.ones(2, 5, 8, dtype=torch.long))
    with pytest.raises(ValueError, match="key and value"):
        m(x, x, torch.randn(2, 4, 8))
    with pytest.raises(ValueError, match="same batch size"):
        m(x, torch.randn(3, 5, 8))
    with pytest.raises(TypeError, match="need_weights"):
        m(x, need_weights="no")


@pytest.mark.parametrize("need_weights", [True, False])
def test_bad_masks(need_weights):
    m = MultiHeadAttention(8, 2)
    x = torch.randn(2, 5, 8)
    with pytest.raises(TypeError, match="mask must be a boolean tensor"):
        m(x, mask=torch.ones(5, 5), need_weights=need_weights)
    # one mask check for Chapters 4 and 5 (attention.check_mask): its words are "cannot broadcast"
    with pytest.raises(ValueError, match=r"mask of shape \(4, 4\) cannot broadcast"):
        m(x, mask=torch.ones(4, 4, dtype=torch.bool), need_weights=need_weights)
    with pytest.raises(ValueError, match="cannot broadcast"):  # a batch of 3 masks for 2
        m(x, mask=torch.ones(3, 1, 5, 5, dtype=torch.bool), need_weights=need_weights)
    with pytest.raises(ValueError, match=r"\(B, 1, 1, S\) for padding"):  # the per-head hint
        m(x, mask=torch.ones(2, 5, dtype=torch.bool), need_weights=need_weights)
    with pytest.raises(ValueError, match="would enlarge"):  # more masks than sequences
        m(x, mask=torch.ones(3, 2, 2, 5, 5, dtype=torch.bool), need_weights=need_weights)
    blocked = torch.ones(5, 5, dtype=torch.bool)
    blocked[2] = False
    with pytest.raises(ValueError, match="nothing to attend to"):
        m(x, mask=blocked, need_weights=need_weights)
    with pytest.raises(TypeError, match="mask must be a torch.Tensor"):
        m(x, mask=[[True]], need_weights=need_weights)


def test_mask_from_torch_bad_input():
    with pytest.raises(TypeError, match="key_padding_mask must have dtype torch.bool"):
        mask_from_torch(key_padding_mask=torch.zeros(2, 3))
    with pytest.raises(ValueError, match="attn_mask must have 2"):
        mask_from_torch(attn_mask=torch.zeros(2, 3, 3, dtype=torch.bool))


def test_from_torch_bad_input():
    with pytest.raises(TypeError, match="nn.MultiheadAttention"):
        MultiHeadAttention.from_torch(torch.nn.Linear(4, 4))
    with pytest.raises(ValueError, match="batch_first=True"):
        MultiHeadAttention.from_torch(torch.nn.MultiheadAttention(4, 2))
    with pytest.raises(ValueError, match="add_bias_kv"):
        MultiHeadAttention.from_torch(
            torch.nn.MultiheadAttention(4, 2, add_bias_kv=True, batch_first=True)
        )


def test_split_heads_bad_input():
    with pytest.raises(ValueError, match="divisible by n_heads=3"):
        split_heads(torch.zeros(2, 4, 8), 3)
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        split_heads([[1.0]], 1)


def test_the_printed_forward_starts_with_the_math():
    """The chapter prints forward: one line of checks, then the math."""
    import inspect

    source = inspect.getsource(MultiHeadAttention.forward)
    body = source.split(") -> tuple[torch.Tensor, torch.Tensor | None]:")[1].strip().splitlines()
    assert body[0].strip() == "self._check_inputs(query, key, value, mask, need_weights)"
    assert len(body) <= 12


def test_gradients_flow_to_every_weight():
    m = MultiHeadAttention(8, 4)
    out, _ = m(torch.randn(2, 3, 8), mask=causal_mask(3))
    out.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in m.parameters())
