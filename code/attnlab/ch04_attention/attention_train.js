// Chapter 4's one-layer attention model (attnlab.ch04_attention.model.OneLayerAttention, without
// position embeddings) in plain JavaScript, forward and backward written out, for training in
// the web book's page (with Chapter 3's copy_train.js). Only the last token's output is read, so
// only its query matters:
//   x_j = E[token_j], q = Wq x_last, k_j = Wk x_j, s_j = q . k_j / sqrt(d), w = softmax(s),
//   mixed = sum_j w_j (Wv x_j) = Wv (sum_j w_j x_j), scores = Wo mixed + bo.
// q . (Wk x_j) is computed as (Wk^T q) . x_j: the same sum, in fewer steps. Weights are laid out
// as PyTorch's (out, in).
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
  // y = W a (W is rows x cols, a has cols entries at offset ao)
  function matvec(W, rows, cols, a, ao, y) {
    for (var i = 0; i < rows; i++) {
      var sum = 0, o = i * cols;
      for (var k = 0; k < cols; k++) sum += W[o + k] * a[ao + k];
      y[i] = sum;
    }
  }
  // y = W^T a
  function matvecT(W, rows, cols, a, y) {
    y.fill(0);
    for (var i = 0; i < rows; i++) {
      var ai = a[i], o = i * cols;
      for (var k = 0; k < cols; k++) y[k] += W[o + k] * ai;
    }
  }
  // the forward pass for example b, into the buffers of `f`
  function one(p, s, contexts, b, f) {
    var E = p["embed.weight"], d = s.d, L = s.L, V = s.V, j, k;
    var q = f.q, u = f.u, sc = f.s, w = f.w, xbar = f.xbar, mixed = f.mixed, scores = f.scores;
    var last = contexts[b * L + L - 1] * d;
    matvec(p["attention.query.weight"], d, d, E, last, q);
    matvecT(p["attention.key.weight"], d, d, q, u);
    var root = Math.sqrt(d), m = -Infinity, z = 0;
    for (j = 0; j < L; j++) {
      var e = contexts[b * L + j] * d, sum = 0;
      for (k = 0; k < d; k++) sum += u[k] * E[e + k];
      sc[j] = sum / root;
      if (sc[j] > m) m = sc[j];
    }
    for (j = 0; j < L; j++) { w[j] = Math.exp(sc[j] - m); z += w[j]; }
    xbar.fill(0);
    for (j = 0; j < L; j++) {
      w[j] /= z;
      var e2 = contexts[b * L + j] * d, wj = w[j];
      for (k = 0; k < d; k++) xbar[k] += wj * E[e2 + k];
    }
    matvec(p["attention.value.weight"], d, d, xbar, 0, mixed);
    var Wo = p["out.weight"], bo = p["out.bias"], so = b * V;
    for (var v = 0; v < V; v++) {
      var acc = bo[v], o = v * d;
      for (k = 0; k < d; k++) acc += Wo[o + k] * mixed[k];
      scores[so + v] = acc;
    }
  }
  function buffers(s, n) {
    return {q: new Float64Array(s.d), u: new Float64Array(s.d), s: new Float64Array(s.L),
            w: new Float64Array(s.L), xbar: new Float64Array(s.d), mixed: new Float64Array(s.d),
            scores: new Float64Array(n * s.V)};
  }
  function forward(p, spec, contexts, n) {
    var s = sizes(spec), f = buffers(s, n);
    for (var b = 0; b < n; b++) one(p, s, contexts, b, f);
    return f.scores;
  }
  // mean cross-entropy of one batch; grads (same keys as p) get its gradient
  function lossAndGrad(p, spec, batch, grads) {
    var s = sizes(spec), n = batch.n, d = s.d, L = s.L, V = s.V, j, k, v;
    NAMES.forEach(function (key) { grads[key].fill(0); });
    var f = buffers(s, n), ds = new Float64Array(V), loss = 0;
    var E = p["embed.weight"], Wq = p["attention.query.weight"], Wk = p["attention.key.weight"];
    var Wv = p["attention.value.weight"], Wo = p["out.weight"];
    var gE = grads["embed.weight"], gWq = grads["attention.query.weight"];
    var gWk = grads["attention.key.weight"], gWv = grads["attention.value.weight"];
    var gWo = grads["out.weight"], gbo = grads["out.bias"];
    var dmixed = new Float64Array(d), dxbar = new Float64Array(d), dw = new Float64Array(L);
    var du = new Float64Array(d), dq = new Float64Array(d), dxq = new Float64Array(d);
    var root = Math.sqrt(d), contexts = batch.contexts;
    var q = f.q, u = f.u, w = f.w, xbar = f.xbar, mixed = f.mixed;
    for (var b = 0; b < n; b++) {  // each example: forward, then backward
      one(p, s, contexts, b, f);
      var c = b * L, so = b * V;
      loss += CopyTrain.crossEntropy(f.scores.subarray(so, so + V),
                                     batch.targets.subarray(b, b + 1), 1, V, ds) / n;
      for (v = 0; v < V; v++) ds[v] /= n;  // the batch's loss is the mean
      dmixed.fill(0);
      for (v = 0; v < V; v++) {  // scores = Wo mixed + bo
        var g = ds[v], o = v * d;
        gbo[v] += g;
        for (k = 0; k < d; k++) {
          gWo[o + k] += g * mixed[k];
          dmixed[k] += g * Wo[o + k];
        }
      }
      for (var i = 0; i < d; i++) {  // mixed = Wv xbar
        var gi = dmixed[i], oi = i * d;
        for (k = 0; k < d; k++) gWv[oi + k] += gi * xbar[k];
      }
      matvecT(Wv, d, d, dmixed, dxbar);
      var wdw = 0;  // xbar = sum_j w_j x_j
      for (j = 0; j < L; j++) {
        var e = contexts[c + j] * d, sum = 0;
        for (k = 0; k < d; k++) {
          sum += dxbar[k] * E[e + k];
          gE[e + k] += w[j] * dxbar[k];
        }
        dw[j] = sum;
        wdw += w[j] * sum;
      }
      du.fill(0);  // w = softmax(s), s_j = u . x_j / sqrt(d), u = Wk^T q
      for (j = 0; j < L; j++) {
        var dsj = w[j] * (dw[j] - wdw) / root, e3 = contexts[c + j] * d;
        for (k = 0; k < d; k++) {
          du[k] += dsj * E[e3 + k];
          gE[e3 + k] += dsj * u[k];
        }
      }
      for (i = 0; i < d; i++) {  // u = Wk^T q: dWk[i][k] = q_i du_k, dq = Wk du
        var qi = q[i], o2 = i * d, acc = 0;
        for (k = 0; k < d; k++) {
          gWk[o2 + k] += qi * du[k];
          acc += Wk[o2 + k] * du[k];
        }
        dq[i] = acc;
      }
      var last = contexts[c + L - 1] * d;  // q = Wq x_last
      for (i = 0; i < d; i++) {
        var o3 = i * d;
        for (k = 0; k < d; k++) gWq[o3 + k] += dq[i] * E[last + k];
      }
      matvecT(Wq, d, d, dq, dxq);
      for (k = 0; k < d; k++) gE[last + k] += dxq[k];
    }
    return loss;
  }

  return {NAMES: NAMES, init: init, forward: forward, lossAndGrad: lossAndGrad};
})();
