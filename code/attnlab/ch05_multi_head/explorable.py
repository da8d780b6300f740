"""The head viewer (Chapter 5), in the browser: pick a sequence and a query token, and see where
each attention head looks, one heatmap per head. No kernel.

The weights come from a trained model in Python (e.g. the ``(B, n_heads, L, S)`` weights that
:class:`attnlab.ch05_multi_head.heads.MultiHeadAttention` returns) and are embedded in the page; the page shows,
for the chosen query, each head's row of weights and the token it looks at most.
:func:`reference` reads the same numbers in Python; the browser tests compare.
"""

from __future__ import annotations

from collections.abc import Sequence

from IPython.display import HTML

from attnlab.core.explorable import esc, finite_list, frame, range_control, select_control

KIND = "head-viewer"

_SCRIPT = r"""
  function compute(data, c) {
    var e = data.examples.length > 1 ? Math.round(c.example) : 0;
    var ex = data.examples[e], rowsPerHead = ex.weights[0].length;
    var i = Math.min(Math.round(c.query), rowsPerHead - 1);
    var rows = ex.weights.map(function (head) { return head[i]; });
    var top = rows.map(function (r) {
      var best = 0; r.forEach(function (v, j) { if (v > r[best]) best = j; }); return best; });
    return {example: e, query: i, rows: rows, top: top,
            top_tokens: top.map(function (j) { return ex.tokens[j]; })};
  }
  function draw(root, data, c, out) {
    var ex = data.examples[out.example], n = ex.tokens.length, R = ex.weights[0].length;
    var single = R === 1;  // one query row (e.g. the question mark), not one per token
    var q = root.querySelector("[data-control=query]");
    q.max = R - 1;
    q.closest("label").hidden = single;
    var queryName = single ? data.query_label : ex.tokens[out.query];
    root.querySelector("output[data-for=query]").textContent = queryName;
    var holder = root.querySelector(".ax-heads"); holder.textContent = "";
    var size = 220, left = 64, topPad = 64, cell = size / n;
    out.rows.forEach(function (row, h) {
      var fig = document.createElement("figure");
      fig.style.cssText = "margin:0;flex:1 1 260px;max-width:340px;min-width:0";
      var svg = el("svg", {viewBox: "0 0 " + (left + size + 8) + " " + (topPad + R * cell + 8),
                           role: "img"});
      fig.appendChild(svg);
      ex.weights[h].forEach(function (wr, r) {
        wr.forEach(function (v, j) {
          el("rect", {x: left + j * cell, y: topPad + r * cell, width: cell, height: cell,
                      fill: "#1f77b4", "fill-opacity": v.toFixed(4)}, svg);
        });
      });
      el("rect", {x: left, y: topPad + out.query * cell, width: size, height: cell,
                  fill: "none", stroke: "#ff7f0e", "stroke-width": 2.5}, svg);
      var fs = Math.max(7, Math.min(12, cell * 0.8));
      (single ? [data.query_label] : ex.tokens).forEach(function (t, j) {
        el("text", {x: left - 4, y: topPad + (j + 0.5) * cell + fs / 3, "text-anchor": "end",
                    "font-size": fs, "font-weight": j === out.query ? "bold" : "normal"}, svg, t);
      });
      ex.tokens.forEach(function (t, j) {
        var tx = left + (j + 0.5) * cell, ty = topPad - 4;
        el("text", {x: tx, y: ty, "font-size": fs, transform: "rotate(-60 " + tx + " " + ty + ")",
                    "font-weight": j === out.top[h] ? "bold" : "normal"}, svg, t);
      });
      var cap = document.createElement("figcaption");
      cap.style.cssText = "text-align:center;font-size:.9em";
      var name = data.head_names[h] || "head " + (h + 1);
      cap.textContent = name + ": looks most at '" + out.top_tokens[h] + "' (" +
        fmt(row[out.top[h]], 3) + ")";
      svg.setAttribute("aria-label", "Attention weights of " + name +
        " for the sequence " + ex.tokens.join(" ") + ". " + cap.textContent);
      fig.appendChild(cap);
      holder.appendChild(fig);
    });
    var heads = out.rows.length + (out.rows.length === 1 ? " head" : " heads");
    root.querySelector(".ax-readout").textContent = single ?
      "Query: " + queryName + ". One row of weights per head (" + heads + ")." :
      "Query '" + queryName + "' (position " + (out.query + 1) + " of " + n +
      "), one row of weights per head (" + heads + ").";
  }
  start(root, compute, draw);
"""


def reference(data: dict, controls: dict) -> dict:
    """What the page must show for the chosen example and query: each head's row of weights."""
    e = int(round(controls["example"])) if len(data["examples"]) > 1 else 0
    example = data["examples"][e]
    i = min(int(round(controls["query"])), len(example["weights"][0]) - 1)
    rows = [head[i] for head in example["weights"]]
    top = [max(range(len(r)), key=lambda j, r=r: (r[j], -j)) for r in rows]
    return {
        "example": e,
        "query": i,
        "rows": rows,
        "top": top,
        "top_tokens": [example["tokens"][j] for j in top],
    }


