"""TinyGPT: a whole small transformer, assembled from the course's parts (Chapter 7).

Read it top to bottom, like minGPT's ``model.py``. Each token becomes a vector (its embedding
plus the embedding of its position): the *residual stream*. Each block reads the stream twice
and adds what it found back in:

1. attention (Chapter 5's ``MultiHeadAttention``, causal: a token sees only itself and what came
   before) lets every token gather from the others;
2. an MLP (Chapter 2's hinges) works on every token on its own.

A LayerNorm before each part keeps the numbers it reads at a steady size. After the last block,
one more LayerNorm and a linear layer give a score for every token of the vocabulary as the next
token, at every position at once.
"""

from __future__ import annotations

import torch
from torch import nn

from attnlab.ch03_next_token.model import check_tokens
from attnlab.ch04_attention.attention import scaled_dot_product_attention
from attnlab.ch05_multi_head.heads import MultiHeadAttention, merge_heads, split_heads
from attnlab.core import validate

__all__ = ["Block", "TinyGPT", "causal_mask"]


def causal_mask(length: int) -> torch.Tensor:
    """(length, length), True where query i may look at key j, that is j <= i (Chapter 4)."""
    return torch.ones(length, length, dtype=torch.bool).tril()


class Block(nn.Module):
    """One transformer block: attention, then an MLP, each added back into the stream."""

    def __init__(self, d_model: int, n_heads: int, width: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attention = MultiHeadAttention(d_model, n_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, width),  # ``width`` hinges per token
            nn.ReLU(),
            nn.Linear(width, d_model),
        )
        #: the last attention weights, (B, n_heads, L, L), kept when ``keep_weights`` is True
        self.weights: torch.Tensor | None = None
        self.keep_weights = False
        #: heads to switch off (their output set to zero), for the ablation experiment
        self.off_heads: tuple[int, ...] = ()

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        normed = self.norm1(x)
        if self.off_heads:
            read, weights = self._without_heads(normed, mask)
        else:
            read, weights = self.attention(normed, mask=mask, need_weights=self.keep_weights)
        self.weights = weights if self.keep_weights else None
        x = x + read  # attention adds what it gathered
        x = x + self.mlp(self.norm2(x))  # the MLP adds what it computed
        return x

    def _without_heads(
        self, x: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Attention with the heads in ``off_heads`` silenced (their slice of the output is 0),
        and every head's weights (switching a head off does not change where it looks)."""
        a = self.attention
        q, k, v = (split_heads(f(x), a.n_heads) for f in (a.query, a.key, a.value))
        heads, weights = scaled_dot_product_attention(q, k, v, mask)
        heads[:, list(self.off_heads)] = 0
        return a.out(merge_heads(heads)), weights


class TinyGPT(nn.Module):
    """Token and position embeddings, ``n_layers`` blocks, a last LayerNorm, the scores.

    ``forward(tokens)`` takes token ids (B, L) with L at most ``context_length`` and returns the
    scores for the next token at every position, (B, L, vocab_size).
    """

    def __init__(
        self,
        vocab_size: int,
        context_length: int = 64,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 2,
        width: int = 128,
    ) -> None:
        super().__init__()
        self.vocab_size = validate.positive_int("vocab_size", vocab_size, minimum=2)
        self.context_length = validate.positive_int("context_length", context_length)
        validate.positive_int("d_model", d_model)
        validate.positive_int("n_heads", n_heads)
        validate.positive_int("n_layers", n_layers)
        validate.positive_int("width", width)
        self.token_embedding = nn.Embedding(vocab_size, d_model)
        self.position_embedding = nn.Embedding(context_length, d_model)
        self.blocks = nn.ModuleList(Block(d_model, n_heads, width) for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)
        self.unembed = nn.Linear(d_model, vocab_size)
        for embedding in (self.token_embedding, self.position_embedding):
            nn.init.normal_(embedding.weight, std=0.02)
        self.register_buffer("mask", causal_mask(context_length), persistent=False)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        self._check(tokens)
        length = tokens.shape[1]
        positions = torch.arange(length)
        x = self.token_embedding(tokens) + self.position_embedding(positions)  # the stream
        mask = self.mask[:length, :length]
        for block in self.blocks:
            x = block(x, mask)
        return self.unembed(self.norm(x))  # (B, L, vocab_size)

    def _check(self, tokens: torch.Tensor) -> None:
        validate.tensor("tokens", tokens, ndim=2, floating=False)
        length = tokens.shape[1]
        if not 0 < length <= self.context_length:
            raise ValueError(
                f"tokens must hold 1 to context_length={self.context_length} positions, got {length}"
            )
        check_tokens(tokens, length, self.vocab_size)
