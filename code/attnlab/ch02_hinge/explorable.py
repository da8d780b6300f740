"""The hinge builder (Chapter 2), in the browser: add hinges, move their bends and slopes, and
watch their sum approach a target curve, with no kernel.

The curve is :func:`attnlab.ch02_hinge.hinge.hinge_sum`, ``offset + sum_k slopes[k] * max(0, x - bends[k])``
over the first ``n`` hinges, and the error is the mean squared difference from the target on the
same grid (as in :func:`attnlab.ch02_hinge.fit.fit_curve`). :func:`reference` computes both with
``attnlab.ch02_hinge.hinge``; the browser tests compare the page with it.
"""

from __future__ import annotations

from IPython.display import HTML

from attnlab.core.explorable import esc, finite_list, frame, range_control, range_spec
from attnlab.core.explorable_axes import JS_AXES

KIND = "hinge-builder"

_SCRIPT = (
    JS_AXES
    + r"""
  var COLORS = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
                "#7f7f7f"];
  function compute(data, c) {
    var n = Math.round(c.n), parts = [], curve = data.x.map(function () { return c.offset; });
    for (var k = 0; k < n; k++) {
      var bend = c["bend" + k], slope = c["slope" + k];
      var part = data.x.map(function (xi) { return slope * Math.max(0, xi - bend); });
      part.forEach(function (v, i) { curve[i] += v; });
      parts.push(part);
    }
    var mse = curve.reduce(function (s, v, i) {
      var d = v - data.target[i]; return s + d * d; }, 0) / curve.length;
    return {n: n, curve: curve, parts: parts, mse: mse};
  }
  function path(s, xs, ys) {
    return xs.map(function (x, i) { return (i ? "L" : "M") + s.x(x).toFixed(2) + " " +
      s.y(ys[i]).toFixed(2); }).join(" ");
  }
  function draw(root, data, c, out) {
    root.querySelectorAll("[data-hinge]").forEach(function (row) {
      row.hidden = Number(row.getAttribute("data-hinge")) >= out.n;
    });
    var svg = root.querySelector("svg.ax-plot"); clear(svg);
    var W = plotWidth(svg, 600), box = {l: 48, r: 12, t: 12, b: 40, w: W, h: Math.round(W * 0.57)};
    svg.setAttribute("viewBox", "0 0 " + box.w + " " + box.h);
    var s = axes(svg, box, [data.x[0], data.x[data.x.length - 1]], data.y_domain, "x", "y");
    var clipId = root.id + "-clip";
    var cp = el("clipPath", {id: clipId}, el("defs", {}, svg));
    el("rect", {x: box.l, y: box.t, width: box.w - box.l - box.r, height: box.h - box.t - box.b}, cp);
    var g = el("g", {"clip-path": "url(#" + clipId + ")", fill: "none"}, svg);
    el("path", {d: path(s, data.x, data.target), stroke: "#999", "stroke-width": 6,
                "stroke-opacity": 0.5}, g);
    out.parts.forEach(function (part, k) {
      var color = COLORS[k % COLORS.length];
      el("path", {d: path(s, data.x, part), stroke: color, "stroke-width": 1.5,
                  "stroke-dasharray": "5 3"}, g);
      var bx = s.x(c["bend" + k]);
      el("line", {x1: bx, x2: bx, y1: box.h - box.b, y2: box.h - box.b - 10, stroke: color,
                  "stroke-width": 3}, g);
    });
    el("path", {d: path(s, data.x, out.curve), stroke: "#ff7f0e", "stroke-width": 2.5}, g);
    var text = out.n + (out.n === 1 ? " hinge" : " hinges") + ": mean squared error = " +
      fmt(out.mse, 4);
    root.querySelector(".ax-readout").textContent = text;
    svg.setAttribute("aria-label", "The target curve (grey), each hinge (dashed) and their sum " +
      "(orange). " + text);
  }
  start(root, compute, draw);
"""
)


def reference(data: dict, controls: dict) -> dict:
    """What the page must show for the given slider values, computed with ``attnlab.ch02_hinge.hinge``."""
    import numpy as np

    from attnlab.ch02_hinge.hinge import hinge_sum

    n = int(round(controls["n"]))
    bends = [float(controls[f"bend{k}"]) for k in range(n)]
    slopes = [float(controls[f"slope{k}"]) for k in range(n)]
    x = np.asarray(data["x"], dtype=np.float64)
    offset = float(controls["offset"])
    curve = hinge_sum(x, bends, slopes, offset) if n else np.full_like(x, offset)
    parts = [
        hinge_sum(x, [bend], [slope], 0.0).tolist()
        for bend, slope in zip(bends, slopes, strict=True)
    ]
    mse = float(np.mean((curve - np.asarray(data["target"], dtype=np.float64)) ** 2))
    return {"n": n, "curve": curve.tolist(), "parts": parts, "mse": mse}


