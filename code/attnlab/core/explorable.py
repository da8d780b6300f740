"""What every explorable shares: unique ids, embedded data, the HTML frame and a little JavaScript.

An explorable is one ``<div>`` that carries everything it needs: its data as JSON (computed in
Python), its controls (``<input type="range">`` / ``<select>`` with ``data-control="name"``), an
SVG it draws into, and one IIFE-wrapped script. No CDN, no require.js, no kernel.

The conventions the browser tests rely on:

- the root element has ``data-attnlab-explorable="<kind>"`` and a unique ``id``;
- ``<script type="application/json" class="attnlab-x-data">`` holds the data;
- after every input the script writes ``data-state`` on the root:
  ``{"controls": {name: number}, "outputs": {...}}``, numbers at full double precision, and
  ``reference(kind, data, controls)`` in :mod:`attnlab.explorables` returns the same outputs;
- without JavaScript the controls stay ``hidden`` and a note with the starting numbers shows.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import numbers
import os
from collections.abc import Callable

from IPython.display import HTML

_counter = itertools.count(1)

#: Set by the book's Sphinx configuration (tools/sphinx_book_fixes.py) while it builds the web book.
BOOK_BUILD_VARIABLE = "ATTNLAB_BOOK_BUILD"


def building_the_book() -> bool:
    """True while the web book is being built (its pages have no Python kernel behind them)."""
    return os.environ.get(BOOK_BUILD_VARIABLE, "") == "1"


def demo(live: Callable[[], object], web: Callable[[], object]) -> object:
    """One demo, shown once, in the medium the reader has (all chapters).

    In Jupyter, Colab or Binder, ``live()``: the ipywidgets version, computed in Python. While the
    web book is built, ``web()``: the explorable, which computes in the reader's browser.
    """
    if not callable(live) or not callable(web):
        raise TypeError("live and web must be functions that build the demo, e.g. lambda: ...")
    return web() if building_the_book() else live()


# Styles scoped to .attnlab-x; repeated in every explorable so each one stands alone (also in
# JupyterLab and Colab). Colours work on light and dark pages; everything shrinks to a phone.
CSS = """
.attnlab-x{border:1px solid #c9ccd1;border-radius:8px;padding:.6em .8em;margin:1em 0;
  max-width:100%;box-sizing:border-box;font-size:.95em;line-height:1.4;overflow:hidden}
.attnlab-x *{box-sizing:border-box}
.attnlab-x .ax-title{font-weight:600;margin:0 0 .3em 0}
.attnlab-x .ax-note{margin:.2em 0;font-size:.9em;opacity:.85}
.attnlab-x .ax-controls{display:flex;flex-wrap:wrap;gap:.3em 1.2em;margin:.3em 0}
.attnlab-x label.ax-control{display:flex;align-items:center;gap:.5em;flex:1 1 16em;min-width:0}
.attnlab-x label.ax-control span.ax-name{flex:0 0 auto;min-width:5.5em}
.attnlab-x label.ax-control input[type=range]{flex:1 1 auto;min-width:6em;width:100%}
.attnlab-x label.ax-control output{flex:0 0 4.2em;text-align:right;font-variant-numeric:tabular-nums}
.attnlab-x select{max-width:100%;min-width:0;flex:1 1 auto;text-overflow:ellipsis}
.attnlab-x svg{display:block;width:100%;height:auto;max-width:720px;margin:.3em auto}
.attnlab-x .ax-readout{font-variant-numeric:tabular-nums;margin:.3em 0;overflow-wrap:anywhere}
.attnlab-x .ax-tokens{display:flex;flex-wrap:wrap;gap:.3em;margin:.3em 0}
.attnlab-x .ax-tokens button{font:inherit;padding:.1em .45em;border:1px solid #9aa0a6;
  border-radius:4px;background:transparent;color:inherit;cursor:pointer}
