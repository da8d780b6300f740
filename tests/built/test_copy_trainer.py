"""Chapter 4's copy experiment trained in the page (attnlab.ch04_attention.copy_trainer), checked
in Chromium against PyTorch. These tests build their own small pages (no book build needed) and
open them from file://, offline.

- the same math: from the same starting weights (exported from PyTorch into the page), the
  JavaScript's scores, loss and every gradient of one batch, and the weights after each of Adam's
  first three steps, match PyTorch (float64 autograd, and the Adam of ``core.training``);
- the same result: trained in the page on three seeds, the MLP copies at most 5% of the held-out
  combinations and attention at least 90%, both get at least 95% of the seen ones; on the random
  holes the MLP passes 90% held out too;
- fast enough: the test prints the default run's time (both networks; its budget is 20 s) and its
  ratio to PyTorch's time for the same steps, measured in this run; neither is asserted (only a
  run three times over the budget fails: something broke);
- the page never freezes: while it trains, a slider and the Stop button answer at once;
- the controls show what ``attnlab.explorables.reference`` computes; no console error, no request
  that leaves the page; without JavaScript, the static note.

Tolerance: a JavaScript number ``js`` matches PyTorch's ``pt`` when
``|js - pt| <= RTOL * (|pt| + FLOOR * max|pt|)``, ``max|pt|`` over the whole tensor (so an exact
zero of PyTorch, an embedding row the batch does not use, may come back as 1e-20). Both sides
compute in float64; the measured worst relative errors are printed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from browser_page import Page

from attnlab.ch03_next_token import copy_experiment
from attnlab.ch03_next_token.copytask import CopyTask
from attnlab.ch03_next_token.model import WindowMLP
from attnlab.ch04_attention import copy_run
from attnlab.ch04_attention.copy_run import AttentionCopyConfig, fair_mlp
from attnlab.ch04_attention.copy_trainer import SPLITS, WORKER_FILES, copy_trainer, training_spec
from attnlab.ch04_attention.model import OneLayerAttention
from attnlab.core.training import _adam, next_token_loss
from attnlab.explorables import reference

RTOL = 1e-5
FLOOR = 1e-6
TIME_BUDGET_S = 20.0  # the default run's budget, reported (a wall-clock time is not asserted)
GROSS_S = 3 * TIME_BUDGET_S  # past this, something is broken, not just a busy machine
SEEDS = (0, 1, 2)
# the page starts its training worker from a blob: URL (conftest's open_page reads this)
PAGE_SCHEMES = ("file:", "blob:")

HARNESS = r"""
function params(obj) {
  var p = {};
  Object.keys(obj).forEach(function (k) { p[k] = Float64Array.from(obj[k]); });
  return p;
}
function lists(p) {
  var out = {};
  Object.keys(p).forEach(function (k) { out[k] = Array.from(p[k]); });
  return out;
}
var NETS = {mlp: MlpTrain, attention: AttentionTrain};
function batchOf(b) {
  return {contexts: Int32Array.from(b.contexts), targets: Int32Array.from(b.targets),
          n: b.targets.length};
}
// one batch: loss, scores and every gradient
window.gradients = function (a) {
  var net = NETS[a.net], p = params(a.params), g = CopyTrain.zeros(p), b = batchOf(a.batch);
  var loss = net.lossAndGrad(p, a.spec, b, g);
  return {loss: loss, scores: Array.from(net.forward(p, a.spec, b.contexts, b.n)),
          grads: lists(g), names: net.NAMES};
};
// Adam: the weights after each step, one batch per step
window.adamSteps = function (a) {
  var net = NETS[a.net], p = params(a.params), g = CopyTrain.zeros(p);
  var step = CopyTrain.adam(p, {lr: a.spec.models[a.net].lr, betas: a.spec.adam.betas,
                                eps: a.spec.adam.eps});
  return a.batches.map(function (b) {
    net.lossAndGrad(p, a.spec, batchOf(b), g);
    step(g);
    return lists(p);
  });
};
// the networks' sizes as the JavaScript starts them
window.startSizes = function (spec) {
  var out = {};
  Object.keys(NETS).forEach(function (k) {
    var p = NETS[k].init(spec, CopyTrain.rng(0, 0)), sizes = {};
    Object.keys(p).forEach(function (name) { sizes[name] = p[name].length; });
    out[k] = sizes;
  });
  return out;
};
"""

_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family:sans-serif;max-width:820px;margin:0 auto;padding:8px">{body}</body></html>
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("copy_trainer")
    modules = "\n".join(path.read_text(encoding="utf-8") for path in WORKER_FILES)
    out = {
        "math": folder / "math.html",
        "explorable": folder / "explorable.html",
    }
    out["math"].write_text(
        _PAGE.format(title="math", body=f"<script>\n{modules}\n{HARNESS}\n</script>"),
        encoding="utf-8",
    )
    out["explorable"].write_text(
        _PAGE.format(title="copy trainer", body=copy_trainer().data), encoding="utf-8"
    )
    return out


# ---- the same math as PyTorch ------------------------------------------------------------------


def _network(name: str, spec: dict, seed: int) -> torch.nn.Module:
    t, m = spec["task"], spec["models"]
    torch.manual_seed(seed)
    if name == "mlp":
        net = WindowMLP(
            t["vocab_size"], t["context_length"], m["mlp"]["d_model"], m["mlp"]["width"]
        )
    else:
        net = OneLayerAttention(t["vocab_size"], t["context_length"], m["attention"]["d_model"])
    return net.double()


def _batch(seed: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return CopyTask().sample(n, torch.Generator().manual_seed(seed))[:2]


def _as_json(contexts: torch.Tensor, targets: torch.Tensor) -> dict:
    return {"contexts": contexts.flatten().tolist(), "targets": targets.tolist()}


def _worst(got: list[float], want: torch.Tensor, where: str) -> float:
    """The worst error in units of the tolerance's denominator; fails past RTOL."""
    want = want.detach().flatten().double()
    got_t = torch.tensor(got, dtype=torch.float64)
    assert got_t.shape == want.shape, f"{where}: {got_t.shape} numbers, PyTorch has {want.shape}"
    error = (got_t - want).abs() / (want.abs() + FLOOR * want.abs().max())
    worst = error.max().item()
    assert worst <= RTOL, f"{where}: relative error {worst:.2e} > {RTOL:g}"
    return worst


