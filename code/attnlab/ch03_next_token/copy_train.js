// Chapter 3's copy task and its training loop, in plain JavaScript, for the web book: the page
// trains the chapter's networks itself (in a Web Worker). The task's definition (sizes, which
// (name, slot) combinations are seen) comes from Python as JSON (attnlab.ch04_attention.
// copy_trainer.training_spec); a network is a module with init / lossAndGrad / predict
// (mlp_train.js, Chapter 4's attention_train.js). Adam is PyTorch's, written out.
var CopyTrain = (function () {
  "use strict";

  // ---- random numbers: a small seeded generator (mulberry32), one stream per purpose ----------
  function rng(seed, stream) {
    var a = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca77)) >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function randint(r, n) { return Math.floor(r() * n); }
  function normal(r) {  // Box-Muller
    var u = 1 - r(), v = r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  // PyTorch's start for nn.Linear (weights and biases): uniform in +-1/sqrt(fan_in)
  function uniformFill(a, r, bound) {
    for (var i = 0; i < a.length; i++) a[i] = (2 * r() - 1) * bound;
    return a;
  }
  function normalFill(a, r, std) {
    for (var i = 0; i < a.length; i++) a[i] = std * normal(r);
    return a;
  }

  // ---- the task ------------------------------------------------------------------------------
  // seen[name][slot]: 1 if the combination may appear in training (from Python, per split)
  function seenTable(spec, split, seed) {
    if (split === "systematic") return spec.task.systematic_seen;
    var holes = spec.task.random_holes[seed];
    if (!holes) throw new Error("no random split for seed " + seed);
    return holes.map(function (hole) {
      var row = [];
      for (var s = 0; s < spec.task.n_slots; s++) row.push(s === hole ? 0 : 1);
      return row;
    });
  }
  // all (name, slot) combinations of training (heldout false) or of the held-out test
  function pairs(spec, seen, heldout) {
    var out = [];
    for (var n = 0; n < spec.task.n_names; n++) {
      for (var s = 0; s < spec.task.n_slots; s++) {
        if (Boolean(seen[n][s]) !== heldout) out.push([n, s]);
      }
    }
    return out;
  }
  // n contexts: fillers, the name at its slot, then the marker "is"; the target is the name
  function sample(spec, combos, n, r) {
    var t = spec.task, L = t.context_length;
    var contexts = new Int32Array(n * L), targets = new Int32Array(n);
    for (var b = 0; b < n; b++) {
      var pick = combos[randint(r, combos.length)];
      for (var l = 0; l < L; l++) contexts[b * L + l] = randint(r, t.n_fillers);
      contexts[b * L + L - 1] = t.marker_id;
      targets[b] = pick[0] + t.first_name_id;
      contexts[b * L + pick[1]] = targets[b];
    }
    return {contexts: contexts, targets: targets, n: n};
  }

  // ---- softmax cross-entropy, shared by the networks -------------------------------------------
  // scores (n x V) -> mean loss; if dscores is given, it gets d loss / d scores
  function crossEntropy(scores, targets, n, V, dscores) {
    var loss = 0;
    for (var b = 0; b < n; b++) {
      var o = b * V, m = -Infinity, z = 0, v, e;
      for (v = 0; v < V; v++) if (scores[o + v] > m) m = scores[o + v];
      for (v = 0; v < V; v++) {
        e = Math.exp(scores[o + v] - m);
        z += e;
        if (dscores) dscores[o + v] = e;
      }
      loss += Math.log(z) + m - scores[o + targets[b]];
      if (dscores) {  // softmax minus one-hot, over n (the loss is the batch's mean)
        var scale = 1 / (z * n);
        for (v = 0; v < V; v++) dscores[o + v] *= scale;
        dscores[o + targets[b]] -= 1 / n;
      }
    }
    return loss / n;
  }
  // the fraction of examples whose highest score is the target (in chunks: small buffers)
  function accuracy(model, params, spec, batch) {
    var V = spec.task.vocab_size, L = spec.task.context_length, right = 0, chunk = 100;
    for (var start = 0; start < batch.n; start += chunk) {
      var n = Math.min(chunk, batch.n - start);
      var scores = model.forward(params, spec, batch.contexts.subarray(start * L, (start + n) * L), n);
      for (var b = 0; b < n; b++) {
        var best = 0;
        for (var v = 1; v < V; v++) if (scores[b * V + v] > scores[b * V + best]) best = v;
        if (best === batch.targets[start + b]) right++;
      }
    }
    return right / batch.n;
  }

  // ---- matrix products, shared by the networks (row-major Float64Arrays) --------------------
  // out (n x M) = A (n x K) times W^T, plus bias (M numbers) if one is given: nn.Linear, with W
  // (M x K) laid out as PyTorch's. Each output number is a dot product, summed in the order
  // k = 0, 1, ..., K - 1. Four rows of A and two rows of W are done together: eight sums that do
  // not wait for each other (one running sum makes every addition wait for the one before), and
  // each number read is used two or four times. In V8 this is about four times faster than one
  // sum at a time, and gives exactly the same numbers.
  function linear(A, n, K, W, M, bias, out) {
    var n4 = n - n % 4, M2 = M - M % 2, i, m, k;
    for (i = 0; i < n4; i += 4) {
      var a0 = i * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K, o = i * M;
      for (m = 0; m < M2; m += 2) {
        var w = m * K, v = w + K, c = bias ? bias[m] : 0, e = bias ? bias[m + 1] : 0;
        var s0 = c, s1 = c, s2 = c, s3 = c, t0 = e, t1 = e, t2 = e, t3 = e;
        for (k = 0; k < K; k++) {
          var x0 = A[a0 + k], x1 = A[a1 + k], x2 = A[a2 + k], x3 = A[a3 + k];
          var wk = W[w + k], vk = W[v + k];
          s0 += x0 * wk; s1 += x1 * wk; s2 += x2 * wk; s3 += x3 * wk;
          t0 += x0 * vk; t1 += x1 * vk; t2 += x2 * vk; t3 += x3 * vk;
        }
        out[o + m] = s0; out[o + M + m] = s1; out[o + 2 * M + m] = s2; out[o + 3 * M + m] = s3;
        out[o + m + 1] = t0; out[o + M + m + 1] = t1; out[o + 2 * M + m + 1] = t2;
        out[o + 3 * M + m + 1] = t3;
      }
    }
    // what is left (the last rows of A; W's last row if M is odd): one sum at a time
    for (i = 0; i < n; i++) {
      for (m = i < n4 ? M2 : 0; m < M; m++) {
        var sum = bias ? bias[m] : 0;
        for (k = 0; k < K; k++) sum += A[i * K + k] * W[m * K + k];
        out[i * M + m] = sum;
      }
    }
    return out;
  }
  // WT (cols x rows) = W^T, for W (rows x cols)
  function transpose(W, rows, cols, WT) {
    for (var i = 0; i < rows; i++) {
      for (var k = 0; k < cols; k++) WT[k * rows + i] = W[i * cols + k];
    }
    return WT;
  }
  // G (M x K) = A^T B, for A (n x M) and B (n x K): a weight's gradient, summed over the batch's
  // examples in order (the same sums as adding one example at a time). AT and BT are scratch.
  var AT = new Float64Array(0), BT = new Float64Array(0);
  function batchSum(A, n, M, B, K, G) {
    if (AT.length < n * M) AT = new Float64Array(n * M);
    if (BT.length < n * K) BT = new Float64Array(n * K);
    return linear(transpose(A, n, M, AT), M, n, transpose(B, n, K, BT), K, null, G);
  }

  // ---- Adam, as torch.optim.Adam computes it (no weight decay) ------------------------------
  function adam(params, options) {
    var keys = Object.keys(params), m = {}, v = {}, t = 0;
    keys.forEach(function (k) {
      m[k] = new Float64Array(params[k].length);
      v[k] = new Float64Array(params[k].length);
    });
    return function step(grads) {
      t += 1;
      var b1 = options.betas[0], b2 = options.betas[1], lr = options.lr, eps = options.eps;
      var stepSize = lr / (1 - Math.pow(b1, t)), root2 = Math.sqrt(1 - Math.pow(b2, t));
      for (var n = 0; n < keys.length; n++) {
        var k = keys[n], p = params[k], g = grads[k], mk = m[k], vk = v[k];
        for (var i = 0; i < p.length; i++) {
          mk[i] = b1 * mk[i] + (1 - b1) * g[i];
          vk[i] = b2 * vk[i] + (1 - b2) * g[i] * g[i];
          p[i] -= stepSize * mk[i] / (Math.sqrt(vk[i]) / root2 + eps);
        }
      }
    };
  }
  function zeros(params) {
    var g = {};
    Object.keys(params).forEach(function (k) { g[k] = new Float64Array(params[k].length); });
    return g;
  }

  // ---- training: every network on the same batches, step by step, curves as it goes ---------
  // models: {name: module}; report(message) gets {type: "progress" | "done", ...}
  function train(spec, models, seed, split, report) {
    var tr = spec.training, seen = seenTable(spec, split, seed);
    var seenPairs = pairs(spec, seen, false), heldPairs = pairs(spec, seen, true);
    var data = rng(seed, 1), probe = rng(seed, 2), fresh = rng(seed, 3);
    var probeSeen = sample(spec, seenPairs, tr.eval_size, probe);
    var probeHeld = sample(spec, heldPairs, tr.eval_size, probe);
    var names = Object.keys(models), runs = {};
    names.forEach(function (name, i) {
      var model = models[name], params = model.init(spec, rng(seed, 10 + i));
      var options = {lr: spec.models[name].lr, betas: spec.adam.betas, eps: spec.adam.eps};
      runs[name] = {model: model, params: params, grads: zeros(params), step: adam(params, options),
                    seconds: 0, curves: {step: [], seen: [], heldout: [], loss: []}};
    });
    function record(step) {
      names.forEach(function (name) {
        var run = runs[name], t0 = performance.now();
        run.curves.step.push(step);
        run.curves.seen.push(accuracy(run.model, run.params, spec, probeSeen));
        run.curves.heldout.push(accuracy(run.model, run.params, spec, probeHeld));
        run.seconds += (performance.now() - t0) / 1000;
      });
      report({type: "progress", step: step, steps: tr.steps, curves: curvesOf()});
    }
    function curvesOf() {
      var out = {};
      names.forEach(function (name) { out[name] = runs[name].curves; });
      return out;
    }
    var started = performance.now();
    record(0);
    for (var step = 1; step <= tr.steps; step++) {
      var batch = sample(spec, seenPairs, tr.batch_size, data);
      names.forEach(function (name) {
        var run = runs[name], t0 = performance.now();
        var loss = run.model.lossAndGrad(run.params, spec, batch, run.grads);
        if (!isFinite(loss)) throw new Error(name + ": the loss is not finite at step " + step);
        run.step(run.grads);
        run.seconds += (performance.now() - t0) / 1000;
      });
      if (step % tr.eval_every === 0 || step === tr.steps) record(step);
    }
    // final numbers on fresh examples, never used in training or in the curves
    var finalSeen = sample(spec, seenPairs, tr.eval_size, fresh);
    var finalHeld = sample(spec, heldPairs, tr.eval_size, fresh);
    var final = {};
    names.forEach(function (name) {
      var run = runs[name], t0 = performance.now();
      final[name] = {seen: accuracy(run.model, run.params, spec, finalSeen),
                     heldout: accuracy(run.model, run.params, spec, finalHeld)};
      run.seconds += (performance.now() - t0) / 1000;
      final[name].seconds = run.seconds;
    });
    report({type: "done", step: tr.steps, steps: tr.steps, curves: curvesOf(), final: final,
            seconds: (performance.now() - started) / 1000});
  }

  // Inside a Web Worker: {spec, seed, split} in, progress and the final numbers out.
  function serveWorker(models) {
    self.onmessage = function (event) {
      var d = event.data;
      try {
        train(d.spec, models, d.seed, d.split, function (m) { self.postMessage(m); });
      } catch (error) {
        self.postMessage({type: "error", message: String(error && error.message || error)});
      }
    };
  }

  return {rng: rng, randint: randint, normal: normal, uniformFill: uniformFill,
          normalFill: normalFill, seenTable: seenTable, pairs: pairs, sample: sample,
          crossEntropy: crossEntropy, accuracy: accuracy, linear: linear,
          transpose: transpose, batchSum: batchSum, adam: adam, zeros: zeros, train: train,
          serveWorker: serveWorker};
})();
