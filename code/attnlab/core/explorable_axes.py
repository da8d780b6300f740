"""JavaScript for simple axes (ticks, labels) shared by the plotting explorables."""

from __future__ import annotations

# Defines axes(svg, box, xs, ys, xLabel, yLabel) -> {x: scale, y: scale}; box = {l, r, t, b, w, h}.
JS_AXES = r"""
  function niceTicks(lo, hi, n) {
    var span = hi - lo, step = Math.pow(10, Math.floor(Math.log10(span / n)));
    [1, 2, 5, 10].some(function (m) { if (span / (step * m) <= n) { step *= m; return true; } });
    var ticks = [], t = Math.ceil(lo / step) * step;
    for (; t <= hi + 1e-9 * span; t += step) ticks.push(Math.abs(t) < 1e-12 ? 0 : t);
    return ticks;
  }
  function axes(svg, box, xd, yd, xLabel, yLabel) {
    var x = scale(xd[0], xd[1], box.l, box.w - box.r), y = scale(yd[0], yd[1], box.h - box.b, box.t);
    var g = el("g", {"font-size": 12, "class": "ax-axes"}, svg);
    el("line", {x1: box.l, x2: box.w - box.r, y1: box.h - box.b, y2: box.h - box.b,
                stroke: "#888"}, g);
    el("line", {x1: box.l, x2: box.l, y1: box.t, y2: box.h - box.b, stroke: "#888"}, g);
    niceTicks(xd[0], xd[1], 6).forEach(function (t) {
      el("line", {x1: x(t), x2: x(t), y1: box.h - box.b, y2: box.h - box.b + 4, stroke: "#888"}, g);
      el("text", {x: x(t), y: box.h - box.b + 16, "text-anchor": "middle"}, g, String(+t.toFixed(6)));
    });
    niceTicks(yd[0], yd[1], 5).forEach(function (t) {
      el("line", {x1: box.l - 4, x2: box.l, y1: y(t), y2: y(t), stroke: "#888"}, g);
      el("line", {x1: box.l, x2: box.w - box.r, y1: y(t), y2: y(t), stroke: "#888",
                  "stroke-opacity": 0.15}, g);
      el("text", {x: box.l - 7, y: y(t) + 4, "text-anchor": "end"}, g, String(+t.toFixed(6)));
    });
    el("text", {x: (box.l + box.w - box.r) / 2, y: box.h - 4, "text-anchor": "middle"}, g, xLabel);
    el("text", {x: 14, y: (box.t + box.h - box.b) / 2, "text-anchor": "middle",
                transform: "rotate(-90 14 " + (box.t + box.h - box.b) / 2 + ")"}, g, yLabel);
    return {x: x, y: y};
  }
"""
