"""The head viewer of Chapter 5: pick a head count, two numbers and where they sit, and see
where each head of a trained model looks.

The logic is two plain functions, :func:`head_maps` and :func:`head_viewer_state`, tested
without a browser; their answers are plain lists and numbers (easy to export). The widget only
wires a dropdown and sliders to them and redraws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from IPython.display import display

from ..heads import TwoValueModel

__all__ = ["LAYOUTS", "head_maps", "head_viewer_state", "HeadViewer", "head_viewer"]

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


class HeadViewer(widgets.VBox):
    """A dropdown for the head count and the layout, sliders for a and b; one heatmap per head."""

    def __init__(
        self,
        models: Mapping[int, TwoValueModel],
        n_heads: int | None = None,
        a: int = 3,
        b: int = 7,
        layout: str = "a twice, b once",
    ) -> None:
        from ..plots.heads import plot_head_maps

        self.models = dict(models)
        self.n_values = n_values = next(iter(self.models.values())).task.n_values
        head_viewer_state(self.models, n_heads or max(self.models), a, b, layout)  # checks
        self.heads = widgets.Dropdown(
            options=sorted(self.models), value=n_heads or max(self.models), description="heads"
        )
        self.layout_box = widgets.Dropdown(options=list(LAYOUTS), value=layout, description="where")
        self.a = widgets.IntSlider(value=a, min=0, max=n_values - 1, description="a (first)")
        self.b = widgets.IntSlider(value=b, min=0, max=n_values - 1, description="b (second)")
        self.output = widgets.Output()
        self._draw = plot_head_maps
        self.state: dict = {}
        controls = [self.heads, self.layout_box, self.a, self.b]
        super().__init__([widgets.HBox(controls[:2]), widgets.HBox(controls[2:]), self.output])
        for control in controls:
            control.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self) -> dict:
        """Recompute the state for the controls' values and redraw; returns the state."""
        self.state = head_viewer_state(
            self.models, self.heads.value, self.a.value, self.b.value, self.layout_box.value
        )
        s = self.state
        figure = self._draw(
            [s["weights"]],
            [s["tokens"]],
            title=f"answer (b - a) mod {self.n_values} = {s['answer']}; the model says "
            f"{s['prediction']} "
            f"({s['confidence']:.0%} sure)",
        )
        with self.output:
            self.output.clear_output(wait=True)
            display(figure)
        plt.close(figure)  # shown through the Output widget only
        return self.state


def head_viewer(models: Mapping[int, TwoValueModel], **kwargs) -> HeadViewer:
    """The Chapter 5 head viewer (needs a live kernel)."""
    return HeadViewer(models, **kwargs)
