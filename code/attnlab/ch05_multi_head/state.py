"""The logic behind the live widgets of Chapter 5: plain functions, tested without a browser.

The widgets (``widgets.py``) only wire ipywidgets controls to these functions and redraw; the
explorables and the static figures use the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch

from attnlab.ch05_multi_head.two_value import TwoValueModel

# Where a and b sit: slots (0-based) within the first half and within the second half.
LAYOUTS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "a once, b once": ((1,), (2,)),
    "a twice, b once": ((0, 3), (1,)),
    "a once, b three times": ((2,), (0, 1, 3)),
    "a three times, b twice": ((0, 1, 2), (2, 3)),
}


def head_maps(model: TwoValueModel, sequence: torch.Tensor | Sequence[int]) -> list[list[float]]:
    """Where each head of ``model`` looks from the question mark: one list of ``length`` weights
    per head (each sums to 1) for one ``sequence`` of token ids (Chapter 5)."""
    if not isinstance(model, TwoValueModel):
        raise TypeError(f"model must be a TwoValueModel, got {type(model).__name__}")
    tokens = torch.as_tensor(sequence)
    if tokens.dim() != 1 or tokens.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"sequence must be one sequence of token ids, got {tuple(tokens.shape)}")
    task = model.task
    if len(tokens) != task.length or tokens.min() < 0 or tokens.max() >= task.vocab_size:
        raise ValueError(
            f"sequence must hold {task.length} token ids in 0..{task.vocab_size - 1}, "
            f"got {tokens.tolist()}"
        )
    with torch.no_grad():
        _, weights = model(tokens.long()[None])
    return weights[0, :, 0].tolist()  # (n_heads, length)


def head_viewer_state(
    models: Mapping[int, TwoValueModel], n_heads: int, a: int, b: int, layout: str
) -> dict:
    """Everything the head viewer shows for one choice (Chapter 5): ``tokens`` (names),
    ``weights`` (one list per head), ``answer`` ((b - a) mod n_values), ``prediction`` and
    ``confidence`` (the model's top answer and its probability)."""
    if n_heads not in models:
        raise ValueError(f"n_heads must be one of {sorted(models)}, got {n_heads!r}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {list(LAYOUTS)}, got {layout!r}")
    model = models[n_heads]
    task = model.task
    slots_a, slots_b = LAYOUTS[layout]
    tokens = task.make(a, b, slots_a, slots_b)
    with torch.no_grad():
        logits, _ = model(tokens[None])
    probs = logits[0].softmax(-1)
    names = task.token_names()
    return {
        "n_heads": n_heads,
        "tokens": [names[t] for t in tokens.tolist()],
        "weights": head_maps(model, tokens),
        "answer": (b - a) % task.n_values,
        "prediction": int(probs.argmax()),
        "confidence": float(probs.max()),
    }
