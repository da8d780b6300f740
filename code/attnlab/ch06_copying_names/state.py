"""The logic behind the live widgets of Chapter 6: plain functions, tested without a browser.

The widgets (``widgets.py``) only wire ipywidgets controls to these functions and redraw; the
explorables and the static figures use the same functions.
"""

from __future__ import annotations

import torch

from attnlab.ch04_attention.name_model import NameResult
from attnlab.ch04_attention.names import VOCAB, encode
from attnlab.ch06_copying_names.analysis import attention_patterns


def head_view_state(result: NameResult, text: str, query: int | None = None) -> dict:
    """Where each layer's head looks from position ``query`` (default: the last token) of ``text``.

    Returns ``tokens``, ``query``, ``patterns`` (one (L, L) tensor per layer), ``rows`` (each layer's
    weights from the query, as lists), ``looks_at`` (the token each layer attends to most, with its
    position) and ``prediction`` (the model's next token after the query position).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string of course tokens, got {type(text).__name__}")
    ids = encode(text)
    if not ids:
        raise ValueError("text must hold at least one token")
    tokens = text.split()
    if query is None:
        query = len(ids) - 1
    if isinstance(query, bool) or not isinstance(query, int):
        raise TypeError(f"query must be an int position, got {type(query).__name__}")
    if not 0 <= query < len(ids):
        raise ValueError(f"query must be a position in 0..{len(ids) - 1}, got {query}")
    patterns = attention_patterns(result, text)
    rows = [p[query].tolist() for p in patterns]
    looks_at = []
    for row in rows:
        best = max(range(len(row)), key=row.__getitem__)
        looks_at.append((best, tokens[best], row[best]))
    with torch.no_grad():
        logits, _ = result.model(torch.tensor(ids[: query + 1])[None], start=query)
    prediction = VOCAB[int(logits[0, 0].argmax())]
    return {
        "tokens": tokens,
        "query": query,
        "patterns": patterns,
        "rows": rows,
        "looks_at": looks_at,
        "prediction": prediction,
    }