@pytest.mark.parametrize("name", ["mlp", "attention"])
def test_forward_and_every_gradient_match_pytorch(open_page, pages, name, capsys):
    spec = training_spec()
    net = _network(name, spec, seed=3)
    contexts, targets = _batch(4, spec["training"]["batch_size"])
    v = open_page(pages["math"])
    start = {k: p.detach().flatten().tolist() for k, p in net.named_parameters()}
    got = v.page.evaluate(
        "a => gradients(a)",
        {"net": name, "spec": spec, "params": start, "batch": _as_json(contexts, targets)},
    )
    scores = net(contexts)
    loss = next_token_loss(net, (contexts, targets))
    loss.backward()
    assert got["names"] == [k for k, _ in net.named_parameters()], "the same weights, in order"
    worst = {
        "scores": _worst(got["scores"], scores, f"{name} scores"),
        "loss": _worst([got["loss"]], loss.reshape(1), f"{name} loss"),
    }
    for key, p in net.named_parameters():
        worst[key] = _worst(got["grads"][key], p.grad, f"{name} d loss / d {key}")
    assert not v.problems, v.problems
    with capsys.disabled():
        print(f"\n{name}: worst relative error, forward and gradients: {max(worst.values()):.1e}")


@pytest.mark.parametrize("name", ["mlp", "attention"])
def test_adams_first_three_updates_match_pytorch(open_page, pages, name, capsys):
    spec = training_spec()
    net = _network(name, spec, seed=5)
    batches = [_batch(10 + i, spec["training"]["batch_size"]) for i in range(3)]
    v = open_page(pages["math"])
    got = v.page.evaluate(
        "a => adamSteps(a)",
        {
            "net": name,
            "spec": spec,
            "params": {k: p.detach().flatten().tolist() for k, p in net.named_parameters()},
            "batches": [_as_json(*b) for b in batches],
        },
    )
    optimizer = _adam(net, spec["models"][name]["lr"], 0.0)  # the experiment's own Adam
    assert list(optimizer.defaults["betas"]) == spec["adam"]["betas"]
    assert optimizer.defaults["eps"] == spec["adam"]["eps"]
    worst = 0.0
    for step, batch in enumerate(batches):
        optimizer.zero_grad()
        next_token_loss(net, batch).backward()
        optimizer.step()
        for key, p in net.named_parameters():
            worst = max(worst, _worst(got[step][key], p, f"{name} {key} after step {step + 1}"))
    assert not v.problems, v.problems
    with capsys.disabled():
        print(f"\n{name}: worst relative error of the weights after 3 Adam steps: {worst:.1e}")


def test_the_javascript_networks_have_pytorchs_sizes(open_page, pages):
    spec = training_spec()
    sizes = open_page(pages["math"]).page.evaluate("s => startSizes(s)", spec)
    for name in ("mlp", "attention"):
        net = _network(name, spec, seed=0)
        assert sizes[name] == {k: p.numel() for k, p in net.named_parameters()}


