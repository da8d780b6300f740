"""The attention explorer (Chapter 4), in the browser: pick the query token of a sentence, see its
scores, its softmax weights and its output; swap a word and watch the weights move. No kernel.

Every word of a small lexicon holds a query ("what I am looking for"), a key ("what I am") and a
value ("what I have to give"). For the query token ``i``: ``scores[j] = q_i · k_j / sqrt(d_k)``,
``weights = softmax(scores)``, ``output = sum_j weights[j] * v_j``. :func:`reference` computes
them with Chapter 4's :func:`attnlab.ch04_attention.widgets.explorer_state` (which calls
:func:`attnlab.ch04_attention.attention.scaled_dot_product_attention`) in float64.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from IPython.display import HTML

from attnlab.core.explorable import (
    esc,
    finite_list,
    finite_matrix,
    frame,
    range_control,
    select_control,
)

KIND = "attention-explorer"

_SCRIPT = r"""
  function sentence(data, c) {
    return data.sentence.map(function (w, p) {
      var alts = data.alternatives[p];
      return alts ? alts[Math.round(c["word" + p])] : w;
    });
  }
  function compute(data, c) {
    var tokens = sentence(data, c), i = Math.round(c.query);
    var q = data.query[data.words.indexOf(tokens[i])], dk = q.length;
    var scores = tokens.map(function (t) {
      return dot(q, data.key[data.words.indexOf(t)]) / Math.sqrt(dk); });
    var weights = softmax(scores);
    var dv = data.value[0].length, output = [];
    for (var d = 0; d < dv; d++) {
      output.push(tokens.reduce(function (s, t, j) {
        return s + weights[j] * data.value[data.words.indexOf(t)][d]; }, 0));
    }
    return {tokens: tokens, query: i, scores: scores, weights: weights, output: output};
  }
  function draw(root, data, c, out) {
    var row = root.querySelector(".ax-tokens"); row.textContent = "";
    out.tokens.forEach(function (t, j) {
      var b = document.createElement("button");
      b.type = "button"; b.textContent = t;
      b.setAttribute("aria-pressed", j === out.query ? "true" : "false");
      b.title = "make '" + t + "' the query";
      b.addEventListener("click", function () {
        var r = root.querySelector("[data-control=query]"); r.value = j;
        r.dispatchEvent(new Event("input"));
      });
      row.appendChild(b);
    });
    var svg = root.querySelector("svg.ax-plot"); clear(svg);
    var n = out.tokens.length, w = plotWidth(svg, 600), top = 22, base = 150, left = 46;
    var slot = (w - left - 10) / n;
    var bar = Math.min(60, slot * 0.7), big = Math.max.apply(null, out.weights);
    // words too long for their slot (a phone) alternate between two rows
    var longest = Math.max.apply(null, out.tokens.map(function (t) { return t.length; }));
    var drop = slot < 7.2 * longest + 4 ? 13 : 0;
    el("line", {x1: left, x2: w - 10, y1: base, y2: base, stroke: "#888"}, svg);
    el("text", {x: 4, y: base - 4, "font-size": 11, opacity: 0.75}, svg, "weight");
    out.weights.forEach(function (p, j) {
      var cx = left + slot * (j + 0.5), bh = p * (base - top);
      el("rect", {x: cx - bar / 2, y: base - bh, width: bar, height: bh,
                  fill: p === big ? "#ff7f0e" : "#1f77b4"}, svg);
      el("text", {x: cx, y: base - bh - 5, "text-anchor": "middle", "font-size": 12}, svg, fmt(p, 2));
      el("text", {x: cx, y: base + 16 + (j % 2) * drop, "text-anchor": "middle", "font-size": 13,
                  "font-weight": j === out.query ? "bold" : "normal"}, svg, out.tokens[j]);
      el("text", {x: cx, y: base + 31 + drop, "text-anchor": "middle", "font-size": 11,
                  opacity: 0.75}, svg, fmt(out.scores[j], 2));
    });
    el("text", {x: 4, y: base + 31 + drop, "font-size": 11, opacity: 0.75}, svg, "score");
    // the output vector, one bar per feature (zero in the middle)
    var y0 = base + 52 + drop, rowH = 18, mid = Math.round(w * 0.6), half = Math.round(w * 0.28);
    var m = Math.max(1e-9, Math.max.apply(null, out.output.map(Math.abs)));
    el("text", {x: 10, y: y0 - 6, "font-size": 12, "font-weight": "bold"}, svg,
       "output for '" + out.tokens[out.query] + "' (the weighted mix of values)");
    out.output.forEach(function (v, d) {
      var y = y0 + d * rowH, len = half * Math.abs(v) / m;
      el("text", {x: 10, y: y + 13, "font-size": 12, "text-anchor": "start"}, svg,
         data.features[d]);
      el("rect", {x: v < 0 ? mid - len : mid, y: y + 3, width: len, height: rowH - 6,
                  fill: v < 0 ? "#d62728" : "#2ca02c"}, svg);
      el("text", {x: mid + half + 4, y: y + 13, "font-size": 12}, svg, fmt(v, 2));
    });
    el("line", {x1: mid, x2: mid, y1: y0, y2: y0 + out.output.length * rowH, stroke: "#888"}, svg);
    svg.setAttribute("viewBox", "0 0 " + w + " " + (y0 + out.output.length * rowH + 6));
    var text = "Query '" + out.tokens[out.query] + "': weights " + out.tokens.map(function (t, j) {
      return t + " " + fmt(out.weights[j], 3); }).join(", ");
    root.querySelector(".ax-readout").textContent = text;
    root.querySelector("output[data-for=query]").textContent = out.tokens[out.query];
    svg.setAttribute("aria-label", "Attention weights of each token, and the output vector. " + text);
  }
  start(root, compute, draw);
