"""The next-token model of Chapter 4: one attention layer reads the window (Chapter 3's MLP's rival).

It reads a fixed window of token ids, shape (batch, context_length), and returns a score (logit)
for every token of the vocabulary as the next token, shape (batch, vocab_size).
"""

from __future__ import annotations

import torch
from torch import nn

from attnlab.ch03_next_token.model import EMBED_STD, check_tokens
from attnlab.ch04_attention.attention import SelfAttention
from attnlab.core import validate

__all__ = ["OneLayerAttention"]


class OneLayerAttention(nn.Module):
    """Embeddings, one self-attention head, and scores read from the last token (Chapter 4).

    The last token ("is") asks with its query; every token answers with its key; the winner's
    value, mixed by the softmax weights, goes through ``out`` to become the scores. The same value
    projection serves every slot, which is why a name learned at one slot is copied from any slot.
    No position embeddings by default (``positions=False``): the model sees which tokens are in the
    window, not where; ``positions=True`` adds learned absolute position embeddings.
    """

    def __init__(
        self, vocab_size: int, context_length: int, d_model: int = 32, positions: bool = False
    ):
        super().__init__()
        self.vocab_size = validate.positive_int("vocab_size", vocab_size, minimum=2)
        self.context_length = validate.positive_int("context_length", context_length)
        self.d_model = validate.positive_int("d_model", d_model)
        if not isinstance(positions, bool):
            raise TypeError(f"positions must be True or False, got {positions!r}")
        self.embed = nn.Embedding(self.vocab_size, self.d_model)
        nn.init.normal_(self.embed.weight, std=EMBED_STD)
        self.position = nn.Embedding(self.context_length, self.d_model) if positions else None
        self.attention = SelfAttention(self.d_model)
        self.out = nn.Linear(self.d_model, self.vocab_size)

    def forward_with_weights(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Scores (B, vocab_size) and the last token's attention weights (B, context_length)."""
        check_tokens(tokens, self.context_length, self.vocab_size)
        x = self.embed(tokens)
        if self.position is not None:
            x = x + self.position.weight
        mixed, weights = self.attention(x)
        return self.out(mixed[:, -1]), weights[:, -1]

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.forward_with_weights(tokens)[0]
