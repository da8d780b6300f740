"""TinyGPT (Chapter 7): shapes, causality, the parts it is built from, bad input (fast)."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch05_multi_head.heads import MultiHeadAttention
from attnlab.ch07_name.model import TinyGPT, causal_mask


def _model(**kw):
    torch.manual_seed(0)
    return TinyGPT(vocab_size=50, **{"context_length": 16, "d_model": 16, "n_heads": 4, **kw})


def test_scores_for_every_position():
    assert _model()(torch.randint(0, 50, (3, 10))).shape == (3, 10, 50)


def test_a_position_never_sees_the_future():
    model = _model()
    tokens = torch.randint(0, 50, (1, 12))
    changed = tokens.clone()
    changed[0, 7:] = (changed[0, 7:] + 1) % 50
    a, b = model(tokens), model(changed)
    assert torch.allclose(a[0, :7], b[0, :7], atol=1e-6)
    assert not torch.allclose(a[0, 7:], b[0, 7:])


def test_built_from_chapter_5s_attention_and_a_hinge_mlp():
    model = _model(n_layers=3)
    assert len(model.blocks) == 3
    assert all(isinstance(b.attention, MultiHeadAttention) for b in model.blocks)
    assert isinstance(model.blocks[0].mlp[1], torch.nn.ReLU)
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True] * 3]


def test_weights_kept_only_when_asked_and_heads_can_be_silenced():
    model = _model()
    tokens = torch.randint(0, 50, (2, 9))
    model(tokens)
    assert model.blocks[0].weights is None
    model.blocks[0].keep_weights = True
    base = model(tokens)
    weights = model.blocks[0].weights
    assert weights.shape == (2, 4, 9, 9)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 4, 9))
    model.blocks[0].off_heads = (1,)
    assert not torch.allclose(model(tokens), base)
    model.blocks[0].off_heads = ()
    assert torch.allclose(model(tokens), base, atol=1e-6)


@pytest.mark.parametrize(
    ("tokens", "error", "match"),
    [
        ([[1, 2]], TypeError, "tokens"),
        (torch.zeros(2, 17, dtype=torch.long), ValueError, "context_length=16"),
        (torch.full((1, 3), 50), ValueError, "0..49"),
        (torch.zeros(3, dtype=torch.long), ValueError, "tokens"),
    ],
)
def test_bad_tokens_are_named(tokens, error, match):
    with pytest.raises(error, match=match):
        _model()(tokens)


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="divisible"):
        TinyGPT(50, 16, d_model=10, n_heads=4)
    with pytest.raises(ValueError, match="vocab_size"):
        TinyGPT(1)


def test_switching_a_head_off_keeps_every_head_s_weights():
    model = _model()
    tokens = torch.randint(0, 50, (2, 9))
    block = model.blocks[0]
    block.keep_weights = True
    model(tokens)
    before = block.weights
    block.off_heads = (1, 2)
    model(tokens)
    assert torch.allclose(block.weights, before, atol=1e-6)
