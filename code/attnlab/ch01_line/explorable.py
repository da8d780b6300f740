"""The line fitter (Chapter 1), in the browser: sliders for ``w`` and ``b`` redraw the line, the
residuals and the mean squared error, with no kernel.

The numbers are those of :func:`attnlab.ch01_line.widgets.line_state`; :func:`reference` calls it, and
the browser tests compare the page's numbers with it.
"""

from __future__ import annotations

from IPython.display import HTML

from attnlab.core.explorable import esc, finite_list, frame, range_control, range_spec
from attnlab.core.explorable_axes import JS_AXES

KIND = "line-fitter"

_SCRIPT = (
    JS_AXES
    + r"""
  function compute(data, c) {
    var predictions = data.x.map(function (xi) { return c.w * xi + c.b; });
    var residuals = data.y.map(function (yi, i) { return yi - predictions[i]; });
    var mse = residuals.reduce(function (s, r) { return s + r * r; }, 0) / residuals.length;
    var lo = Math.min.apply(null, data.x), hi = Math.max.apply(null, data.x);
    return {w: c.w, b: c.b, line_x: [lo, hi], line_y: [c.w * lo + c.b, c.w * hi + c.b],
            predictions: predictions, residuals: residuals, mse: mse};
  }
  function draw(root, data, c, out) {
    var svg = root.querySelector("svg.ax-plot"); clear(svg);
    var W = plotWidth(svg, 600), box = {l: 52, r: 12, t: 12, b: 40, w: W, h: Math.round(W * 0.57)};
    svg.setAttribute("viewBox", "0 0 " + box.w + " " + box.h);
    var s = axes(svg, box, data.x_domain, data.y_domain, data.x_label, data.y_label);
    var clipId = root.id + "-clip";
    var defs = el("defs", {}, svg), cp = el("clipPath", {id: clipId}, defs);
    el("rect", {x: box.l, y: box.t, width: box.w - box.l - box.r, height: box.h - box.t - box.b}, cp);
    var g = el("g", {"clip-path": "url(#" + clipId + ")"}, svg);
    data.x.forEach(function (xi, i) {
      el("line", {x1: s.x(xi), x2: s.x(xi), y1: s.y(data.y[i]), y2: s.y(out.predictions[i]),
                  stroke: "#d62728", "stroke-width": 1.2, "stroke-dasharray": "3 2"}, g);
    });
    data.x.forEach(function (xi, i) {
      el("circle", {cx: s.x(xi), cy: s.y(data.y[i]), r: 3.5, fill: "#1f77b4"}, g);
    });
    var x0 = data.x_domain[0], x1 = data.x_domain[1];
    el("line", {x1: s.x(x0), x2: s.x(x1), y1: s.y(c.w * x0 + c.b), y2: s.y(c.w * x1 + c.b),
                stroke: "#ff7f0e", "stroke-width": 2.5}, g);
    var text = "w = " + fmt(c.w, 2) + ", b = " + fmt(c.b, 2) + ": mean squared error = " +
      fmt(out.mse, 2);
    if (data.best_mse !== null) text += " (the best line scores " + fmt(data.best_mse, 2) + ")";
    root.querySelector(".ax-readout").textContent = text;
    svg.setAttribute("aria-label", "Scatter plot of the data with the line y = " + fmt(c.w, 2) +
      " x + " + fmt(c.b, 2) + "; red dashes are the residuals. " + text);
  }
  start(root, compute, draw);
"""
)


def reference(data: dict, controls: dict) -> dict:
    """What the page must show for ``controls = {"w": ..., "b": ...}``: ``line_state``'s numbers."""
    import torch

    from attnlab.ch01_line.state import line_state

    x = torch.tensor(data["x"], dtype=torch.float64)
    y = torch.tensor(data["y"], dtype=torch.float64)
    return line_state(float(controls["w"]), float(controls["b"]), x, y)


def line_fitter(
    x: object,
    y: object,
    w: float = 0.0,
    b: float = 60.0,
    w_range: tuple[float, float] = (-5.0, 20.0),
    b_range: tuple[float, float] = (0.0, 100.0),
    x_label: str = "x",
    y_label: str = "y",
    show_best: bool = True,
) -> HTML:
    """Chapter 1's line fitter as a self-contained web explorable (no kernel needed).

    ``x``, ``y``: the data (lists, arrays or 1-D tensors of the same length). ``w``, ``b``: where
    the sliders start; ``w_range``, ``b_range``: how far they go. With ``show_best`` the readout
    also gives the least-squares line's error, for the reader to aim at.
    """
    xs = finite_list("x", x)
    ys = finite_list("y", y, length=len(xs))
    w_lo, w_hi = range_spec("w_range", w_range)
    b_lo, b_hi = range_spec("b_range", b_range)
    w0 = finite_list("w", [w])[0]
    b0 = finite_list("b", [b])[0]
    if not (w_lo <= w0 <= w_hi and b_lo <= b0 <= b_hi):
        raise ValueError(f"w={w0} and b={b0} must lie inside w_range and b_range")
    best_mse = None
    if show_best and len(set(xs)) > 1:
        n = len(xs)
        mx, my = sum(xs) / n, sum(ys) / n
        sxx = sum((xi - mx) ** 2 for xi in xs)
        w_best = sum((xi - mx) * (yi - my) for xi, yi in zip(xs, ys, strict=True)) / sxx
        b_best = my - w_best * mx
        best_mse = sum((yi - w_best * xi - b_best) ** 2 for xi, yi in zip(xs, ys, strict=True)) / n
    pad_x = 0.05 * (max(xs) - min(xs) or 1.0)
    pad_y = 0.1 * (max(ys) - min(ys) or 1.0)
    data = {
        "x": xs,
        "y": ys,
        "x_domain": [min(xs) - pad_x, max(xs) + pad_x],
        "y_domain": [min(ys) - pad_y, max(ys) + pad_y],
        "x_label": x_label,
        "y_label": y_label,
        "best_mse": best_mse,
    }
    start = reference(data, {"w": w0, "b": b0})
    w_step = (w_hi - w_lo) / 250
    b_step = (b_hi - b_lo) / 200
    controls = range_control("w", "w (slope)", w_lo, w_hi, w_step, w0) + range_control(
        "b", "b (intercept)", b_lo, b_hi, b_step, b0
    )
    body = (
        f'<svg class="ax-plot" viewBox="0 0 600 340" role="img" '
        f'aria-label="{esc(x_label)} against {esc(y_label)} with a line"></svg>'
        '<p class="ax-readout" aria-live="polite"></p>'
    )
    note = (
        f"Line fitter: sliders for w and b move the line through the data and report its mean "
        f"squared error. At the start, w = {w0:g} and b = {b0:g}, the MSE is {start['mse']:.2f}."
    )
    return frame(KIND, "Fit the line by hand", data, controls, body, _SCRIPT, note)
