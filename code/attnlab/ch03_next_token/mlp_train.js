// Chapter 3's window MLP (attnlab.ch03_next_token.model.WindowMLP) in plain JavaScript, forward
// and backward written out, for training in the web book's page (with copy_train.js).
//   x = the window's embeddings glued end to end (L * d numbers), h = relu(W1 x + b1),
//   scores = W2 h + b2. Weights are laid out as PyTorch's: W1 is (width, L * d), W2 (V, width).
var MlpTrain = (function () {
  "use strict";
  var NAMES = ["embed.weight", "hidden.weight", "hidden.bias", "out.weight", "out.bias"];

  function sizes(spec) {
    var m = spec.models.mlp;
    return {V: spec.task.vocab_size, L: spec.task.context_length, d: m.d_model, H: m.width,
            K: spec.task.context_length * m.d_model};
  }
  function init(spec, r) {
    var s = sizes(spec), T = CopyTrain, p = {};
    p["embed.weight"] = T.normalFill(new Float64Array(s.V * s.d), r, spec.embed_std);
    p["hidden.weight"] = T.uniformFill(new Float64Array(s.H * s.K), r, 1 / Math.sqrt(s.K));
    p["hidden.bias"] = T.uniformFill(new Float64Array(s.H), r, 1 / Math.sqrt(s.K));
    p["out.weight"] = T.uniformFill(new Float64Array(s.V * s.H), r, 1 / Math.sqrt(s.H));
    p["out.bias"] = T.uniformFill(new Float64Array(s.V), r, 1 / Math.sqrt(s.H));
    return p;
  }
  // the forward pass, keeping what the backward pass needs
  function run(p, s, contexts, n) {
    var E = p["embed.weight"], W1 = p["hidden.weight"], b1 = p["hidden.bias"];
    var W2 = p["out.weight"], b2 = p["out.bias"];
    var V = s.V, L = s.L, d = s.d, H = s.H, K = s.K;
    var x = new Float64Array(n * K), h = new Float64Array(n * H), scores = new Float64Array(n * V);
    var on = new Int32Array(H);
    for (var b = 0; b < n; b++) {
      var xo = b * K, ho = b * H, so = b * V, j, k, v;
      for (var l = 0; l < L; l++) {  // embed each token; slot after slot
        var e = contexts[b * L + l] * d, xl = xo + l * d;
        for (k = 0; k < d; k++) x[xl + k] = E[e + k];
      }
      var nOn = 0;
      for (j = 0; j < H; j++) {  // the hinges
        var sum = b1[j], w = j * K;
        for (k = 0; k < K; k++) sum += W1[w + k] * x[xo + k];
        h[ho + j] = sum > 0 ? sum : 0;
        if (sum > 0) on[nOn++] = j;
      }
      for (v = 0; v < V; v++) {  // the scores (a hinge that is off adds 0: skip it)
        var acc = b2[v], w2 = v * H;
        for (var a = 0; a < nOn; a++) acc += W2[w2 + on[a]] * h[ho + on[a]];
        scores[so + v] = acc;
      }
    }
    return {x: x, h: h, scores: scores};
  }
  function forward(p, spec, contexts, n) { return run(p, sizes(spec), contexts, n).scores; }

  // mean cross-entropy of one batch; grads (same keys as p) get its gradient
  function lossAndGrad(p, spec, batch, grads) {
    var s = sizes(spec), n = batch.n, f = run(p, s, batch.contexts, n);
    var V = s.V, L = s.L, d = s.d, H = s.H, K = s.K, x = f.x, h = f.h, contexts = batch.contexts;
    var ds = new Float64Array(n * V);
    var loss = CopyTrain.crossEntropy(f.scores, batch.targets, n, V, ds);
    NAMES.forEach(function (key) { grads[key].fill(0); });
    var W1 = p["hidden.weight"], W2 = p["out.weight"];
    var gE = grads["embed.weight"], gW1 = grads["hidden.weight"], gb1 = grads["hidden.bias"];
    var gW2 = grads["out.weight"], gb2 = grads["out.bias"];
    var dh = new Float64Array(H), dx = new Float64Array(K), on = new Int32Array(H);
    for (var b = 0; b < n; b++) {
      var xo = b * K, ho = b * H, so = b * V, j, k, v;
      var nOn = 0;  // the hinges that are on; the others pass no gradient back
      for (j = 0; j < H; j++) if (h[ho + j] > 0) on[nOn++] = j;
      dh.fill(0);
      for (v = 0; v < V; v++) {  // scores = W2 h + b2
        var g = ds[so + v], w2 = v * H;
        gb2[v] += g;
        for (var a = 0; a < nOn; a++) {
          j = on[a];
          gW2[w2 + j] += g * h[ho + j];
          dh[j] += g * W2[w2 + j];
        }
      }
      dx.fill(0);
      for (a = 0; a < nOn; a++) {  // h = relu(W1 x + b1)
        j = on[a];
        var gj = dh[j], w = j * K;
        gb1[j] += gj;
        for (k = 0; k < K; k++) {
          gW1[w + k] += gj * x[xo + k];
          dx[k] += gj * W1[w + k];
        }
      }
      for (var l = 0; l < L; l++) {  // each slot's embedding gets its part of dx
        var e = contexts[b * L + l] * d, xl = l * d;
        for (k = 0; k < d; k++) gE[e + k] += dx[xl + k];
      }
    }
    return loss;
  }

  return {NAMES: NAMES, init: init, forward: forward, lossAndGrad: lossAndGrad};
})();
