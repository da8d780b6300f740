"""Softmax as "winner takes most" (Chapter 4), in the browser: a temperature slider reshapes the
weights that a row of scores turns into, with no kernel.

``weights = softmax(scores / T)``. :func:`reference` computes it with Chapter 4's
:func:`attnlab.ch04_attention.widgets.temperature_state`; the browser tests compare the page with it.
"""

from __future__ import annotations

import math

from IPython.display import HTML

from attnlab.core.explorable import esc, finite_list, frame, range_control, range_spec

KIND = "softmax-temperature"

_SCRIPT = r"""
  function compute(data, c) {
    var t = Math.pow(10, c.log10_t);
    var weights = softmax(data.scores.map(function (s) { return s / t; }));
    return {temperature: t, weights: weights, largest: Math.max.apply(null, weights)};
  }
  function draw(root, data, c, out) {
    var svg = root.querySelector("svg.ax-plot"); clear(svg);
    var n = data.scores.length, w = plotWidth(svg, 600), h = Math.round(w * 0.45) + 30;
    var top = 28, bottom = 46;
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    var slot = (w - 20) / n, bar = Math.min(70, slot * 0.7);
    el("line", {x1: 10, x2: w - 10, y1: h - bottom, y2: h - bottom, stroke: "#888"}, svg);
    out.weights.forEach(function (p, i) {
      var cx = 10 + slot * (i + 0.5), bh = p * (h - top - bottom);
      el("rect", {x: cx - bar / 2, y: h - bottom - bh, width: bar, height: bh,
                  fill: p === out.largest ? "#ff7f0e" : "#1f77b4"}, svg);
      el("text", {x: cx, y: h - bottom - bh - 6, "text-anchor": "middle", "font-size": 13}, svg,
         fmt(p, 3));
      el("text", {x: cx, y: h - bottom + 17, "text-anchor": "middle", "font-size": 13}, svg,
         data.labels[i]);
      el("text", {x: cx, y: h - bottom + 34, "text-anchor": "middle", "font-size": 11,
                  opacity: 0.75}, svg, "score " + fmt(data.scores[i], 2));
    });
    var text = "T = " + fmt(out.temperature, 3) + ": the largest weight is " +
      fmt(out.largest, 3) + " (weights: " + out.weights.map(function (p) { return fmt(p, 3); })
      .join(", ") + ")";
    root.querySelector(".ax-readout").textContent = text;
    root.querySelector("output[data-for=log10_t]").textContent = fmt(out.temperature, 2);
    svg.setAttribute("aria-label", "Bar chart of softmax weights. " + text);
  }
  start(root, compute, draw);
"""


def reference(data: dict, controls: dict) -> dict:
    """What the page must show for the slider value ``log10_t``: Chapter 4's
    :func:`attnlab.ch04_attention.widgets.temperature_state` at ``T = 10 ** log10_t``."""
    from attnlab.ch04_attention.state import temperature_state

    state = temperature_state(data["scores"], 10.0 ** float(controls["log10_t"]))
    return {key: state[key] for key in ("temperature", "weights", "largest")}


def softmax_temperature(
    scores: object,
    labels: list[str] | None = None,
    temperature: float = 1.0,
    temperature_range: tuple[float, float] = (0.05, 20.0),
) -> HTML:
    """Chapter 4's temperature demo as a self-contained web explorable (no kernel needed).

    ``scores``: a row of scores (e.g. one query's dot products); ``labels``: a name per score.
    The slider moves the temperature ``T`` on a log scale across ``temperature_range``;
    the bars show ``softmax(scores / T)``: low T, the winner takes all; high T, all share.
    """
    values = finite_list("scores", scores)
    if labels is None:
        labels = [str(i) for i in range(len(values))]
    if not isinstance(labels, (list, tuple)) or len(labels) != len(values):
        raise ValueError(
            f"labels must be a list of {len(values)} names (one per score), got {labels!r}"
        )
    lo, hi = range_spec("temperature_range", temperature_range)
    t0 = finite_list("temperature", [temperature])[0]
    if lo <= 0 or not lo <= t0 <= hi:
        raise ValueError(
            f"temperature must be positive and inside temperature_range {temperature_range}, got {t0}"
        )
    data = {"scores": values, "labels": [str(label) for label in labels]}
    log_lo, log_hi, log_t0 = math.log10(lo), math.log10(hi), round(math.log10(t0), 2)
    controls = range_control(
        "log10_t",
        "temperature T",
        round(log_lo, 2),
        round(log_hi, 2),
        0.01,
        log_t0,
        shown=f"{10**log_t0:.2f}",
    )
    body = (
        '<svg class="ax-plot" viewBox="0 0 600 300" role="img" '
        'aria-label="Softmax weights as bars"></svg><p class="ax-readout" aria-live="polite"></p>'
    )
    start = reference(data, {"log10_t": log_t0})
    shown = ", ".join(
        f"{esc(label)} {p:.3f}" for label, p in zip(data["labels"], start["weights"], strict=True)
    )
    note = (
        f"Softmax temperature: a slider for T reshapes softmax(scores / T). "
        f"At T = {start['temperature']:.2f} the weights are {shown}."
    )
    return frame(KIND, "Softmax: winner takes most", data, controls, body, _SCRIPT, note)
