"""The head viewer of Chapter 5: pick a head count, two numbers and where they sit, and see
where each head of a trained model looks.

The logic is two plain functions, :func:`head_maps` and :func:`head_viewer_state`, tested
without a browser; their answers are plain lists and numbers (easy to export). The widget only
wires a dropdown and sliders to them and redraws.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from attnlab.ch05_multi_head.state import LAYOUTS, head_maps, head_viewer_state
from attnlab.ch05_multi_head.two_value import TwoValueModel

__all__ = ["LAYOUTS", "head_maps", "head_viewer_state", "HeadViewer", "head_viewer"]


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
        from attnlab.ch05_multi_head.plots import plot_head_maps

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
