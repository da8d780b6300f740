"""Fifteen two-value models trained as one (Chapter 5): every head count, every seed, one pass.

The chapter compares 1, 2 and 4 heads on five seeds each. The fifteen :class:`TwoValueModel` s
have weight matrices of the same shapes (only how attention cuts them into heads differs), so
:class:`SideBySide` stacks them: every weight gets a leading "member" axis and one batched matrix
product runs all fifteen. Only the attention step is done per head count, with Chapter 4's
function on that head count's slices.

(:class:`~attnlab.core.seedstack.SeedStack` runs copies of one model with ``torch.func.vmap``;
it can stack the seeds of one head count, but not models with different head counts, and three
stacks took about twice as long as this one pass on two CPU cores. So Chapter 5 shows this code,
the code that trains.)
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from attnlab.ch04_attention.attention import scaled_dot_product_attention
from attnlab.ch05_multi_head.heads import merge_heads, split_heads

__all__ = ["SideBySide"]


class SideBySide(nn.Module):
    """``models[g][i]``: the model with the ``g``-th head count on the ``i``-th seed, as members
    ``g * seeds + i`` of one stack. ``forward(tokens)`` takes (members, B, length) and returns
    logits (members, B, n_values) and, per head count, the question's attention weights."""

    def __init__(self, models: Sequence[Sequence[nn.Module]]) -> None:
        super().__init__()
        _check_models(models)
        self._names = [name for name, _ in models[0][0].named_parameters()]
        self.heads = [group[0].attention.n_heads for group in models]
        self.seeds = len(models[0])
        self.task = models[0][0].task
        for name, _ in models[0][0].named_parameters():  # stack every weight, member by member
            stacked = torch.stack(
                [dict(m.named_parameters())[name].detach() for group in models for m in group]
            )
            self.register_parameter(name.replace(".", "_"), nn.Parameter(stacked))

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
        p = dict(self.named_parameters())
        members = torch.arange(tokens.shape[0])[:, None, None]
        x = p["tokens_weight"][members, tokens] + p["positions"][:, None]  # (M, B, L, d_model)

        def linear(x: torch.Tensor, layer: str) -> torch.Tensor:  # x @ Wᵀ + bias, per member
            w, b = p[f"{layer}_weight"], p[f"{layer}_bias"]  # (M, out, in), (M, out)
            flat = x.reshape(x.shape[0], -1, x.shape[-1])  # (M, everything else, in)
            return torch.baddbmm(b[:, None], flat, w.transpose(1, 2)).reshape(*x.shape[:-1], -1)

        q = linear(x[:, :, -1:], "attention_query")  # only the question mark asks
        k, v = linear(x, "attention_key"), linear(x, "attention_value")
        mixed, weights = [], {}
        for g, h in enumerate(self.heads):  # the one step where the head count matters
            part = slice(g * self.seeds, (g + 1) * self.seeds)
            out, weights[h] = scaled_dot_product_attention(  # Chapter 4's function, all heads
                split_heads(q[part], h), split_heads(k[part], h), split_heads(v[part], h)
            )
            mixed.append(merge_heads(out))
        h = x[:, :, -1] + linear(torch.cat(mixed), "attention_out")[:, :, 0]  # residual
        h = h + linear(torch.relu(linear(F.layer_norm(h, h.shape[-1:]), "mlp_0")), "mlp_2")
        return linear(h, "unembed"), weights

    def member(self, group: int, index: int, model: nn.Module) -> nn.Module:
        """Load member (``group``, ``index``)'s trained weights into ``model`` (a fresh
        :class:`TwoValueModel` of that head count) and return it."""
        k = group * self.seeds + index
        stacked = zip(self._names, self.parameters(), strict=True)
        state = {name: p[k].detach().clone() for name, p in stacked}
        model.load_state_dict(state)
        return model.eval()


def _check_models(models: object) -> None:
    if (
        not isinstance(models, (list, tuple))
        or not models
        or not all(isinstance(g, (list, tuple)) and g for g in models)
        or len({len(g) for g in models}) != 1
    ):
        raise TypeError("models must be one non-empty list of models per head count, equal length")
