  // Chapter 7's "try your own name" in the page (attnlab.ch07_name.explorable). This script runs
  // inside the explorable's frame (root, el, clear, start, ... are the frame's helpers), after
  // bpe_tokenizer.js and tinygpt.js. The reader's sentence is cut by Chapter 3's tokenizer, put
  // after the same story text as `python -m attnlab.complete` puts it, and TinyGPT writes the name
  // greedily. data-state: {controls: {step, text}, outputs} (checked against Python's reference);
  // data-timing: how long the last completion took, in ms.
  var box = root.querySelector(".ax-text"), stepControl = root.querySelector("[data-control=step]");
  var tokenizer = null, model = null, tokenBytes = null, cache = {text: null};
  var S = "";  // Python's white space, as a regular-expression class

  function setup(d) {
    tokenizer = BpeTokenizer.make(d.tokenizer);
    model = TinyGpt.load(d.model);
    S = tokenizer.whiteSpace;
    tokenBytes = [];  // every token's bytes, from the merges (for decode)
    for (var i = 0; i < 256; i++) tokenBytes.push([i]);
    d.tokenizer.merges.forEach(function (pair) {
      tokenBytes.push(tokenBytes[pair[0]].concat(tokenBytes[pair[1]]));
    });
  }
  function strip(text) {  // Python's str.strip()
    return text.replace(new RegExp("^[" + S + "]+|[" + S + "]+$", "gu"), "");
  }
  function decode(ids) {  // Python's tokenizer.decode: bytes -> text, broken bytes as U+FFFD
    var bytes = [];
    ids.forEach(function (id) { bytes.push.apply(bytes, tokenBytes[id]); });
    return new TextDecoder("utf-8").decode(new Uint8Array(bytes));
  }
  var unprintable = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
  function pyRepr(s) {  // Python's repr() of a str
    var q = s.indexOf("'") >= 0 && s.indexOf('"') < 0 ? '"' : "'", out = q;
    for (var ch of s) {
      var c = ch.codePointAt(0);
      if (ch === q || ch === "\\") out += "\\" + ch;
      else if (ch === "\t") out += "\\t";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch !== " " && (c < 0x20 || c === 0x7f || unprintable.test(ch))) {
        var hex = c.toString(16);
        out += c < 0x100 ? "\\x" + ("0" + hex).slice(-2) :
          c < 0x10000 ? "\\u" + ("000" + hex).slice(-4) : "\\U" + ("0000000" + hex).slice(-8);
      } else out += ch;
    }
    return out + q;
  }
  // complete.note_for: the name after "called", and the pieces of it never seen in a name
  function noteFor(d, prompt) {
    var m = new RegExp("called( [^" + S + ",.!?]+)", "u").exec(prompt);
    if (!m) return "";
    var pieces = tokenizer.pieces(m[1]);
    var missing = pieces.filter(function (p, k) {
      if (k === 0) return d.first_pieces.indexOf(p) < 0 || d.unseen_first.indexOf(p) >= 0;
      return d.more_pieces.indexOf(p) < 0;
    });
    if (!missing.length) return "";
    return pyRepr(strip(m[1])) + " is made of pieces the model never saw in a name (" +
      missing.map(pyRepr).join(", ") + "); it learned to copy only pieces it met in names, " +
      "so expect it to get this one wrong.";
  }
  // the sentence -> its pieces, what the model writes, every step's attention (cached per text)
  function write(d, text) {
    if (cache.text === text) return cache;
    var t0 = performance.now(), prompt = strip(text), out = {text: text, error: ""};
    if (!prompt) {
      out.error = "Type a sentence first, e.g. " + d.prompt;
    } else {
      var sentence = null;
      try { sentence = tokenizer.encode(" " + prompt); } catch (e) {
        out.error = "Your sentence holds half of a character (a lone surrogate): delete it and " +
          "type the character again.";
      }
      if (sentence && sentence.length > d.max_sentence) {
        out.error = "Your sentence is " + sentence.length + " pieces long; keep it to " +
          d.max_sentence + " pieces or fewer, so the model reads it whole.";
      } else if (sentence) {
        var run = TinyGpt.writeName(model, d.lead_in.concat(sentence), d.is_piece, d.max_pieces);
        out.prompt = prompt;
        out.sentence = sentence;
        out.written = run.written;
        out.steps = run.steps;
        out.note = noteFor(d, prompt);
      }
    }
    out.ms = performance.now() - t0;
    root.setAttribute("data-timing", JSON.stringify({ms: out.ms, text: text}));
    cache = out;
    return out;
  }
  function blank(text, error) {
    return {text: text, error: error, pieces: [], written: [], completion: "", note: "", steps: 0,
            step: 0, tokens: [], rows: [], top: []};
  }
  function compute(d, c) {
    if (!tokenizer) setup(d);
    c.text = box.value;  // the text box is a control too (a string, not a number)
    var w = write(d, c.text);
    if (w.error) return blank(c.text, w.error);
    var n = w.written.length, k = Math.min(Math.max(Math.round(c.step), 1), n);
    var shown = w.sentence.length + k - 1, att = w.steps[k - 1].attention, L = d.model.config.context_length;
    var rows = [], top = [];
    att.forEach(function (layer) {
      layer.forEach(function (head) {
        var r = head.subarray((L - 1) * L, L * L), story = 0, row = [];
        for (var j = 0; j < L - shown; j++) story += r[j];
        row.push(story);
        for (j = L - shown; j < L; j++) row.push(r[j]);
        rows.push(row);
        top.push(TinyGpt.argmax(row));
      });
    });
    var ids = w.sentence.concat(w.written).slice(0, shown);
    var out = blank(c.text, "");
    out.pieces = w.sentence.map(function (id) { return tokenizer.strings[id]; });
    out.written = w.written.map(function (id) { return tokenizer.strings[id]; });
    out.completion = w.prompt + decode(w.written);
    out.note = w.note;
    out.steps = n;
    out.step = k;
    out.tokens = [d.story].concat(ids.map(function (id) { return tokenizer.strings[id]; }));
    out.rows = rows;
    out.top = top;
    return out;
  }

  function chip(parent, text, written) {
    var span = document.createElement("span");
    span.textContent = text.replace(/ /g, "\u2423");  // a visible space
    span.style.cssText = "padding:.05em .4em;border:1px solid #9aa0a6;border-radius:4px;" +
      (written ? "background:#1f77b4;color:#fff;border-color:#1f77b4" : "");
    parent.appendChild(span);
  }
  function heatmap(holder, d, w, out, layer, head, index) {
    var L = d.model.config.context_length, shown = out.tokens.length - 1;
    var m = w.steps[out.step - 1].attention[layer][head], n = shown + 1;
    var fig = document.createElement("figure");
    fig.style.cssText = "margin:0;flex:1 1 40%;min-width:150px;max-width:330px";
    var size = 220, left = 64, topPad = 64, cell = size / n, fs = Math.max(6, Math.min(12, cell * 0.8));
    var svg = el("svg", {viewBox: "0 0 " + (left + size + 8) + " " + (topPad + shown * cell + 8),
                         role: "img"});
    fig.appendChild(svg);
    for (var r = 0; r < shown; r++) {  // rows: the sentence's tokens (and the pieces written)
      var i = L - shown + r, story = 0, j;
      for (j = 0; j < L - shown; j++) story += m[i * L + j];
      var values = [story];
      for (j = L - shown; j < L; j++) values.push(m[i * L + j]);
      values.forEach(function (v, col) {
        if (v < 0.005) return;
        el("rect", {x: left + col * cell, y: topPad + r * cell, width: cell, height: cell,
                    fill: "#1f77b4", "fill-opacity": v.toFixed(3)}, svg);
      });
    }
    el("rect", {x: left, y: topPad + (shown - 1) * cell, width: size, height: cell, fill: "none",
                stroke: "#ff7f0e", "stroke-width": 2}, svg);
    out.tokens.forEach(function (t, col) {
      var tx = left + (col + 0.5) * cell, ty = topPad - 4;
      el("text", {x: tx, y: ty, "font-size": fs, transform: "rotate(-60 " + tx + " " + ty + ")",
                  "font-weight": col === out.top[index] ? "bold" : "normal"}, svg, t);
      if (col > 0) {
        el("text", {x: left - 4, y: topPad + (col - 0.5) * cell + fs / 3, "text-anchor": "end",
                    "font-size": fs, "font-weight": col === shown ? "bold" : "normal"}, svg, t);
      }
    });
    var name = "layer " + (layer + 1) + ", head " + head;
    var cap = document.createElement("figcaption");
    cap.style.cssText = "text-align:center;font-size:.85em";
    cap.textContent = name + ": looks most at '" + out.tokens[out.top[index]] + "' (" +
      fmt(out.rows[index][out.top[index]], 2) + ")";
    svg.setAttribute("aria-label", "Attention weights of " + name + " over " +
                     out.tokens.join(" ") + ". " + cap.textContent);
    fig.appendChild(cap);
    holder.appendChild(fig);
  }
  function draw(r, d, c, out) {
    var w = cache, completion = r.querySelector(".ax-completion");
    var pieces = r.querySelector(".ax-pieces"), honest = r.querySelector(".ax-honest");
    var holder = r.querySelector(".ax-heads");
    clear(pieces);
    holder.textContent = "";
    stepControl.max = Math.max(1, out.steps);
    stepControl.closest("label").style.display = out.error ? "none" : "";
    honest.hidden = !out.note;
    honest.textContent = out.note ? "Note: " + out.note : "";
    if (out.error) {
      completion.textContent = "";
      r.querySelector(".ax-status").textContent = "";
      r.querySelector(".ax-readout").textContent = out.error;
      return;
    }
    completion.textContent = w.prompt;
    var mark = document.createElement("strong");
    mark.textContent = decode(w.written);
    mark.style.color = "#1f77b4";
    completion.appendChild(mark);
    out.pieces.forEach(function (p) { chip(pieces, p, false); });
    out.written.forEach(function (p) { chip(pieces, p, true); });
    r.querySelector("output[data-for=step]").textContent = out.step + " of " + out.steps;
    r.querySelector(".ax-status").textContent = "Written in your browser in " +
      Math.round(w.ms) + " ms by the TinyGPT trained for this page (seed " + d.seed +
      "; it finished " + Math.round(100 * d.heldout) + "% of the chapter's held-out names).";
    w.steps[out.step - 1].attention.forEach(function (layer, l) {
      layer.forEach(function (head, h) { heatmap(holder, d, w, out, l, h, l * layer.length + h); });
    });
    r.querySelector(".ax-readout").textContent = "Step " + out.step + " of " + out.steps +
      ": writing '" + out.written[out.step - 1] + "'. Every head of both layers, one row per " +
      "token; the outlined last row is where the model writes. '" + d.story + "' holds the " +
      "weight on the story text the model read before your sentence.";
  }

  var update = start(root, compute, draw);
  box.addEventListener("input", update);
