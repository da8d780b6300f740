// Chapter 7's TinyGPT (attnlab.ch07_name.model.TinyGPT) in plain JavaScript, forward only, for
// the web book: the page runs the model the book trained. The sizes, the names and shapes of the
// weights, and the weights themselves (float16, base64) come from Python
// (attnlab.ch07_name.explorable.model_spec). Read it beside model.py:
//   x = token_embedding[id] + position_embedding[position]          the residual stream
//   each block: x += attention(LayerNorm1(x)), causal, n_heads heads
//               x += W2 relu(W1 LayerNorm2(x) + b1) + b2
//   scores = unembed(LayerNorm(x))
// Weights are laid out as PyTorch's (out, in); the arithmetic is in float64.
var TinyGpt = (function () {
  "use strict";

  // one IEEE float16 (as 16 bits) -> a number
  function half(bits) {
    var sign = bits & 0x8000 ? -1 : 1, exp = (bits >> 10) & 0x1f, frac = bits & 0x3ff;
    if (exp === 0) return sign * frac * Math.pow(2, -24);
    if (exp === 31) return frac ? NaN : sign * Infinity;
    return sign * (1 + frac / 1024) * Math.pow(2, exp - 15);
  }
  function decode(base64) {
    var raw = atob(base64), n = raw.length / 2, out = new Float64Array(n);
    for (var i = 0; i < n; i++) out[i] = half(raw.charCodeAt(2 * i) | (raw.charCodeAt(2 * i + 1) << 8));
    return out;
  }

  // spec: {config: {vocab_size, context_length, d_model, n_heads, n_layers, width},
  //        tensors: [[name, shape], ...], weights: base64 of every tensor's float16s, in order}
  function load(spec) {
    var all = decode(spec.weights), p = {}, at = 0;
    spec.tensors.forEach(function (t) {
      var n = t[1].reduce(function (a, b) { return a * b; }, 1);
      p[t[0]] = all.subarray(at, at + n);
      at += n;
    });
    if (at !== all.length) throw new Error("the weights hold " + all.length + " numbers, not " + at);
    return {config: spec.config, p: p};
  }

  function layerNorm(x, L, d, w, b) {  // each row to mean 0, spread 1; then * w + b
    var out = new Float64Array(L * d);
    for (var l = 0; l < L; l++) {
      var o = l * d, mean = 0, v = 0, k;
      for (k = 0; k < d; k++) mean += x[o + k];
      mean /= d;
      for (k = 0; k < d; k++) v += (x[o + k] - mean) * (x[o + k] - mean);
      var inv = 1 / Math.sqrt(v / d + 1e-5);
      for (k = 0; k < d; k++) out[o + k] = (x[o + k] - mean) * inv * w[k] + b[k];
    }
    return out;
  }
  function linear(x, L, nIn, W, bias, nOut) {  // every row: W x + bias
    var out = new Float64Array(L * nOut);
    for (var l = 0; l < L; l++) {
      for (var o = 0; o < nOut; o++) {
        var sum = bias[o], r = o * nIn, c = l * nIn;
        for (var k = 0; k < nIn; k++) sum += W[r + k] * x[c + k];
        out[l * nOut + o] = sum;
      }
    }
    return out;
  }

  // ids: at most context_length token ids. Returns {scores: the next-token scores (every
  // position's, L x V, with options.all; else the last position's), attention: per layer, per
  // head, the L x L weights (row i: where token i looks)}.
  function forward(model, ids, options) {
    var c = model.config, p = model.p, L = ids.length, d = c.d_model, H = c.n_heads;
    var dh = d / H, V = c.vocab_size, all = options && options.all;
    if (!L || L > c.context_length) {
      throw new Error("TinyGPT reads 1 to " + c.context_length + " tokens, got " + L);
    }
    var x = new Float64Array(L * d), te = p["token_embedding.weight"];
    var pe = p["position_embedding.weight"], l, k, i, j;
    for (l = 0; l < L; l++) {
      if (!(ids[l] >= 0 && ids[l] < V)) throw new Error("token id out of range: " + ids[l]);
      for (k = 0; k < d; k++) x[l * d + k] = te[ids[l] * d + k] + pe[l * d + k];
    }
    var attention = [];
    for (var b = 0; b < c.n_layers; b++) {
      var pre = "blocks." + b + ".", at = pre + "attention.";
      var h = layerNorm(x, L, d, p[pre + "norm1.weight"], p[pre + "norm1.bias"]);
      var q = linear(h, L, d, p[at + "query.weight"], p[at + "query.bias"], d);
      var kk = linear(h, L, d, p[at + "key.weight"], p[at + "key.bias"], d);
      var v = linear(h, L, d, p[at + "value.weight"], p[at + "value.bias"], d);
      var merged = new Float64Array(L * d), heads = [], root = Math.sqrt(dh);
      for (var hd = 0; hd < H; hd++) {  // head hd: features hd*dh .. (hd+1)*dh - 1
        var w = new Float64Array(L * L), f = hd * dh;
        for (i = 0; i < L; i++) {
          var m = -Infinity, z = 0;
          for (j = 0; j <= i; j++) {  // causal: token i sees tokens 0..i
            var s = 0;
            for (k = 0; k < dh; k++) s += q[i * d + f + k] * kk[j * d + f + k];
            w[i * L + j] = s / root;
            if (w[i * L + j] > m) m = w[i * L + j];
          }
          for (j = 0; j <= i; j++) { w[i * L + j] = Math.exp(w[i * L + j] - m); z += w[i * L + j]; }
          for (j = 0; j <= i; j++) {
            var wij = (w[i * L + j] /= z);
            for (k = 0; k < dh; k++) merged[i * d + f + k] += wij * v[j * d + f + k];
          }
        }
        heads.push(w);
      }
      attention.push(heads);
      var read = linear(merged, L, d, p[at + "out.weight"], p[at + "out.bias"], d);
      for (i = 0; i < L * d; i++) x[i] += read[i];  // attention adds what it gathered
      var h2 = layerNorm(x, L, d, p[pre + "norm2.weight"], p[pre + "norm2.bias"]);
      var hid = linear(h2, L, d, p[pre + "mlp.0.weight"], p[pre + "mlp.0.bias"], c.width);
      for (i = 0; i < hid.length; i++) if (hid[i] < 0) hid[i] = 0;  // ReLU: the hinges
      var back = linear(hid, L, c.width, p[pre + "mlp.2.weight"], p[pre + "mlp.2.bias"], d);
      for (i = 0; i < L * d; i++) x[i] += back[i];  // the MLP adds what it computed
    }
    var rows = all ? x : x.subarray((L - 1) * d, L * d), n = all ? L : 1;
    var normed = layerNorm(rows, n, d, p["norm.weight"], p["norm.bias"]);
    return {scores: linear(normed, n, d, p["unembed.weight"], p["unembed.bias"], V),
            attention: attention};
  }

  function argmax(a) {  // the first of the highest, as torch.argmax
    var best = 0;
    for (var i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
    return best;
  }

  // Greedy writing, as attnlab.ch07_name.experiment.write_name: the model reads the last
  // context_length tokens, writes the likeliest next token, reads again; the first token is the
  // name's first piece, and writing stops at the first token after it that is not a piece that
  // goes on a name (isPiece[id] false). Returns {written: ids, steps: [{window, scores,
  // attention}]}: for each written token, what the model read and computed to write it.
  function writeName(model, ids, isPiece, maxPieces) {
    var window = model.config.context_length, rows = ids.slice(-window), written = [], steps = [];
    if (rows.length !== window) {
      throw new Error("the prompt must hold at least " + window + " tokens (add the lead-in)");
    }
    for (var k = 0; k <= maxPieces; k++) {
      var out = forward(model, rows), token = argmax(out.scores);
      if (k > 0 && !isPiece[token]) break;  // the name has ended
      written.push(token);
      steps.push({window: rows, scores: out.scores, attention: out.attention});
      rows = rows.slice(1).concat([token]);
    }
    return {written: written, steps: steps};
  }

  return {half: half, decode: decode, load: load, forward: forward, argmax: argmax,
          writeName: writeName};
})();
