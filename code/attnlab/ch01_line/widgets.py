"""The live widgets of Chapter 1: fit a line by hand, and step through gradient descent.

The logic is in two plain functions, tested without a browser:

- ``line_state(w, b, x, y)``: everything the line fitter shows for one slider setting.
- ``descent_state(path, step)``: where gradient descent stands after ``step`` steps.

The widgets only wire ipywidgets sliders to them and redraw. ``line_state`` is also the
reference for the web book's JavaScript line fitter, so it returns plain, JSON-ready numbers.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from attnlab.ch01_line.line import DescentPath, _xy
from attnlab.ch01_line.state import descent_state, line_state

__all__ = [
    "line_state",
    "descent_state",
    "LineFitter",
    "line_fitter",
    "DescentStepper",
    "descent_stepper",
]


class LineFitter(widgets.VBox):
    """Sliders for ``w`` and ``b``; moving them redraws the line, its residuals and the MSE."""

    def __init__(
        self,
        x: object,
        y: object,
        w: float = 0.0,
        b: float = 60.0,
        w_range: tuple[float, float] = (-5.0, 20.0),
        b_range: tuple[float, float] = (0.0, 100.0),
    ) -> None:
        from attnlab.ch01_line.plots import draw_fit

        self.x, self.y = _xy(x, y)
        self.w_slider = widgets.FloatSlider(
            value=w, min=w_range[0], max=w_range[1], step=0.1, description="w (slope)"
        )
        self.b_slider = widgets.FloatSlider(
            value=b, min=b_range[0], max=b_range[1], step=0.5, description="b (intercept)"
        )
        for slider in (self.w_slider, self.b_slider):
            slider.style.description_width = "90px"
            slider.layout.width = "420px"
        self.output = widgets.Output()
        self._draw = draw_fit
        self.figure = None
        self.state: dict = {}
        super().__init__([self.w_slider, self.b_slider, self.output])
        self.w_slider.observe(self._on_change, names="value")
        self.b_slider.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, _change: dict) -> None:
        self.update()

    def update(self) -> dict:
        """Recompute the state for the sliders' values and redraw; returns the state."""
        self.state = line_state(self.w_slider.value, self.b_slider.value, self.x, self.y)
        if self.figure is not None:
            plt.close(self.figure)
        self.figure = self._draw(self.x, self.y, self.state)
        with self.output:
            self.output.clear_output(wait=True)
            display(self.figure)
        plt.close(self.figure)  # shown through the Output widget only
        return self.state


def line_fitter(x: object, y: object, w: float = 0.0, b: float = 60.0) -> LineFitter:
    """The Chapter 1 widget: fit a line by hand (needs a live kernel)."""
    return LineFitter(x, y, w=w, b=b)


class DescentStepper(widgets.VBox):
    """A step slider over a gradient-descent path: the landscape with the walk so far, and the
    line at that step. Starts at ``step``."""

    def __init__(
        self,
        x: object,
        y: object,
        path: DescentPath,
        w_range: tuple[float, float],
        b_range: tuple[float, float],
        step: int = 0,
    ) -> None:
        from attnlab.ch01_line.plots import draw_descent_step

        self.x, self.y = _xy(x, y)
        descent_state(path, step)  # checks the path and the starting step
        self.path = path
        self.w_range, self.b_range = w_range, b_range
        self.slider = widgets.IntSlider(
            value=step, min=0, max=len(path) - 1, step=1, description="step"
        )
        self.slider.layout.width = "420px"
        self.output = widgets.Output()
        self._draw = draw_descent_step
        self.figure = None
        self.state: dict = {}
        super().__init__([self.slider, self.output])
        self.slider.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self) -> dict:
        """Redraw for the slider's step; returns ``descent_state(path, step)``."""
        self.state = descent_state(self.path, int(self.slider.value))
        if self.figure is not None:
            plt.close(self.figure)
        self.figure = self._draw(
            self.x, self.y, self.path, self.state["step"], self.w_range, self.b_range
        )
        with self.output:
            self.output.clear_output(wait=True)
            display(self.figure)
        plt.close(self.figure)
        return self.state


def descent_stepper(
    x: object,
    y: object,
    path: DescentPath,
    w_range: tuple[float, float],
    b_range: tuple[float, float],
    step: int = 0,
) -> DescentStepper:
    """The Chapter 1 step-through of gradient descent (needs a live kernel)."""
    return DescentStepper(x, y, path, w_range, b_range, step=step)