"""


def reference(data: dict, controls: dict) -> dict:
    """What the page must show for the chosen query and words: Chapter 4's
    :func:`attnlab.ch04_attention.widgets.explorer_state` (scaled dot-product attention, float64)."""
    from attnlab.ch04_attention.state import explorer_state

    tokens = [
        alts[int(round(controls[f"word{p}"]))] if alts else word
        for p, (word, alts) in enumerate(zip(data["sentence"], data["alternatives"], strict=True))
    ]
    lexicon = {
        word: {part: data[part][row] for part in ("query", "key", "value")}
        for row, word in enumerate(data["words"])
    }
    state = explorer_state(tokens, int(round(controls["query"])), lexicon)
    return {key: state[key] for key in ("tokens", "query", "scores", "weights", "output")}


def lexicon_from_embeddings(
    embeddings: Mapping[str, object], w_query: object, w_key: object, w_value: object
) -> dict[str, dict[str, list[float]]]:
    """Turn word embeddings ``e`` and projections into a lexicon: ``query = e @ w_query`` etc.

    Each ``w_*`` has shape ``(d_model, d_out)``; returns ``{word: {"query", "key", "value"}}``.
    """
    import torch

    out = {}
    mats = {
        name: torch.tensor(finite_matrix(name, m), dtype=torch.float64)
        for name, m in (("w_query", w_query), ("w_key", w_key), ("w_value", w_value))
    }
    for word, vector in embeddings.items():
        e = torch.tensor(finite_list(f"embeddings[{word!r}]", vector), dtype=torch.float64)
        out[word] = {part: (e @ mats[f"w_{part}"]).tolist() for part in ("query", "key", "value")}
    return out


def attention_explorer(
    sentence: Sequence[str],
    lexicon: Mapping[str, Mapping[str, object]],
    alternatives: Mapping[int, Sequence[str]] | None = None,
    features: Sequence[str] | None = None,
    query_position: int | None = None,
) -> HTML:
    """Chapter 4's attention explorer as a self-contained web explorable (no kernel needed).

    ``sentence``: the tokens; ``lexicon``: for every word that can appear, its ``"query"``,
    ``"key"`` (same length, d_k) and ``"value"`` (d_v) vectors; ``alternatives``: for a position,
    the words the reader may swap in (the sentence's own word is added first if missing);
    ``features``: a name per value dimension; ``query_position``: the starting query (the last
    token by default).
    """
    if isinstance(sentence, str) or not isinstance(sentence, Sequence) or not sentence:
        raise TypeError(f"sentence must be a non-empty list of words, got {sentence!r}")
    if not isinstance(lexicon, Mapping) or not lexicon:
        raise TypeError("lexicon must be a non-empty dict {word: {'query', 'key', 'value'}}")
    words = list(lexicon)
    tables: dict[str, list[list[float]]] = {"query": [], "key": [], "value": []}
    for word in words:
        entry = lexicon[word]
        if not isinstance(entry, Mapping) or set(entry) < {"query", "key", "value"}:
            raise ValueError(f"lexicon[{word!r}] must hold 'query', 'key' and 'value' vectors")
        for part in tables:
            tables[part].append(finite_list(f"lexicon[{word!r}][{part!r}]", entry[part]))
    for part in tables:
        finite_matrix(part, tables[part])  # every word's vectors have the same length
    if len(tables["query"][0]) != len(tables["key"][0]):
        raise ValueError("query and key vectors must have the same length d_k")
    alternatives = dict(alternatives or {})
    alts: list[list[str] | None] = []
    for p, word in enumerate(sentence):
        if word not in lexicon:
            raise ValueError(f"sentence[{p}] = {word!r} is not in the lexicon")
        choices = alternatives.pop(p, None)
        if choices is None:
            alts.append(None)
            continue
        choices = [word] + [c for c in choices if c != word]
        missing = [c for c in choices if c not in lexicon]
        if missing:
            raise ValueError(f"alternatives[{p}] has words missing from the lexicon: {missing}")
        alts.append(list(choices))
    if alternatives:
        raise ValueError(f"alternatives has positions outside the sentence: {sorted(alternatives)}")
    d_v = len(tables["value"][0])
    features = [f"v{d}" for d in range(d_v)] if features is None else [str(f) for f in features]
    if len(features) != d_v:
        raise ValueError(f"features must name the {d_v} value dimensions, got {len(features)}")
    last = len(sentence) - 1
    start_at = last if query_position is None else query_position
    if isinstance(start_at, bool) or not isinstance(start_at, int) or not 0 <= start_at <= last:
        raise ValueError(f"query_position must be an int between 0 and {last}, got {start_at!r}")
    data = {
        "words": words,
        **tables,
        "sentence": [str(w) for w in sentence],
        "alternatives": alts,
        "features": features,
    }
    controls = range_control(
        "query", "query token", 0, last, 1, start_at, digits=0, shown=sentence[start_at]
    )
    controls0 = {"query": start_at}
    for p, choices in enumerate(alts):
        if choices:
            controls += select_control(f"word{p}", f"word {p + 1}", choices)
            controls0[f"word{p}"] = 0
    body = (
        '<div class="ax-tokens" role="group" aria-label="pick the query token"></div>'
        '<svg class="ax-plot" viewBox="0 0 600 300" role="img" '
        'aria-label="Attention weights and output"></svg>'
        '<p class="ax-readout" aria-live="polite"></p>'
    )
    start = reference(data, controls0)
    shown = ", ".join(
        f"{esc(t)} {p:.3f}" for t, p in zip(start["tokens"], start["weights"], strict=True)
    )
    note = (
        f"Attention explorer: pick a query token and swap words to see the attention weights "
        f"move. Starting from {esc(sentence[start_at])!r} as the query, the weights are {shown}."
    )
    return frame(KIND, "Explore attention", data, controls, body, _SCRIPT, note)
