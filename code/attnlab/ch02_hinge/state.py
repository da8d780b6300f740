"""The logic behind the live widgets of Chapter 2: plain functions, tested without a browser.

The widgets (``widgets.py``) only wire ipywidgets controls to these functions and redraw; the
explorables and the static figures use the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from attnlab.ch02_hinge.hinge import TARGETS, _numbers, curve_grid, hinge_sum, target_curve
from attnlab.core import validate

BUILDER_START: dict[str, Any] = {
    "bends": [-3.0, -1.5, 1.5, 2.5],
    "slopes": [-0.5, 1.0, -1.0, 0.0],
    "offset": 0.0,
    "target": "sine",
}
"""Where the builder starts: four hinges (the last switched off with slope 0), roughly placed."""


def builder_state(
    bends: Sequence[float],
    slopes: Sequence[float],
    offset: float = 0.0,
    target: str = "sine",
    n_points: int = 121,
) -> dict[str, Any]:
    """Everything the hinge builder draws, for one setting of its sliders (Chapter 2).

    Returns a dict of NumPy arrays and numbers:

    - ``x``: ``n_points`` evenly spaced points across ``X_RANGE`` (ends included)
    - ``target``: the target curve at ``x``; ``target_name``: its name
    - ``hinges``: shape (K, n_points), row k = ``slopes[k] * max(0, x - bends[k])``
    - ``curve``: ``offset + hinges.sum(axis=0)``, the builder's curve
    - ``error``: ``mean((curve - target) ** 2)``, the mean squared error over the points
    - ``bends``, ``slopes``, ``offset``: the settings, as given
    """
    bends_arr = _numbers("bends", bends)
    slopes_arr = _numbers("slopes", slopes)
    validate.one_of("target", target, list(TARGETS))
    x = curve_grid(n_points)
    curve = hinge_sum(x, bends_arr, slopes_arr, offset)  # checks lengths and offset
    goal = target_curve(target, x)
    hinges = slopes_arr[:, None] * np.maximum(0.0, x[None, :] - bends_arr[:, None])
    return {
        "x": x,
        "target": goal,
        "target_name": target,
        "hinges": hinges,
        "curve": curve,
        "error": float(np.mean((curve - goal) ** 2)),
        "bends": bends_arr,
        "slopes": slopes_arr,
        "offset": float(offset),
    }