def hinge_builder(
    x: object,
    target: object,
    bends: object = (),
    slopes: object = (),
    offset: float = 0.0,
    max_hinges: int = 6,
    slope_range: tuple[float, float] = (-4.0, 4.0),
    offset_range: tuple[float, float] = (-2.0, 2.0),
    target_label: str = "the target",
) -> HTML:
    """Chapter 2's hinge builder as a self-contained web explorable (no kernel needed).

    ``x``: the grid (increasing) where the curve is drawn and the error measured, e.g.
    ``attnlab.ch02_hinge.hinge.curve_grid()``; ``target``: the curve to approximate on that grid.
    ``bends``, ``slopes``, ``offset``: the hinges the reader starts with (at most ``max_hinges``;
    the "hinges" slider adds or removes them). Bends range over the grid.
    """
    xs = finite_list("x", x)
    if any(b <= a for a, b in zip(xs[:-1], xs[1:], strict=True)):
        raise ValueError("x must be strictly increasing (a grid)")
    goal = finite_list("target", target, length=len(xs))
    if len(slopes) != len(bends):
        raise ValueError(
            f"bends and slopes must have the same length (one of each per hinge), "
            f"got {len(bends)} and {len(slopes)}"
        )
    bends0 = finite_list("bends", bends) if len(bends) else []
    slopes0 = finite_list("slopes", slopes) if len(slopes) else []
    if isinstance(max_hinges, bool) or not isinstance(max_hinges, int):
        raise TypeError(f"max_hinges must be an int, got {max_hinges!r}")
    if not len(bends0) <= max_hinges <= 8 or max_hinges < 1:
        raise ValueError(
            f"max_hinges must be between len(bends) and 8 (and >= 1), got {max_hinges}"
        )
    s_lo, s_hi = range_spec("slope_range", slope_range)
    o_lo, o_hi = range_spec("offset_range", offset_range)
    offset0 = finite_list("offset", [offset])[0]
    x_lo, x_hi = xs[0], xs[-1]
    for name, values, lo, hi in (("bends", bends0, x_lo, x_hi), ("slopes", slopes0, s_lo, s_hi)):
        if any(not lo <= v <= hi for v in values):
            raise ValueError(f"{name} must lie between {lo} and {hi}, got {values}")
    if not o_lo <= offset0 <= o_hi:
        raise ValueError(f"offset must lie inside offset_range {offset_range}, got {offset0}")
    spread = max(goal) - min(goal) or 1.0
    data = {
        "x": xs,
        "target": goal,
        "y_domain": [min(goal) - 0.6 * spread, max(goal) + 0.6 * spread],
    }
    # hinges the reader has not added yet wait, spread over the window, with slope 0
    spare = [x_lo + (x_hi - x_lo) * (k + 1) / (max_hinges + 1) for k in range(max_hinges)]
    bend_step = (x_hi - x_lo) / 120
    rows = []
    controls0 = {"n": len(bends0), "offset": offset0}
    for k in range(max_hinges):
        bend = bends0[k] if k < len(bends0) else spare[k]
        slope = slopes0[k] if k < len(slopes0) else 0.0
        controls0[f"bend{k}"], controls0[f"slope{k}"] = bend, slope
        rows.append(
            f'<div class="ax-controls" data-hinge="{k}"{" hidden" if k >= len(bends0) else ""}>'
            + range_control(f"bend{k}", f"hinge {k + 1} bend", x_lo, x_hi, bend_step, bend)
            + range_control(f"slope{k}", f"hinge {k + 1} slope", s_lo, s_hi, 0.05, slope)
            + "</div>"
        )
    controls = range_control(
        "n", "hinges", 0, max_hinges, 1, len(bends0), digits=0
    ) + range_control("offset", "offset", o_lo, o_hi, 0.02, offset0)
    body = (
        "".join(rows) + '<svg class="ax-plot" viewBox="0 0 600 340" role="img" '
        f'aria-label="Hinges and their sum against {esc(target_label)}"></svg>'
        '<p class="ax-readout" aria-live="polite"></p>'
    )
    start = reference(data, controls0)
    note = (
        f"Hinge builder: sliders add hinges and move their bends and slopes so that their sum "
        f"follows {esc(target_label)}. At the start, {start['n']} hinge(s) give a mean squared "
        f"error of {start['mse']:.4f}."
    )
    return frame(KIND, f"Build {target_label} from hinges", data, controls, body, _SCRIPT, note)
