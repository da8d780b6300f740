// Chapter 4's one-layer attention model (attnlab.ch04_attention.model.OneLayerAttention, without
// position embeddings) in plain JavaScript, forward and backward written out, for training in
// the web book's page (with Chapter 3's copy_train.js). Only the last token's output is read, so
// only its query matters:
//   x_j = E[token_j], q = Wq x_last, k_j = Wk x_j, s_j = q . k_j / sqrt(d), w = softmax(s),
//   mixed = sum_j w_j (Wv x_j) = Wv (sum_j w_j x_j), scores = Wo mixed + bo.
// q . (Wk x_j) is computed as (Wk^T q) . x_j: the same sum, in fewer steps. Weights are laid out
// as PyTorch's (out, in). The products with a weight matrix are done for the whole batch at once
// (CopyTrain.linear: nn.Linear's product; a weight's transpose is passed where W^T multiplies);
// attention's own sums over the L tokens, example by example.
var AttentionTrain = (function () {
  "use strict";
  var NAMES = ["embed.weight", "attention.query.weight", "attention.key.weight",
               "attention.value.weight", "out.weight", "out.bias"];

  function sizes(spec) {
    return {V: spec.task.vocab_size, L: spec.task.context_length, d: spec.models.attention.d_model};
  }
  function init(spec, r) {
    var s = sizes(spec), T = CopyTrain, p = {}, bound = 1 / Math.sqrt(s.d);
    p["embed.weight"] = T.normalFill(new Float64Array(s.V * s.d), r, spec.embed_std);
    p["attention.query.weight"] = T.uniformFill(new Float64Array(s.d * s.d), r, bound);
    p["attention.key.weight"] = T.uniformFill(new Float64Array(s.d * s.d), r, bound);
    p["attention.value.weight"] = T.uniformFill(new Float64Array(s.d * s.d), r, bound);
    p["out.weight"] = T.uniformFill(new Float64Array(s.V * s.d), r, bound);
    p["out.bias"] = T.uniformFill(new Float64Array(s.V), r, bound);
    return p;
  }
  // the numbers of one pass, made once and used again by every call (no allocation per step);
  // one row per example
  var work = null;
  function buffers(s, n) {
    if (work && work.n >= n && work.V === s.V && work.L === s.L && work.d === s.d) return work;
    var d = s.d, nd = n * d;
    work = {n: n, V: s.V, L: s.L, d: d,
            xq: new Float64Array(nd), q: new Float64Array(nd), u: new Float64Array(nd),
            w: new Float64Array(n * s.L), xbar: new Float64Array(nd), mixed: new Float64Array(nd),
            scores: new Float64Array(n * s.V), dscores: new Float64Array(n * s.V),
            dmixed: new Float64Array(nd), dxbar: new Float64Array(nd), du: new Float64Array(nd),
            dq: new Float64Array(nd), dxq: new Float64Array(nd), dw: new Float64Array(s.L),
            WqT: new Float64Array(d * d), WkT: new Float64Array(d * d),
            WvT: new Float64Array(d * d), WoT: new Float64Array(d * s.V)};
    return work;
  }
  // the forward pass for n examples at once, keeping what the backward pass needs
  function run(p, s, contexts, n) {
    var T = CopyTrain, f = buffers(s, n), E = p["embed.weight"], d = s.d, L = s.L, b, j, k;
    var u = f.u, w = f.w, xbar = f.xbar, root = Math.sqrt(d);
    for (b = 0; b < n; b++) {  // the last token (the marker), whose query is read
      var last = contexts[b * L + L - 1] * d;
      for (k = 0; k < d; k++) f.xq[b * d + k] = E[last + k];
    }
    T.linear(f.xq, n, d, p["attention.query.weight"], d, null, f.q);  // q = Wq x_last
    T.linear(f.q, n, d, T.transpose(p["attention.key.weight"], d, d, f.WkT), d, null, u);  // Wk^T q
    for (b = 0; b < n; b++) {  // each example: s_j = u . x_j / sqrt(d), w = softmax(s), xbar
      var c = b * L, ub = b * d, m = -Infinity, z = 0;
      for (j = 0; j < L; j++) {
        var e = contexts[c + j] * d, sum = 0;
        for (k = 0; k < d; k++) sum += u[ub + k] * E[e + k];
        w[c + j] = sum / root;
        if (w[c + j] > m) m = w[c + j];
      }
      for (j = 0; j < L; j++) { w[c + j] = Math.exp(w[c + j] - m); z += w[c + j]; }
      for (k = 0; k < d; k++) xbar[ub + k] = 0;
      for (j = 0; j < L; j++) {
        w[c + j] /= z;
        var e2 = contexts[c + j] * d, wj = w[c + j];
        for (k = 0; k < d; k++) xbar[ub + k] += wj * E[e2 + k];
      }
    }
    T.linear(xbar, n, d, p["attention.value.weight"], d, null, f.mixed);  // mixed = Wv xbar
    T.linear(f.mixed, n, d, p["out.weight"], s.V, p["out.bias"], f.scores);  // the scores
    return f;
  }
  // the scores of n examples (n x V; overwritten by the next call)
  function forward(p, spec, contexts, n) {
    return run(p, sizes(spec), contexts, n).scores.subarray(0, n * spec.task.vocab_size);
  }
  // mean cross-entropy of one batch; grads (same keys as p) get its gradient
  function lossAndGrad(p, spec, batch, grads) {
    var T = CopyTrain, s = sizes(spec), n = batch.n, d = s.d, L = s.L, V = s.V, b, j, k, v;
    var f = run(p, s, batch.contexts, n), contexts = batch.contexts, root = Math.sqrt(d);
    var loss = T.crossEntropy(f.scores, batch.targets, n, V, f.dscores);
    NAMES.forEach(function (key) { grads[key].fill(0); });
    var E = p["embed.weight"], gE = grads["embed.weight"], ds = f.dscores, gbo = grads["out.bias"];
    var u = f.u, w = f.w, dxbar = f.dxbar, du = f.du, dw = f.dw;
    // scores = Wo mixed + bo
    for (b = 0; b < n; b++) for (v = 0; v < V; v++) gbo[v] += ds[b * V + v];
    T.batchSum(ds, n, V, f.mixed, d, grads["out.weight"]);
    T.linear(ds, n, V, T.transpose(p["out.weight"], V, d, f.WoT), d, null, f.dmixed);
    // mixed = Wv xbar
    T.batchSum(f.dmixed, n, d, f.xbar, d, grads["attention.value.weight"]);
    T.linear(f.dmixed, n, d, T.transpose(p["attention.value.weight"], d, d, f.WvT), d, null,
             dxbar);
    for (b = 0; b < n; b++) {  // each example: xbar = sum_j w_j x_j, w = softmax(s)
      var c = b * L, o = b * d, wdw = 0;
      for (j = 0; j < L; j++) {
        var e = contexts[c + j] * d, sum = 0;
        for (k = 0; k < d; k++) {
          sum += dxbar[o + k] * E[e + k];
          gE[e + k] += w[c + j] * dxbar[o + k];
        }
        dw[j] = sum;
        wdw += w[c + j] * sum;
      }
      for (k = 0; k < d; k++) du[o + k] = 0;  // s_j = u . x_j / sqrt(d)
      for (j = 0; j < L; j++) {
        var dsj = w[c + j] * (dw[j] - wdw) / root, e3 = contexts[c + j] * d;
        for (k = 0; k < d; k++) {
          du[o + k] += dsj * E[e3 + k];
          gE[e3 + k] += dsj * u[o + k];
        }
      }
    }
    // u = Wk^T q: dWk = q^T du (over the batch), dq = Wk du
    T.batchSum(f.q, n, d, du, d, grads["attention.key.weight"]);
    T.linear(du, n, d, p["attention.key.weight"], d, null, f.dq);
    // q = Wq x_last: dWq = dq^T x_last, and the last token's embedding gets Wq^T dq
    T.batchSum(f.dq, n, d, f.xq, d, grads["attention.query.weight"]);
    T.linear(f.dq, n, d, T.transpose(p["attention.query.weight"], d, d, f.WqT), d, null, f.dxq);
    for (b = 0; b < n; b++) {
      var last = contexts[b * L + L - 1] * d;
      for (k = 0; k < d; k++) gE[last + k] += f.dxq[b * d + k];
    }
    return loss;
  }

  return {NAMES: NAMES, init: init, forward: forward, lossAndGrad: lossAndGrad};
})();
