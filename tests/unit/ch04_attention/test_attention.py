"""Chapter 4's scaled dot-product attention: equal to PyTorch's, differentiable, strict on input."""

from __future__ import annotations

import inspect
import math

import pytest
import torch
import torch.nn.functional as F

from attnlab.ch04_attention.attention import (
    SelfAttention,
    causal_mask,
    dot_product_spread,
    scaled_dot_product_attention,
)


def _random_case(seed: int):
    g = torch.Generator().manual_seed(seed)
    n_lead = int(torch.randint(0, 3, (1,), generator=g))
    lead = [int(torch.randint(1, 4, (1,), generator=g)) for _ in range(n_lead)]
    L, S = (int(torch.randint(1, 9, (1,), generator=g)) for _ in range(2))
    d_k, d_v = (int(torch.randint(1, 17, (1,), generator=g)) for _ in range(2))
    q = torch.randn(*lead, L, d_k, generator=g)
    k = torch.randn(*lead, S, d_k, generator=g)
    v = torch.randn(*lead, S, d_v, generator=g)
    mask = torch.rand(*lead, L, S, generator=g) < 0.6
    mask[..., 0] = True  # every query may attend to something
    return q, k, v, mask


@pytest.mark.parametrize("seed", range(25))
def test_equals_pytorch_with_and_without_a_mask(seed):
    q, k, v, mask = _random_case(seed)
    for m in (None, mask):
        ours, weights = scaled_dot_product_attention(q, k, v, m)
        theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=m)
        assert ours.shape == theirs.shape
        assert (ours - theirs).abs().max() <= 1e-5
        assert weights.shape == (*q.shape[:-1], k.shape[-2])
        assert torch.allclose(weights.sum(-1), torch.ones(()), atol=1e-6)
        if m is not None:
            assert (weights[~m.expand_as(weights)] == 0).all()


@pytest.mark.parametrize("length", [1, 2, 5, 9])
def test_equals_pytorch_with_a_causal_mask(length):
    g = torch.Generator().manual_seed(length)
    q, k, v = (torch.randn(2, 3, length, 8, generator=g) for _ in range(3))
    ours, weights = scaled_dot_product_attention(q, k, v, causal_mask(length))
    theirs = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert (ours - theirs).abs().max() <= 1e-5
    assert (weights.triu(1) == 0).all()


def test_mask_broadcasts_over_the_batch():
    g = torch.Generator().manual_seed(0)
    q, k, v = (
        torch.randn(4, 3, 5, generator=g),
        torch.randn(4, 6, 5, generator=g),
        torch.randn(4, 6, 2, generator=g),
    )
    mask = torch.rand(3, 6, generator=g) < 0.5
    mask[:, 0] = True
    ours, _ = scaled_dot_product_attention(q, k, v, mask)
    theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert (ours - theirs).abs().max() <= 1e-5


def test_the_formula_by_hand():
    # one query, two keys: scores 1/√2 and 0, so the weights are softmax([1/√2, 0])
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    v = torch.tensor([[10.0], [0.0]])
    output, weights = scaled_dot_product_attention(q, k, v)
    a = math.exp(1 / math.sqrt(2))
    assert weights[0].tolist() == pytest.approx([a / (a + 1), 1 / (a + 1)], abs=1e-6)
    assert output.item() == pytest.approx(10 * a / (a + 1), abs=1e-5)


def test_gradients_flow_gradcheck():
    g = torch.Generator().manual_seed(1)
    q = torch.randn(2, 3, 4, generator=g, dtype=torch.float64, requires_grad=True)
    k = torch.randn(2, 5, 4, generator=g, dtype=torch.float64, requires_grad=True)
    v = torch.randn(2, 5, 3, generator=g, dtype=torch.float64, requires_grad=True)
    mask = torch.rand(3, 5, generator=g) < 0.6
    mask[:, 0] = True
    for m in (None, mask):
        assert torch.autograd.gradcheck(
            lambda q, k, v, m=m: scaled_dot_product_attention(q, k, v, m), (q, k, v)
        )


@pytest.mark.parametrize(
    "args,error,words",
    [
        (("q", "k", "v"), TypeError, "query must be a torch.Tensor"),
        ((torch.ones(3), torch.ones(3, 2), torch.ones(3, 2)), ValueError, "query must have at least 2"),
        ((torch.ones(2, 3), torch.ones(4, 2), torch.ones(4, 2)), ValueError, "share their last dimension d_k"),
        ((torch.ones(2, 3), torch.ones(4, 3), torch.ones(5, 3)), ValueError, "same number of positions"),
        ((torch.ones(2, 2, 3), torch.ones(3, 4, 3), torch.ones(3, 4, 3)), ValueError, "must broadcast"),
        ((torch.ones(2, 3, dtype=torch.long), torch.ones(4, 3), torch.ones(4, 3)), TypeError, "query must have a floating"),
        ((torch.ones(2, 3), torch.ones(4, 3).double(), torch.ones(4, 3)), TypeError, "share a dtype"),
        ((torch.ones(2, 3), torch.ones(0, 3), torch.ones(0, 3)), ValueError, "at least one position"),
    ],
)  # fmt: skip
def test_bad_input_is_named(args, error, words):
    with pytest.raises(error, match=words):
        scaled_dot_product_attention(*args)