.attnlab-x .ax-tokens button[aria-pressed=true]{background:#1f77b4;color:#fff;border-color:#1f77b4}
.attnlab-x table.ax-table{border-collapse:collapse;font-variant-numeric:tabular-nums;
  font-size:.9em;margin:.3em 0;display:block;overflow-x:auto;max-width:100%}
.attnlab-x table.ax-table td,.attnlab-x table.ax-table th{padding:.1em .5em;border-bottom:1px solid #ddd;
  text-align:right}
.attnlab-x svg text{fill:currentColor;font-family:sans-serif}
.attnlab-x button.ax-button{font:inherit;padding:.2em .9em;border:1px solid #9aa0a6;
  border-radius:4px;background:transparent;color:inherit;cursor:pointer}
.attnlab-x button.ax-button:disabled{opacity:.5;cursor:default}
"""

# Helpers every explorable's script starts with (inside its IIFE, so nothing leaks).
JS_COMMON = r"""
  var SVGNS = "http://www.w3.org/2000/svg";
  function el(tag, attrs, parent, text) {
    var node = document.createElementNS(SVGNS, tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function fmt(v, digits) { return Number(v).toFixed(digits === undefined ? 3 : digits); }
  function scale(d0, d1, r0, r1) {
    return function (v) { return r0 + (v - d0) * (r1 - r0) / (d1 - d0); };
  }
  function softmax(scores) {
    var m = Math.max.apply(null, scores), e = scores.map(function (s) { return Math.exp(s - m); });
    var z = e.reduce(function (a, b) { return a + b; }, 0);
    return e.map(function (v) { return v / z; });
  }
  // the drawing width in SVG units: the SVG's width on screen (so text keeps its size on a phone)
  function plotWidth(svg, max) {
    var w = svg.getBoundingClientRect().width || max;
    return Math.round(Math.max(300, Math.min(max, w)));
  }
  function dot(a, b) { var s = 0; for (var i = 0; i < a.length; i++) s += a[i] * b[i]; return s; }
  function readControls(root) {
    var c = {};
    root.querySelectorAll("[data-control]").forEach(function (node) {
      c[node.getAttribute("data-control")] = Number(node.value);
    });
    return c;
  }
  function showOutputs(root, controls) {
    root.querySelectorAll("output[data-for]").forEach(function (node) {
      var v = controls[node.getAttribute("data-for")];
      var d = node.getAttribute("data-digits");
      node.textContent = d === null ? String(v) : fmt(v, Number(d));
    });
  }
  // Wire every control to update(); update() returns {outputs}; the state goes on the root.
  function start(root, compute, draw) {
    var data = JSON.parse(root.querySelector("script.attnlab-x-data").textContent);
    function update() {
      var controls = readControls(root);
      var outputs = compute(data, controls);
      root.setAttribute("data-state", JSON.stringify({controls: controls, outputs: outputs}));
      showOutputs(root, controls);
      draw(root, data, controls, outputs);
    }
    root.querySelectorAll("[data-control]").forEach(function (node) {
      node.addEventListener("input", update);
      node.addEventListener("change", update);
    });
    root.querySelectorAll(".ax-nojs").forEach(function (n) { n.hidden = true; });
    root.querySelectorAll(".ax-live").forEach(function (n) { n.hidden = false; });
    var width = root.clientWidth;
    window.addEventListener("resize", function () {
      if (root.clientWidth !== width) { width = root.clientWidth; update(); }
    });
    update();
    return update;
  }
"""


def new_id(kind: str, data: object) -> str:
    """A unique, repeatable element id: the kind, a hash of the data and a running number."""
    digest = hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:8]
    return f"attnlab-{kind}-{digest}-{next(_counter)}"


def json_for_script(data: object) -> str:
    """JSON safe to put inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def esc(text: object) -> str:
    """Escape text for HTML."""
    return html.escape(str(text), quote=True)


def range_control(
    name: str,
    label: str,
    low: float,
    high: float,
    step: float,
    value: float,
    digits: int = 2,
    shown: str | None = None,
) -> str:
    """A labelled slider that reports ``name`` to the script; its value is shown next to it
    (``shown`` replaces the starting value's text, for sliders whose script shows something else)."""
    shown = f"{value:.{digits}f}" if shown is None else shown
    return (
        f'<label class="ax-control"><span class="ax-name">{esc(label)}</span>'
        f'<input type="range" data-control="{esc(name)}" min="{low!r}" max="{high!r}" '
        f'step="{step!r}" value="{value!r}" aria-label="{esc(label)}">'
        f'<output data-for="{esc(name)}" data-digits="{digits}">{esc(shown)}</output></label>'
    )


def select_control(name: str, label: str, options: list[str], value: int = 0) -> str:
    """A labelled drop-down; the script reads the chosen option's index."""
    items = "".join(
        f'<option value="{i}"{" selected" if i == value else ""}>{esc(text)}</option>'
        for i, text in enumerate(options)
    )
    return (
        f'<label class="ax-control"><span class="ax-name">{esc(label)}</span>'
        f'<select data-control="{esc(name)}" aria-label="{esc(label)}">{items}</select></label>'
    )


_WITHOUT_JS = (
    "(This explorable runs in your browser with\nJavaScript, which is switched off here; the figure "
    "above shows the same starting state.)"
)


def frame(
    kind: str,
    title: str,
    data: dict,
    controls_html: str,
    body_html: str,
    script: str,
    static_note: str,
    without_js: str = _WITHOUT_JS,
) -> HTML:
    """Put one explorable together and return it for display in a notebook cell.

    ``static_note`` is what a reader without JavaScript sees instead of the controls: say what the
    explorable would show and give its starting numbers; ``without_js`` (HTML) follows it and says
    why the controls are missing.
    """
    root_id = new_id(kind, data)
    page = f"""<div class="attnlab-x" id="{root_id}" data-attnlab-explorable="{kind}">
<style>{CSS}</style>
<script type="application/json" class="attnlab-x-data">{json_for_script(data)}</script>
<p class="ax-title">{esc(title)}</p>
<div class="ax-nojs"><p class="ax-note">{static_note} {without_js}</p></div>
<div class="ax-live" hidden>
<div class="ax-controls">{controls_html}</div>
{body_html}
</div>
<script>
(function () {{
  "use strict";
  var root = document.getElementById("{root_id}");
  if (!root || root.getAttribute("data-started")) return;
  root.setAttribute("data-started", "1");
{JS_COMMON}
{script}
}})();
</script>
</div>"""
    return HTML(page)


def finite_list(name: str, values: object, length: int | None = None) -> list[float]:
    """A list of finite floats (from a list, array or tensor), optionally of a given length."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().tolist()
    elif hasattr(values, "tolist"):
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be a list, array or tensor of numbers, got {values!r}")
    out = []
    for item in values:
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(f"{name} must hold numbers, got {item!r}")
        if not math.isfinite(float(item)):
            raise ValueError(f"{name} must hold finite numbers, got {item!r}")
        out.append(float(item))
    if not out:
        raise ValueError(f"{name} must not be empty")
    if length is not None and len(out) != length:
        raise ValueError(f"{name} must have {length} entries, got {len(out)}")
    return out


def finite_matrix(name: str, values: object, rows: int | None = None) -> list[list[float]]:
    """A list of equal-length lists of finite floats (a 2-D array, tensor or nested list)."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().tolist()
    elif hasattr(values, "tolist"):
        values = values.tolist()
    if not isinstance(values, (list, tuple)) or not values:
        raise TypeError(f"{name} must be a non-empty 2-D array, tensor or list of lists")
    matrix = [finite_list(f"{name}[{i}]", row) for i, row in enumerate(values)]
    if len({len(row) for row in matrix}) != 1:
        raise ValueError(
            f"{name} must be rectangular, got rows of lengths {[len(r) for r in matrix]}"
        )
    if rows is not None and len(matrix) != rows:
        raise ValueError(f"{name} must have {rows} rows, got {len(matrix)}")
    return matrix


def range_spec(name: str, value: object) -> tuple[float, float]:
    """A pair (low, high) of finite numbers with low < high."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}")
    low, high = finite_list(name, value)
    if not low < high:
        raise ValueError(f"{name} must have low < high, got {value!r}")
    return low, high
