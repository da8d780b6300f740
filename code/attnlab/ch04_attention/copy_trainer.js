  // Chapter 4's copy experiment in the page (attnlab.ch04_attention.copy_trainer). This script
  // runs inside the explorable's frame (root, el, clear, start, ... are the frame's helpers); the
  // training itself runs in a Web Worker made from the worker script embedded next to it, so the
  // page never freezes. data-state: the controls' numbers (checked against Python's reference);
  // data-training: the run (status, step, curves, final accuracies, seconds).
  var MODELS = [["mlp", "window MLP (Chapter 3)"], ["attention", "one attention layer"]];
  var COLORS = {seen: "#1f77b4", heldout: "#ff7f0e"};
  var source = root.querySelector("script.attnlab-x-worker").textContent;
  var url = null, worker = null, training = {status: "idle"}, data = null;

  function choice(c) { return {seed: Math.round(c.seed), split: data.splits[Math.round(c.split)]}; }
  function compute(d, c) {
    data = d;
    var pick = choice(c), t = d.spec.task;
    var seen = CopyTrain.seenTable(d.spec, pick.split, pick.seed), n = 0, perSlot = [];
    for (var s = 0; s < t.n_slots; s++) perSlot.push(0);
    seen.forEach(function (row) {
      row.forEach(function (v, s) { if (v) n++; else perSlot[s]++; });
    });
    return {seed: pick.seed, split: pick.split, seen: n, heldout: t.n_names * t.n_slots - n,
            heldout_per_slot: perSlot};
  }
  function pct(v) { return (100 * v).toFixed(1) + "%"; }
  function setTraining(t) {
    training = t;
    root.setAttribute("data-training", JSON.stringify(t));
    root.querySelector(".ax-train").textContent = t.status === "idle" ? "Train" : "Restart";
    root.querySelector(".ax-stop").disabled = t.status !== "running";
    var text = {idle: "Press Train: both networks learn, here in your browser.",
                running: "Training: step " + t.step + " of " + t.steps + ".",
                stopped: "Stopped at step " + t.step + ". Press Restart to train again.",
                error: "Training failed: " + t.message}[t.status] || "";
    if (t.status === "done") {
      text = "Done in " + t.seconds.toFixed(1) + " s. On fresh examples: " + MODELS.map(
        function (m) {
          var f = t.final[m[0]];
          return m[1] + " " + pct(f.seen) + " seen, " + pct(f.heldout) + " held out";
        }).join("; ") + ".";
    }
    root.querySelector(".ax-status").textContent = text;
    drawCurves();
  }
  function stop() {
    if (worker) { worker.terminate(); worker = null; }
    if (training.status === "running") {
      setTraining(Object.assign({}, training, {status: "stopped"}));
    }
  }
  function train() {
    if (worker) { worker.terminate(); worker = null; }
    var pick = choice(readControls(root)), started = performance.now();
    if (!url) url = URL.createObjectURL(new Blob([source], {type: "text/javascript"}));
    worker = new Worker(url);
    var mine = worker;
    worker.onmessage = function (event) {
      if (worker !== mine) return;
      var m = event.data;
      if (m.type === "error") {
        worker.terminate(); worker = null;
        setTraining({status: "error", message: m.message, seed: pick.seed, split: pick.split});
        return;
      }
      var t = {status: m.type === "done" ? "done" : "running", seed: pick.seed,
               split: pick.split, step: m.step, steps: m.steps, curves: m.curves};
      if (m.type === "done") {
        worker.terminate(); worker = null;
        t.final = m.final;
        t.seconds = (performance.now() - started) / 1000;
        t.worker_seconds = m.seconds;
      }
      setTraining(t);
    };
    worker.postMessage({spec: data.spec, seed: pick.seed, split: pick.split});
    setTraining({status: "running", seed: pick.seed, split: pick.split, step: 0,
                 steps: data.spec.training.steps, curves: null});
  }

  function drawCurves() {
    var svg = root.querySelector("svg.ax-plot");
    clear(svg);
    var w = plotWidth(svg, 720), stacked = w < 560, panelW = stacked ? w : w / 2, h = 240;
    var steps = data.spec.training.steps, curves = training.curves;
    MODELS.forEach(function (m, i) {
      var x0 = (stacked ? 0 : i * panelW) + 44, y0 = (stacked ? i * h : 0) + 24;
      var x1 = (stacked ? 0 : i * panelW) + panelW - 12, y1 = y0 + h - 84;
      var sx = scale(0, steps, x0, x1), sy = scale(0, 1, y1, y0);
      el("text", {x: x0, y: y0 - 8, "font-size": 13, "font-weight": "bold"}, svg, m[1]);
      [0, 0.5, 1].forEach(function (v) {
        el("line", {x1: x0, x2: x1, y1: sy(v), y2: sy(v), stroke: "#888", "stroke-opacity": 0.4},
           svg);
        el("text", {x: x0 - 6, y: sy(v) + 4, "font-size": 11, "text-anchor": "end"}, svg,
           (100 * v) + "%");
      });
      el("text", {x: (x0 + x1) / 2, y: y1 + 28, "font-size": 11, "text-anchor": "middle",
                  opacity: 0.75}, svg, "training step (of " + steps + ")");
      el("text", {x: x0, y: y1 + 14, "font-size": 11, "text-anchor": "middle"}, svg, "0");
      el("text", {x: x1, y: y1 + 14, "font-size": 11, "text-anchor": "middle"}, svg, steps);
      var c = curves && curves[m[0]];
      ["seen", "heldout"].forEach(function (key, k) {
        var lx = x0 + 8 + k * 110, ly = y1 + 44;
        el("line", {x1: lx, x2: lx + 18, y1: ly - 4, y2: ly - 4, stroke: COLORS[key],
                    "stroke-width": 2.5, "stroke-dasharray": key === "seen" ? "" : "5 3"}, svg);
        el("text", {x: lx + 22, y: ly, "font-size": 11}, svg,
           key === "seen" ? "seen" : "held out");
        if (!c || !c.step.length) return;
        var points = c.step.map(function (s, j) { return sx(s) + "," + sy(c[key][j]); });
        el("polyline", {points: points.join(" "), fill: "none", stroke: COLORS[key],
                        "stroke-width": 2.5, "stroke-dasharray": key === "seen" ? "" : "5 3"},
           svg);
      });
    });
    var height = stacked ? 2 * h : h;
    svg.setAttribute("viewBox", "0 0 " + w + " " + height);
    var last = MODELS.map(function (m) {
      var c = curves && curves[m[0]], j = c ? c.step.length - 1 : -1;
      return j < 0 ? m[1] + ": not trained yet" :
        m[1] + " at step " + c.step[j] + ": seen " + pct(c.seen[j]) + ", held out " +
        pct(c.heldout[j]);
    });
    svg.setAttribute("aria-label", "Accuracy on seen and held-out combinations against the " +
                     "training step. " + last.join("; "));
  }

  function draw(r, d, c, out) {
    var pick = choice(c);
    r.querySelector(".ax-readout").textContent = "Seed " + out.seed + ", " + out.split +
      " split: " + out.seen + " (name, slot) combinations seen in training, " + out.heldout +
      " held out (per slot: " + out.heldout_per_slot.join(", ") + ").";
    // new settings: a run under way starts again with them, a finished one is cleared
    if (training.status !== "idle" && (pick.seed !== training.seed || pick.split !== training.split)) {
      if (worker) { train(); return; }
      setTraining({status: "idle"});
      return;
    }
    if (training.status === "idle") setTraining(training); else drawCurves();
  }

  root.querySelector(".ax-train").addEventListener("click", train);
  root.querySelector(".ax-stop").addEventListener("click", stop);
  start(root, compute, draw);
