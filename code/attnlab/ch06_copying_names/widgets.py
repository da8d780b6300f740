"""The head viewer of Chapter 6: pick a sentence and a query token, see where both heads look.

The logic is :func:`head_view_state`, a plain function tested without a browser; :func:`head_viewer`
only wires a dropdown and a slider to it and redraws :func:`attnlab.ch06_copying_names.plots.plot_heads`.
"""

from __future__ import annotations

from collections.abc import Sequence

from attnlab.ch04_attention.name_model import NameResult
from attnlab.ch06_copying_names.state import head_view_state

__all__ = ["head_view_state", "head_viewer"]


def head_viewer(result: NameResult, sentences: Sequence[str]) -> None:
    """A dropdown of sentences and a query slider; both layers' heatmaps redraw (live kernel only)."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    from attnlab.ch06_copying_names.plots import plot_heads

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
