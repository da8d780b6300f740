"""The next-token model of Chapter 3: a window MLP.

Both read a fixed window of token ids, shape (batch, context_length), and return a score (logit)
for every token of the vocabulary as the next token, shape (batch, vocab_size).
"""

from __future__ import annotations

import torch
from torch import nn

from attnlab.core import validate

__all__ = ["WindowMLP", "count_parameters", "mlp_width_for", "EMBED_STD", "check_tokens"]

#: Both models start from small random embeddings. For attention this matters: with large ones
#: a few names get a near-zero attention weight early, so their values never learn and they stay
#: unreachable (a run stuck near 93%); with small ones every token starts with about the same
#: weight. The MLP gets the same start, for a fair comparison.
EMBED_STD = 0.1


def count_parameters(model: nn.Module) -> int:
    """The number of trainable numbers in ``model`` (Chapters 3-6)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def check_tokens(tokens: object, context_length: int, vocab_size: int) -> torch.Tensor:
    validate.tensor("tokens", tokens, ndim=2, floating=False)
    assert isinstance(tokens, torch.Tensor)
    if tokens.shape[1] != context_length:
        raise ValueError(
            f"tokens must have shape (batch, {context_length}), got {tuple(tokens.shape)}"
        )
    if tokens.numel() and (tokens.min() < 0 or tokens.max() >= vocab_size):
        raise ValueError(f"tokens must be ids in 0..{vocab_size - 1}")
    return tokens


class WindowMLP(nn.Module):
    """Embed each token of the window, glue the embeddings end to end, one hinge layer, scores.

    The layer after the embeddings has a separate block of weights for every slot of the window:
    what it learns about a name at slot 3 says nothing about the same name at slot 4 (Chapter 3).
    """

    def __init__(self, vocab_size: int, context_length: int, d_embed: int = 32, width: int = 64):
        super().__init__()
        self.vocab_size = validate.positive_int("vocab_size", vocab_size, minimum=2)
        self.context_length = validate.positive_int("context_length", context_length)
        self.d_embed = validate.positive_int("d_embed", d_embed)
        self.width = validate.positive_int("width", width)
        self.embed = nn.Embedding(self.vocab_size, self.d_embed)
        nn.init.normal_(self.embed.weight, std=EMBED_STD)
        self.hidden = nn.Linear(self.context_length * self.d_embed, self.width)
        self.out = nn.Linear(self.width, self.vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        check_tokens(tokens, self.context_length, self.vocab_size)
        x = self.embed(tokens).flatten(1)  # (B, L * d_embed): slot after slot
        return self.out(torch.relu(self.hidden(x)))


def mlp_width_for(n_params: int, vocab_size: int, context_length: int, d_embed: int) -> int:
    """The hidden width that gives a :class:`WindowMLP` about ``n_params`` parameters (Chapter 4)."""
    n_params = validate.positive_int("n_params", n_params)
    fixed = vocab_size * d_embed + vocab_size  # embeddings + output biases
    per_unit = context_length * d_embed + 1 + vocab_size  # one hidden unit: in-weights, bias, out
    return max(1, round((n_params - fixed) / per_unit))
