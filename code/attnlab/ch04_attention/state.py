"""The logic behind the live widgets of Chapter 4: plain functions, tested without a browser.

The widgets (``widgets.py``) only wire ipywidgets controls to these functions and redraw; the
explorables and the static figures use the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import torch

from attnlab.ch04_attention.attention import scaled_dot_product_attention
from attnlab.ch04_attention.wordvectors import VALUE_FEATURES, vectors
from attnlab.core import validate


def _scores_list(scores: object) -> list[float]:
    tensor = validate.as_float_tensor("scores", scores, ndim=1)
    validate.non_empty("scores", tensor)
    if not torch.isfinite(tensor).all():
        raise ValueError(f"scores must be finite numbers, got {tensor.tolist()}")
    return [float(s) for s in tensor.tolist()]


def temperature_state(scores: object, temperature: float = 1.0) -> dict:
    """Softmax of one row of ``scores`` at a ``temperature`` (Chapter 4).

    ``weights[j] = exp(scores[j] / T) / sum_i exp(scores[i] / T)``, computed stably (the largest
    score is subtracted first). Returns plain floats and lists: ``scores``, ``temperature``,
    ``weights`` (they sum to 1), ``largest`` (the winner's weight) and ``winner`` (its index).
    Low temperature: the winner takes all; high temperature: everyone gets about the same.
    """
    values = _scores_list(scores)
    temperature = validate.positive_number("temperature", temperature)
    scaled = torch.tensor(values, dtype=torch.float64) / temperature
    weights = torch.exp(scaled - scaled.max())
    weights = (weights / weights.sum()).tolist()
    winner = max(range(len(weights)), key=weights.__getitem__)
    return {
        "scores": values,
        "temperature": temperature,
        "weights": weights,
        "largest": weights[winner],
        "winner": winner,
    }


def explorer_state(
    words: Sequence[str] | str,
    query_position: int | None = None,
    lexicon: Mapping[str, Mapping[str, list[float]]] | None = None,
) -> dict:
    """What the attention explorer shows for one query token of a sentence (Chapter 4).

    ``words``: a list of lexicon words (or a space-separated sentence); ``query_position``: which
    token asks (default: the last one); ``lexicon``: defaults to :data:`attnlab.ch04_attention.wordvectors.LEXICON`.
    Returns plain lists: ``tokens``, ``query`` (the position), ``raw_scores`` (q·k),
    ``scores`` (q·k / √d_k), ``weights`` (softmax of the scores), ``output`` (the weighted sum of
    the values, one number per value feature) and ``features`` (the names of the value features,
    :data:`~attnlab.ch04_attention.wordvectors.VALUE_FEATURES`: what the output is made of).
    """
    query, key, value = vectors(words, lexicon)
    tokens = words.split() if isinstance(words, str) else list(words)
    last = len(tokens) - 1
    position = last if query_position is None else query_position
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= last:
        raise ValueError(f"query_position must be an int between 0 and {last}, got {position!r}")
    q = query[position : position + 1]
    output, weights = scaled_dot_product_attention(q, key, value)
    raw = (q @ key.T)[0]
    return {
        "tokens": tokens,
        "query": position,
        "raw_scores": raw.tolist(),
        "scores": (raw / math.sqrt(key.shape[-1])).tolist(),
        "weights": weights[0].tolist(),
        "output": output[0].tolist(),
        "features": list(VALUE_FEATURES),
    }
