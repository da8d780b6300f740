"""Chapter 3's next-token model, the window MLP (Chapter 4's attention model: tests/unit/ch04_attention)."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch03_next_token.model import (
    WindowMLP,
    count_parameters,
    mlp_width_for,
)


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


def test_mlp_width_for_inverts_the_parameter_count():
    for width in (1, 22, 512):
        n_params = count_parameters(WindowMLP(251, 8, 32, width))
        assert mlp_width_for(n_params, 251, 8, 32) == width


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: WindowMLP(0, 5), ValueError, "vocab_size"),
        (lambda: WindowMLP(10, 5, width=2.0), TypeError, "width"),
        (lambda: WindowMLP(10, 5)(torch.zeros(2, 5)), TypeError, "tokens"),
        (lambda: WindowMLP(10, 5)(torch.zeros(2, 4, dtype=torch.long)), ValueError, "tokens"),
        (lambda: WindowMLP(10, 5)(torch.full((2, 5), 10)), ValueError, "ids in 0..9"),
        (lambda: count_parameters("model"), TypeError, "model"),
    ],
)
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
