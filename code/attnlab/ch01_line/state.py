"""The logic behind the live widgets of Chapter 1: plain functions, tested without a browser.

The widgets (``widgets.py``) only wire ipywidgets controls to these functions and redraw; the
explorables and the static figures use the same functions.
"""

from __future__ import annotations

from attnlab.ch01_line.line import DescentPath, _xy
from attnlab.core import validate


def line_state(w: float, b: float, x: object, y: object) -> dict:
    """Everything the line fitter shows for the line ``y = w*x + b`` on the data ``(x, y)``.

    Returns a dict of plain floats and lists (JSON-ready):

    - ``w``, ``b``: the line's slope and intercept
    - ``line_x``, ``line_y``: the two end points of the drawn line, at ``min(x)`` and ``max(x)``
    - ``predictions``: ``w * x[i] + b`` for every point
    - ``residuals``: ``y[i] - predictions[i]`` (positive: the point lies above the line)
    - ``mse``: the mean of the squared residuals
    """
    w = validate.finite_number("w", w)
    b = validate.finite_number("b", b)
    x, y = _xy(x, y)
    x, y = x.double(), y.double()
    predictions = w * x + b
    residuals = y - predictions
    ends = [float(x.min()), float(x.max())]
    return {
        "w": w,
        "b": b,
        "line_x": ends,
        "line_y": [w * ends[0] + b, w * ends[1] + b],
        "predictions": predictions.tolist(),
        "residuals": residuals.tolist(),
        "mse": float((residuals**2).mean()),
    }


def descent_state(path: DescentPath, step: int) -> dict:
    """Where gradient descent stood after ``step`` steps: ``{"step", "w", "b", "loss"}``."""
    if not isinstance(path, DescentPath):
        raise TypeError(f"path must be a DescentPath, got {type(path).__name__}")
    if isinstance(step, bool) or not isinstance(step, int):
        raise TypeError(f"step must be an int, got {type(step).__name__} {step!r}")
    if not 0 <= step < len(path):
        raise ValueError(f"step must be between 0 and {len(path) - 1}, got {step}")
    return {"step": step, "w": path.w[step], "b": path.b[step], "loss": path.loss[step]}