# ---- training in the page ------------------------------------------------------------------------

_FINISHED = """root => ['done', 'error'].includes(
  JSON.parse(root.getAttribute('data-training') || '{"status": "idle"}').status)"""
_SET = """(el, value) => { el.value = value;
  el.dispatchEvent(new Event('input', {bubbles: true})); return el.value; }"""


def _train_in_page(v: Page, seed: int, split: str) -> dict:
    root = v.page.locator("[data-attnlab-explorable]")
    root.locator("[data-control=seed]").evaluate(_SET, str(seed))
    root.locator("[data-control=split]").select_option(str(SPLITS.index(split)))
    root.locator(".ax-train").click()
    v.page.wait_for_function(
        f"() => ({_FINISHED})(document.querySelector('[data-attnlab-explorable]'))",
        timeout=180_000,
        polling=100,
    )
    run = json.loads(root.get_attribute("data-training"))
    assert run["status"] == "done", run
    assert (run["seed"], run["split"]) == (seed, split)
    return run


def _pytorch_seconds(seed: int, split: str) -> tuple[float, dict]:
    """Both networks of the Python experiment, the same steps, on one thread like the page's
    worker (a short warm-up run first). Its seconds also count the group x slot table."""
    config = AttentionCopyConfig(split=split)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        copy_experiment.run(fair_mlp(AttentionCopyConfig(steps=5)), seed)  # warm up the kernels
        runs = {
            "mlp": copy_experiment.run(fair_mlp(config), seed),
            "attention": copy_run.run(config, seed),
        }
    finally:
        torch.set_num_threads(threads)
    return sum(r.seconds for r in runs.values()), runs


@pytest.mark.parametrize("seed", SEEDS)
def test_training_in_the_page_reproduces_the_experiment(open_page, pages, seed, capsys):
    v = open_page(pages["explorable"])
    run = _train_in_page(v, seed, "systematic")
    final = run["final"]
    python_seconds, python = _pytorch_seconds(seed, "systematic")
    with capsys.disabled():
        print(
            f"\nseed {seed}, systematic: page {run['seconds']:.1f} s (mlp "
            f"{final['mlp']['seconds']:.1f} s, attention {final['attention']['seconds']:.1f} s), "
            f"budget {TIME_BUDGET_S:.0f} s; PyTorch {python_seconds:.1f} s, "
            f"ratio {run['seconds'] / python_seconds:.1f}x; "
            + "; ".join(
                f"{m} seen {final[m]['seen']:.1%} held out {final[m]['heldout']:.1%} "
                f"(PyTorch {python[m].train_accuracy:.1%} / {python[m].heldout_accuracy:.1%})"
                for m in ("mlp", "attention")
            )
        )
    assert final["mlp"]["heldout"] <= 0.05, final
    assert final["attention"]["heldout"] >= 0.90, final
    assert min(final["mlp"]["seen"], final["attention"]["seen"]) >= 0.95, final
    assert run["seconds"] <= GROSS_S, f"the default run took {run['seconds']:.1f} s"
    curves = run["curves"]
    steps = list(range(0, 301, 25))
    assert curves["mlp"]["step"] == curves["attention"]["step"] == steps
    assert not v.problems, v.problems


def test_on_random_holes_the_mlp_copies_too(open_page, pages, capsys):
    v = open_page(pages["explorable"])
    run = _train_in_page(v, 0, "random")
    final = run["final"]
    with capsys.disabled():
        print(f"\nseed 0, random holes: page {run['seconds']:.1f} s; {final}")
    assert final["mlp"]["heldout"] >= 0.90, final
    assert final["attention"]["heldout"] >= 0.90, final
    assert not v.problems, v.problems


def test_a_seed_gives_the_same_run_every_time(open_page, pages):
    spec = training_spec(AttentionCopyConfig(steps=20, eval_every=10, eval_size=200))
    v = open_page(pages["math"])
    runs = [
        v.page.evaluate(
            """([spec, seed]) => { var out = null;
            CopyTrain.train(spec, {mlp: MlpTrain, attention: AttentionTrain}, seed, "systematic",
                            function (m) { if (m.type === "done") out = m.curves; });
            return out; }""",
            [spec, seed],
        )
        for seed in (7, 7, 8)
    ]
    assert runs[0] == runs[1], "one seed, one run"
    assert runs[0] != runs[2], "another seed, another run"


