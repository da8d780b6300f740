"""The next-token models: the window MLP (Chapter 3) and one attention layer (Chapter 4)."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch03_next_token.model import (
    WindowMLP,
    count_parameters,
    mlp_width_for,
)
from attnlab.ch04_attention.model import OneLayerAttention


def test_window_mlp_shapes_and_parameter_count():
    model = WindowMLP(vocab_size=30, context_length=5, d_embed=4, width=8)
    tokens = torch.randint(0, 30, (3, 5))
    assert model(tokens).shape == (3, 30)
    # embeddings + hidden layer (weights and biases) + output layer
    assert count_parameters(model) == 30 * 4 + (5 * 4 * 8 + 8) + (8 * 30 + 30)


def test_mlp_weights_are_separate_per_slot():
    """The hidden layer's weights for slot 3 and slot 4 are different numbers (Chapter 3)."""
    torch.manual_seed(0)
    model = WindowMLP(vocab_size=10, context_length=5, d_embed=3, width=4)
    w = model.hidden.weight.detach()
    assert w.shape == (4, 5 * 3)
    a = torch.tensor([[1, 1, 1, 7, 1]])
    b = torch.tensor([[1, 1, 1, 1, 7]])
    assert not torch.allclose(model(a), model(b))  # moving a token changes the answer


def test_attention_model_shapes_weights_and_position_blindness():
    torch.manual_seed(0)
    model = OneLayerAttention(vocab_size=12, context_length=6, d_model=8)
    tokens = torch.randint(0, 12, (4, 6))
    scores, weights = model.forward_with_weights(tokens)
    assert scores.shape == (4, 12) and weights.shape == (4, 6)
    assert torch.allclose(weights.sum(dim=-1), torch.ones(4))
    # Without positions, shuffling the tokens before the last one changes nothing.
    shuffled = torch.cat([tokens[:, :-1].flip(1), tokens[:, -1:]], dim=1)
    assert torch.allclose(model(shuffled), scores, atol=1e-6)
    with_positions = OneLayerAttention(12, 6, 8, positions=True)
    assert not torch.allclose(with_positions(shuffled), with_positions(tokens), atol=1e-6)
    assert count_parameters(with_positions) == count_parameters(model) + 6 * 8


def test_mlp_width_for_matches_the_attention_model():
    attention = OneLayerAttention(251, 8, 32)
    width = mlp_width_for(count_parameters(attention), 251, 8, 32)
    mlp = WindowMLP(251, 8, 32, width)
    assert (
        abs(count_parameters(mlp) - count_parameters(attention)) / count_parameters(attention)
        < 0.02
    )


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: WindowMLP(0, 5), ValueError, "vocab_size"),
        (lambda: WindowMLP(10, 5, width=2.0), TypeError, "width"),
        (lambda: OneLayerAttention(10, 5, positions="yes"), TypeError, "positions"),
        (lambda: WindowMLP(10, 5)(torch.zeros(2, 5)), TypeError, "tokens"),
        (lambda: WindowMLP(10, 5)(torch.zeros(2, 4, dtype=torch.long)), ValueError, "tokens"),
        (lambda: WindowMLP(10, 5)(torch.full((2, 5), 10)), ValueError, "ids in 0..9"),
        (lambda: OneLayerAttention(10, 5)(torch.zeros(5, dtype=torch.long)), ValueError, "tokens"),
        (lambda: count_parameters("model"), TypeError, "model"),
    ],
)
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