def _plain(value: object) -> object:
    """Nested lists from tensors, arrays and lists of them."""
    if hasattr(value, "detach"):
        value = value.detach().cpu()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _weights(name: str, value: object, length: int) -> list[list[list[float]]]:
    """Per head, the rows of weights: (n_heads, L, L) or, for one query, (n_heads, L)."""
    value = _plain(value)
    if not isinstance(value, list) or not value:
        raise TypeError(f"{name} must be an array of shape (n_heads, L, L) or (n_heads, L)")
    heads = []
    for h, head in enumerate(value):
        if isinstance(head, list) and head and not isinstance(head[0], list):
            head = [head]  # one query row
        if not isinstance(head, list) or len(head) not in (1, length):
            raise ValueError(
                f"{name}[{h}] must have 1 row (one query) or {length} rows (one per token)"
            )
        rows = [finite_list(f"{name}[{h}][{r}]", row, length=length) for r, row in enumerate(head)]
        for r, row in enumerate(rows):
            if any(v < -1e-9 for v in row) or abs(sum(row) - 1.0) > 1e-4:
                raise ValueError(f"{name}[{h}][{r}] must be attention weights (>= 0, sum 1)")
        heads.append(rows)
    if len({len(rows) for rows in heads}) != 1:
        raise ValueError(f"every head of {name} must have the same number of rows")
    return heads


def head_viewer(
    tokens: Sequence[Sequence[str]] | Sequence[str],
    weights: object,
    head_names: Sequence[str] | None = None,
    example_names: Sequence[str] | None = None,
    query_position: int | None = None,
    query_label: str = "the query",
    title: str = "Where each head looks",
    without_js: str | None = None,
) -> HTML:
    """Chapter 5's head viewer (and Chapter 6's layer viewer) as a self-contained web explorable.

    ``tokens``: one sequence (a list of strings) or several. ``weights``: per sequence, every
    head's attention weights, shape ``(n_heads, L, L)`` (one row per query token: the reader
    picks the query) or ``(n_heads, L)`` (a single query, named ``query_label``). Sequences may
    differ in length and in head count. ``head_names`` names the heads ("layer 1", ...).
    ``without_js`` replaces the default note for a reader without JavaScript (which says that the
    figure above shows the same starting state): give it where the figure above shows another one.
    """
    if isinstance(tokens, str) or not isinstance(tokens, Sequence) or not tokens:
        raise TypeError("tokens must be a list of tokens, or a list of such lists")
    several = not isinstance(tokens[0], str)
    sequences = [list(map(str, t)) for t in tokens] if several else [list(map(str, tokens))]
    per_example = list(_plain(weights)) if several else [weights]
    if len(per_example) != len(sequences):
        raise ValueError(f"weights must hold one array per sequence: {len(sequences)} sequences")
    examples = [
        {"tokens": seq, "weights": _weights(f"weights[{e}]", w, len(seq))}
        for e, (seq, w) in enumerate(zip(sequences, per_example, strict=True))
    ]
    most = max(len(ex["weights"]) for ex in examples)
    head_names = [f"head {h + 1}" for h in range(most)] if head_names is None else head_names
    if len(head_names) < most:
        raise ValueError(f"head_names must name all {most} heads, got {len(head_names)}")
    if example_names is None:
        example_names = [" ".join(ex["tokens"]) for ex in examples]
    if len(example_names) != len(examples):
        raise ValueError(f"example_names must name the {len(examples)} sequences")
    rows = len(examples[0]["weights"][0])
    start_at = rows - 1 if query_position is None else query_position
    if isinstance(start_at, bool) or not isinstance(start_at, int) or not 0 <= start_at < rows:
        raise ValueError(f"query_position must be an int between 0 and {rows - 1}")
    data = {
        "examples": examples,
        "head_names": [str(h) for h in head_names],
        "query_label": str(query_label),
    }
    controls = ""
    if len(examples) > 1:
        controls += select_control("example", "sequence", [str(n) for n in example_names])
    first_query = examples[0]["tokens"][start_at] if rows > 1 else query_label
    controls += range_control(
        "query",
        "query token",
        0,
        max(len(ex["weights"][0]) for ex in examples) - 1 or 1,
        1,
        start_at,
        digits=0,
        shown=first_query,
    )
    body = (
        '<div class="ax-heads" style="display:flex;flex-wrap:wrap;gap:.5em"></div>'
        '<p class="ax-readout" aria-live="polite"></p>'
    )
    start = reference(data, {"example": 0, "query": start_at})
    tops = ", ".join(
        f"{esc(name)} on {esc(tok)!r}"
        for name, tok in zip(data["head_names"], start["top_tokens"], strict=False)
    )
    note = (
        f"Head viewer: one heatmap of attention weights per head, for a sequence and query you "
        f"pick. For the query {esc(first_query)!r} of the first sequence the heads look most at: "
        f"{tops}."
    )
    if without_js is None:
        return frame(KIND, title, data, controls, body, _SCRIPT, note)
    if not isinstance(without_js, str) or not without_js.strip():
        raise TypeError("without_js must be a non-empty string (or None for the default note)")
    return frame(KIND, title, data, controls, body, _SCRIPT, note, without_js=esc(without_js))