_RUNNING = (
    "() => { var t = JSON.parse(document.querySelector('[data-attnlab-explorable]')"
    ".getAttribute('data-training')); return t.status === 'running' && t.step >= 25; }"
)
# In the page: the longest gap between ticks of a 20 ms timer over one second (a frozen page
# would not tick while the training runs).
_LONGEST_GAP = """() => new Promise(done => {
  var last = performance.now(), longest = 0, t0 = last;
  var timer = setInterval(() => {
    var now = performance.now(); longest = Math.max(longest, now - last); last = now;
    if (now - t0 > 1000) { clearInterval(timer); done(longest); }
  }, 20); })"""
# In the page: move the seed slider, or press Stop, and say how long the page took to answer (ms).
_ANSWER = """([what, value]) => { var root = document.querySelector('[data-attnlab-explorable]');
  var t0 = performance.now();
  if (what === 'seed') { var s = root.querySelector('[data-control=seed]'); s.value = value;
    s.dispatchEvent(new Event('input', {bubbles: true})); }
  else root.querySelector('.ax-stop').click();
  return {ms: performance.now() - t0, state: JSON.parse(root.getAttribute('data-state')),
          training: JSON.parse(root.getAttribute('data-training'))}; }"""


def test_the_page_answers_while_it_trains_and_stops(open_page, pages, capsys):
    v = open_page(pages["explorable"])
    root = v.page.locator("[data-attnlab-explorable]")
    root.locator(".ax-train").click()
    v.page.wait_for_function(_RUNNING, timeout=60_000)
    gap = v.page.evaluate(_LONGEST_GAP)  # the worker trains; the page keeps ticking
    assert gap < 500, f"the page froze for {gap:.0f} ms while training"
    # the seed slider answers at once while the worker trains, and starts a run on that seed
    seed = v.page.evaluate(_ANSWER, ["seed", "4"])
    assert (
        seed["state"]["outputs"]["seed"] == 4
        and "Seed 4" in root.locator(".ax-readout").text_content()
    )
    assert seed["training"]["status"] == "running" and seed["training"]["seed"] == 4
    v.page.wait_for_function(_RUNNING, timeout=60_000)
    stop = v.page.evaluate(_ANSWER, ["stop", None])
    assert stop["training"]["status"] == "stopped", stop["training"]["status"]
    assert max(seed["ms"], stop["ms"]) < 200, (seed["ms"], stop["ms"])
    v.page.wait_for_timeout(1500)
    after = json.loads(root.get_attribute("data-training"))
    assert after["step"] == stop["training"]["step"], "it stopped"
    assert root.locator(".ax-stop").is_disabled()
    root.locator(".ax-train").click()  # a reader's click restarts it
    assert json.loads(root.get_attribute("data-training"))["status"] == "running"
    assert not v.problems, v.problems
    with capsys.disabled():
        print(
            f"\nwhile training: the page's timer never waited more than {gap:.0f} ms; the slider "
            f"answered in {seed['ms']:.1f} ms, Stop in {stop['ms']:.1f} ms"
        )


# ---- the controls, the layout, no JavaScript -----------------------------------------------------


def test_the_controls_show_pythons_numbers(open_page, pages):
    v = open_page(pages["explorable"])
    root = v.page.locator("[data-attnlab-explorable]")
    data = json.loads(root.locator("script.attnlab-x-data").text_content())
    assert data["spec"] == training_spec(), "the page trains the Python experiment's settings"
    seen_texts = set()
    for split in range(len(SPLITS)):
        root.locator("[data-control=split]").select_option(str(split))
        for seed in ("0", "9", "3"):
            root.locator("[data-control=seed]").evaluate(_SET, seed)
            state = json.loads(root.get_attribute("data-state"))
            assert state["outputs"] == reference("copy-trainer", data, state["controls"])
            seen_texts.add(root.locator(".ax-readout").text_content())
    assert len(seen_texts) == 2 * 3, "every control changes what the page shows"
    assert not v.problems, v.problems


@pytest.mark.parametrize("width", [1280, 390])
def test_it_fits_a_phone_and_a_desktop(open_page, pages, width, tmp_path):
    v = open_page(pages["explorable"], viewport={"width": width, "height": 900})
    page = v.page
    page.locator(".ax-train").click()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(tmp_path / f"training-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    box = page.locator("svg.ax-plot").bounding_box()
    assert box and box["width"] <= width and box["height"] > 100
    assert not v.problems, v.problems


def test_without_javascript_it_shows_its_static_note(open_page, pages):
    v = open_page(pages["explorable"], javascript=False)
    root = v.page.locator("[data-attnlab-explorable]")
    assert root.locator(".ax-nojs").is_visible()
    assert "trains in your browser with JavaScript" in root.locator(".ax-nojs").text_content()
    assert not root.locator("input, select, button").first.is_visible()
