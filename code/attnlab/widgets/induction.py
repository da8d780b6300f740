"""The head viewer of Chapter 6: pick a sentence and a query token, see where both heads look.

The logic is :func:`head_view_state`, a plain function tested without a browser; :func:`head_viewer`
only wires a dropdown and a slider to it and redraws :func:`attnlab.plots.induction.plot_heads`.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .. import induction

__all__ = ["head_view_state", "head_viewer"]


def head_view_state(result: induction.NameResult, text: str, query: int | None = None) -> dict:
    """Where each layer's head looks from position ``query`` (default: the last token) of ``text``.

    Returns ``tokens``, ``query``, ``patterns`` (one (L, L) tensor per layer), ``rows`` (each layer's
    weights from the query, as lists), ``looks_at`` (the token each layer attends to most, with its
    position) and ``prediction`` (the model's next token after the query position).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string of course tokens, got {type(text).__name__}")
    ids = induction.encode(text)
    if not ids:
        raise ValueError("text must hold at least one token")
    tokens = text.split()
    if query is None:
        query = len(ids) - 1
    if isinstance(query, bool) or not isinstance(query, int):
        raise TypeError(f"query must be an int position, got {type(query).__name__}")
    if not 0 <= query < len(ids):
        raise ValueError(f"query must be a position in 0..{len(ids) - 1}, got {query}")
    patterns = induction.attention_patterns(result, text)
    rows = [p[query].tolist() for p in patterns]
    looks_at = []
    for row in rows:
        best = max(range(len(row)), key=row.__getitem__)
        looks_at.append((best, tokens[best], row[best]))
    with torch.no_grad():
        members = len(result.network.seeds)
        batch = torch.tensor(ids[: query + 1])[None, None].expand(members, 1, query + 1)
        logits, _ = result.network(batch, start=query)
    prediction = induction.VOCAB[int(logits[result.member, 0, 0].argmax())]
    return {
        "tokens": tokens,
        "query": query,
        "patterns": patterns,
        "rows": rows,
        "looks_at": looks_at,
        "prediction": prediction,
    }


def head_viewer(result: induction.NameResult, sentences: Sequence[str]) -> None:
    """A dropdown of sentences and a query slider; both layers' heatmaps redraw (live kernel only)."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    from ..plots.induction import plot_heads

    if not sentences:
        raise ValueError("sentences must hold at least one sentence")
    for s in sentences:
        head_view_state(result, s)  # fail early, with a clear message, on a bad sentence
    choose = widgets.Dropdown(
        options=list(sentences), description="sentence", layout={"width": "95%"}
    )
    query = widgets.IntSlider(
        min=0,
        max=len(sentences[0].split()) - 1,
        value=len(sentences[0].split()) - 1,
        description="query",
    )
    out = widgets.Output()

    def redraw(*_):
        n = len(choose.value.split())
        query.max = n - 1
        state = head_view_state(result, choose.value, min(query.value, n - 1))
        with out:
            out.clear_output(wait=True)
            fig = plot_heads(state["patterns"], state["tokens"], row=state["query"])
            display(fig)
            plt.close(fig)
            lines = [
                f"layer {i + 1} looks most at '{tok}' (position {pos}, weight {w:.2f})"
                for i, (pos, tok, w) in enumerate(state["looks_at"])
            ]
            print(f"query: '{state['tokens'][state['query']]}'. " + "; ".join(lines))
            print(f"the model's next token here: '{state['prediction']}'")

    choose.observe(redraw, names="value")
    query.observe(redraw, names="value")
    redraw()
    display(widgets.VBox([choose, query, out]))
