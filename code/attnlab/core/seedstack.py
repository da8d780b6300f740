"""Train one model on several seeds at once (Chapters 5-6), with ``torch.func``.

A chapter writes its model once, as a plain ``nn.Module`` for one sentence batch; that is the
model it prints and the model that trains. :class:`SeedStack` takes one copy per seed, stacks
their weights (``stack_module_state``) and runs all copies in one call (``vmap`` over
``functional_call``). Each copy keeps its own starting weights and sees its own batches, so every
seed's numbers are those of training that seed alone, up to float rounding; only the wall-clock
time is shared.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

__all__ = ["SeedStack"]


class SeedStack(nn.Module):
    """Several copies of one model (one per seed) that train and run side by side.

    ``forward(*inputs, **options)`` takes every input with a leading seed axis, (seeds, ...), and
    returns the copies' outputs stacked the same way; ``options`` go to every copy unchanged.
    ``member(i)`` hands back copy ``i`` as the plain model it is, for printing and for analysis.
    """

    def __init__(self, models: Sequence[nn.Module]) -> None:
        super().__init__()
        models = list(models)
        if not models or not all(isinstance(m, nn.Module) for m in models):
            raise TypeError("models must be a non-empty list of torch.nn.Module, one per seed")
        if len({type(m) for m in models}) != 1:
            raise TypeError("models must all be the same kind of model")
        params, buffers = stack_module_state(models)
        self.names = list(params)
        self.stacked = nn.ParameterList(nn.Parameter(params[name]) for name in self.names)
        self.buffer_names = list(buffers)
        for i, name in enumerate(self.buffer_names):
            self.register_buffer(f"buffer_{i}", buffers[name])
        # the shape of one copy, without numbers (kept out of the stack's own parameters)
        object.__setattr__(self, "_shape", copy.deepcopy(models[0]).to("meta"))

    def __len__(self) -> int:
        return self.stacked[0].shape[0]

    def _weights(self) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        params = dict(zip(self.names, self.stacked, strict=True))
        buffers = {n: getattr(self, f"buffer_{i}") for i, n in enumerate(self.buffer_names)}
        return params, buffers

    def forward(self, *inputs: torch.Tensor, **options: Any) -> Any:
        for i, x in enumerate(inputs):
            if not isinstance(x, torch.Tensor) or x.dim() == 0 or x.shape[0] != len(self):
                shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
                raise ValueError(
                    f"input {i} must be a tensor with one row per seed ({len(self)}, ...), "
                    f"got {shape}"
                )

        def one_copy(params: dict, buffers: dict, *xs: torch.Tensor) -> Any:
            return functional_call(self._shape, (params, buffers), xs, options)

        return vmap(one_copy, randomness="different")(*self._weights(), *inputs)

    def member(self, index: int) -> nn.Module:
        """Copy ``index`` as a plain model (its own weights, detached from the stack)."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self):
            raise ValueError(f"index must be a whole number in 0..{len(self) - 1}, got {index!r}")
        model = copy.deepcopy(self._shape).to_empty(device="cpu")
        params, buffers = self._weights()
        state = {name: value[index].detach().clone() for name, value in params.items()}
        state.update({name: value[index].clone() for name, value in buffers.items()})
        model.load_state_dict(state)
        return model.eval()
