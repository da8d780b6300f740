"""The hinge builder (Chapter 2): add hinges, move their bends and slopes, watch the error.

The logic is :func:`builder_state`, a plain function of the slider values, tested without a
browser; :func:`hinge_builder` only wires ipywidgets sliders to it and redraws
:func:`attnlab.ch02_hinge.plots.plot_builder`. The web book ports :func:`builder_state` to JavaScript:
keep it simple and its keys stable.
"""

from __future__ import annotations

from typing import Any

from attnlab.ch02_hinge.hinge import TARGETS, X_RANGE
from attnlab.ch02_hinge.state import BUILDER_START, builder_state
from attnlab.core import validate

__all__ = ["BUILDER_START", "builder_state", "hinge_builder"]


def hinge_builder(n_hinges: int = 4, start: dict[str, Any] | None = None) -> Any:
    """The live hinge builder: one bend slider and one slope slider per hinge, an offset slider
    and a target menu. Needs a running kernel (Chapter 2)."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    from attnlab.ch02_hinge.plots import plot_builder

    n_hinges = validate.positive_int("n_hinges", n_hinges)
    start = dict(BUILDER_START if start is None else start)
    bends = list(start.get("bends", [])) + [0.0] * n_hinges
    slopes = list(start.get("slopes", [])) + [0.0] * n_hinges
    lo, hi = X_RANGE
    style = {"description_width": "70px"}
    bend_sliders = [
        widgets.FloatSlider(
            value=bends[k],
            min=lo,
            max=hi,
            step=0.05,
            description=f"bend {k + 1}",
            style=style,
            continuous_update=True,
        )
        for k in range(n_hinges)
    ]
    slope_sliders = [
        widgets.FloatSlider(
            value=slopes[k], min=-3.0, max=3.0, step=0.05, description=f"slope {k + 1}", style=style
        )
        for k in range(n_hinges)
    ]
    offset = widgets.FloatSlider(
        value=float(start.get("offset", 0.0)),
        min=-1.5,
        max=1.5,
        step=0.05,
        description="offset",
        style=style,
    )
    target = widgets.Dropdown(
        options=list(TARGETS), value=start.get("target", "sine"), description="target", style=style
    )
    out = widgets.Output()

    def redraw(_: object = None) -> None:
        state = builder_state(
            [s.value for s in bend_sliders],
            [s.value for s in slope_sliders],
            offset.value,
            target.value,
        )
        with out:
            out.clear_output(wait=True)
            fig = plot_builder(state)
            display(fig)
            plt.close(fig)

    for control in [*bend_sliders, *slope_sliders, offset, target]:
        control.observe(redraw, names="value")
    redraw()
    rows = [widgets.HBox([b, s]) for b, s in zip(bend_sliders, slope_sliders, strict=True)]
    return widgets.VBox([widgets.HBox([target, offset]), *rows, out])
