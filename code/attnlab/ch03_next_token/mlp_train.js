// Chapter 3's window MLP (attnlab.ch03_next_token.model.WindowMLP) in plain JavaScript, forward
// and backward written out, for training in the web book's page (with copy_train.js).
//   x = the window's embeddings glued end to end (L * d numbers), h = relu(W1 x + b1),
//   scores = W2 h + b2. Weights are laid out as PyTorch's: W1 is (width, L * d), W2 (V, width).
// Each product is done for the whole batch at once (CopyTrain.linear: nn.Linear's product).
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
  // the numbers of one pass, made once and used again by every call (no allocation per step);
  // one row per example
  var work = null;
  function buffers(s, n) {
    if (work && work.n >= n && work.V === s.V && work.K === s.K && work.H === s.H) return work;
    work = {n: n, V: s.V, K: s.K, H: s.H,
            x: new Float64Array(n * s.K), h: new Float64Array(n * s.H),
            scores: new Float64Array(n * s.V), dscores: new Float64Array(n * s.V),
            dh: new Float64Array(n * s.H), dx: new Float64Array(n * s.K),
            W1T: new Float64Array(s.K * s.H), W2T: new Float64Array(s.H * s.V)};
    return work;
  }
  // the forward pass for n examples at once, keeping what the backward pass needs
  function run(p, s, contexts, n) {
    var T = CopyTrain, f = buffers(s, n), E = p["embed.weight"], x = f.x, h = f.h;
    var L = s.L, d = s.d, H = s.H, K = s.K;
    for (var b = 0; b < n; b++) {  // x: the window's embeddings, slot after slot
      for (var l = 0; l < L; l++) {
        var e = contexts[b * L + l] * d, xl = b * K + l * d;
        for (var k = 0; k < d; k++) x[xl + k] = E[e + k];
      }
    }
    T.linear(x, n, K, p["hidden.weight"], H, p["hidden.bias"], h);  // the hinges
    for (var i = 0; i < n * H; i++) if (!(h[i] > 0)) h[i] = 0;  // relu
    T.linear(h, n, H, p["out.weight"], s.V, p["out.bias"], f.scores);  // the scores
    return f;
  }
  // the scores of n examples (n x V; overwritten by the next call)
  function forward(p, spec, contexts, n) {
    return run(p, sizes(spec), contexts, n).scores.subarray(0, n * spec.task.vocab_size);
  }

  // mean cross-entropy of one batch; grads (same keys as p) get its gradient
  function lossAndGrad(p, spec, batch, grads) {
    var T = CopyTrain, s = sizes(spec), n = batch.n, f = run(p, s, batch.contexts, n);
    var V = s.V, L = s.L, d = s.d, H = s.H, K = s.K, h = f.h, ds = f.dscores, dh = f.dh, b, j, v;
    var loss = T.crossEntropy(f.scores, batch.targets, n, V, ds);
    NAMES.forEach(function (key) { grads[key].fill(0); });
    var gb2 = grads["out.bias"], gb1 = grads["hidden.bias"];
    // scores = W2 h + b2
    for (b = 0; b < n; b++) for (v = 0; v < V; v++) gb2[v] += ds[b * V + v];
    T.batchSum(ds, n, V, h, H, grads["out.weight"]);
    T.linear(ds, n, V, T.transpose(p["out.weight"], V, H, f.W2T), H, null, dh);
    // h = relu(W1 x + b1): a hinge that is off passes no gradient back
    for (var i = 0; i < n * H; i++) if (!(h[i] > 0)) dh[i] = 0;
    for (b = 0; b < n; b++) for (j = 0; j < H; j++) gb1[j] += dh[b * H + j];
    T.batchSum(dh, n, H, f.x, K, grads["hidden.weight"]);
    T.linear(dh, n, H, T.transpose(p["hidden.weight"], H, K, f.W1T), K, null, f.dx);
    var gE = grads["embed.weight"], dx = f.dx, contexts = batch.contexts;
    for (b = 0; b < n; b++) {  // each slot's embedding gets its part of dx
      for (var l = 0; l < L; l++) {
        var e = contexts[b * L + l] * d, xl = b * K + l * d;
        for (var k = 0; k < d; k++) gE[e + k] += dx[xl + k];
      }
    }
    return loss;
  }

  return {NAMES: NAMES, init: init, forward: forward, lossAndGrad: lossAndGrad};
})();