def test_bad_masks_are_named():
    q, k, v = torch.ones(2, 3), torch.ones(4, 3), torch.ones(4, 3)
    with pytest.raises(TypeError, match="mask must be a boolean tensor"):
        scaled_dot_product_attention(q, k, v, torch.ones(2, 4))
    with pytest.raises(ValueError, match="mask of shape"):
        scaled_dot_product_attention(q, k, v, torch.ones(3, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="enlarge"):
        scaled_dot_product_attention(q, k, v, torch.ones(5, 2, 4, dtype=torch.bool))
    with pytest.raises(TypeError, match="mask must be a torch.Tensor"):
        scaled_dot_product_attention(q, k, v, [[True] * 4] * 2)
    empty_row = torch.ones(2, 4, dtype=torch.bool)
    empty_row[1] = False
    with pytest.raises(ValueError, match="nothing to attend to"):
        scaled_dot_product_attention(q, k, v, empty_row)


def test_the_printed_function_starts_with_the_math():
    """The chapter prints the whole function: one line of checks, then the formula."""
    body = inspect.getsource(scaled_dot_product_attention).split('"""')[2].strip().splitlines()
    assert body[0].strip() == "_check_attention(query, key, value, mask)"
    assert body[1].strip().startswith("d_k = query.shape[-1]")


def test_one_mask_check_for_chapters_4_and_5():
    from attnlab.ch04_attention import attention
    from attnlab.ch05_multi_head import heads

    assert heads.check_mask is attention.check_mask
    assert not hasattr(heads, "_check_mask") and not hasattr(attention, "_check_mask")
    mask = torch.ones(3, 3, dtype=torch.bool)
    assert attention.check_mask(mask, (2, 3, 3)) is mask


def test_self_attention_module_shapes_and_causality():
    torch.manual_seed(0)
    layer = SelfAttention(d_model=6, d_k=4, causal=True)
    x = torch.randn(3, 5, 6)
    output, weights = layer(x)
    assert output.shape == (3, 5, 6) and weights.shape == (3, 5, 5)
    assert (weights.triu(1) == 0).all()
    # the first token can only see itself, so changing a later token leaves it unchanged
    y = x.clone()
    y[:, 4] += 1.0
    assert torch.allclose(layer(y)[0][:, 0], output[:, 0])
    single, w = layer(x[0])
    assert single.shape == (5, 6) and w.shape == (5, 5)
    assert torch.allclose(single, output[0], atol=1e-6)


def test_self_attention_equals_the_function_on_its_projections():
    torch.manual_seed(1)
    layer = SelfAttention(d_model=8)
    x = torch.randn(2, 4, 8)
    expected = scaled_dot_product_attention(layer.query(x), layer.key(x), layer.value(x))
    got = layer(x)
    assert torch.allclose(got[0], expected[0]) and torch.allclose(got[1], expected[1])


def test_self_attention_bad_input():
    with pytest.raises(TypeError, match="d_model must be an int"):
        SelfAttention(4.0)
    with pytest.raises(ValueError, match="d_k must be >= 1"):
        SelfAttention(4, d_k=0)
    with pytest.raises(TypeError, match="causal must be True or False"):
        SelfAttention(4, causal="yes")
    with pytest.raises(ValueError, match="last dimension d_model=4"):
        SelfAttention(4)(torch.ones(2, 3, 5))
    with pytest.raises(ValueError, match="x must have 2 or 3"):
        SelfAttention(4)(torch.ones(4))


def test_causal_mask():
    assert causal_mask(3).tolist() == [
        [True, False, False],
        [True, True, False],
        [True, True, True],
    ]
    with pytest.raises(ValueError, match="length must be >= 1"):
        causal_mask(0)


def test_dot_product_spread_is_the_chapter_claim():
    # Chapter 4: the spread of q·k grows like √d_k; dividing by √d_k keeps it near 1; without the
    # division the softmax saturates (one key takes almost all) as d_k grows.
    for seed in range(3):
        r = dot_product_spread(seed=seed)
        for d, s, t in zip(r["d_k"], r["spread"], r["spread_scaled"], strict=True):
            assert abs(s / math.sqrt(d) - 1) < 0.1 and abs(t - 1) < 0.1
        assert r["top_weight"][-1] > 0.9 and max(r["top_weight_scaled"]) < 0.4
        assert r["top_weight"] == sorted(r["top_weight"])
        assert r["sensitivity"][-1] < r["sensitivity_scaled"][-1] / 5
        assert min(r["sensitivity_scaled"]) > 0.7
    assert dot_product_spread(seed=0) == dot_product_spread(seed=0)


def test_dot_product_spread_bad_input():
    with pytest.raises(TypeError, match="d_ks must be a non-empty list"):
        dot_product_spread(d_ks=8)
    with pytest.raises(ValueError, match="d_ks\\[i\\] must be >= 1"):
        dot_product_spread(d_ks=[0])
    with pytest.raises(ValueError, match="n_keys must be >= 2"):
        dot_product_spread(n_keys=1)
    with pytest.raises(TypeError, match="seed must be an int"):
        dot_product_spread(seed=0.5)
