"""Chapter 4's next-token model: one attention layer reads the window (Chapter 3's MLP's rival)."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch03_next_token.model import WindowMLP, count_parameters, mlp_width_for
from attnlab.ch04_attention.model import OneLayerAttention


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
        (lambda: OneLayerAttention(10, 5, positions="yes"), TypeError, "positions"),
        (lambda: OneLayerAttention(10, 5)(torch.zeros(5, dtype=torch.long)), ValueError, "tokens"),
        (lambda: OneLayerAttention(1, 5), ValueError, "vocab_size"),
    ],
)
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
