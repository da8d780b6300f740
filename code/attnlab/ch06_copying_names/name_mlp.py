"""The MLP baseline of Chapter 6: a hinge network like Chapter 3's, on the "called" task.

It predicts the next token at every position from a window of the last ``length`` tokens (padded on
the left), their embeddings side by side, one hinge layer, then a score per vocabulary token. It has
one weight per slot of the window, the network of Chapter 3 that attention replaced in Chapter 4.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from attnlab.ch04_attention.name_model import draw, init_generator
from attnlab.ch04_attention.names import PAD, VOCAB
from attnlab.core import validate

__all__ = ["NameMLP"]


class NameMLP(nn.Module):
    """A hinge network over the concatenated embeddings of a window of ``length`` tokens.

    ``hidden`` hinge units, ``embed`` numbers per token embedding; ``seed`` picks the starting
    weights (:func:`~attnlab.ch04_attention.name_model.init_generator`). ``forward(tokens, ablate,
    start)`` takes (batch, L) token ids and returns the logits of positions ``start`` onwards,
    (batch, L - start, vocab), and no attention (an empty list); ``ablate`` must be empty.
    """

    def __init__(self, length: int = 12, hidden: int = 48, embed: int = 16, seed: int = 0):
        super().__init__()
        self.length = validate.positive_int("length", length)
        validate.positive_int("hidden", hidden)
        validate.positive_int("embed", embed)
        g, vocab, inputs = init_generator(seed), len(VOCAB), length * embed
        # drawn in this order: embedding, hidden weight, output weight (the biases start at 0)
        self.embedding = draw(g, vocab, embed, scale=1.0)
        self.hidden_weight = draw(g, inputs, hidden, scale=1 / math.sqrt(inputs))
        self.hidden_bias = nn.Parameter(torch.zeros(hidden))
        self.out_weight = draw(g, hidden, vocab, scale=1 / math.sqrt(hidden))
        self.out_bias = nn.Parameter(torch.zeros(vocab))

    def forward(
        self, tokens: torch.Tensor, ablate: tuple[int, ...] = (), start: int = 0
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits for positions ``start`` onwards (all by default); an MLP has no attention."""
        _check_forward(tokens, ablate, start, self.length)
        # each position sees a window of the last `self.length` tokens, padded on the left
        padded = nn.functional.pad(tokens, (self.length - 1, 0), value=PAD)
        windows = padded.unfold(1, self.length, 1)[:, start:]  # (batch, L - start, window)
        x = self.embedding[windows].flatten(2)  # the window's embeddings side by side
        h = torch.relu(x @ self.hidden_weight + self.hidden_bias)
        return h @ self.out_weight + self.out_bias, []


def _check_forward(tokens: object, ablate: object, start: object, length: int) -> None:
    validate.tensor("tokens", tokens, ndim=2, floating=False)
    assert isinstance(tokens, torch.Tensor)
    if not 1 <= tokens.shape[1] <= length:
        raise ValueError(f"tokens must have shape (batch, 1..{length}), got {tuple(tokens.shape)}")
    if not isinstance(ablate, (tuple, list)):
        raise TypeError(f"ablate must be a tuple of layer numbers, got {ablate!r}")
    if ablate:
        raise ValueError("an MLP has no heads to ablate: ablate must be empty")
    if isinstance(start, bool) or not isinstance(start, int):
        raise TypeError(f"start must be an int position, got {start!r}")
    if not 0 <= start < tokens.shape[1]:
        raise ValueError(f"start must be a position in 0..{tokens.shape[1] - 1}, got {start}")
