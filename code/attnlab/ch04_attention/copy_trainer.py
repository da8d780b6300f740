"""The copy experiment, trained in the reader's browser (Chapter 4's web book).

Chapter 3's window MLP and Chapter 4's one-layer attention model train side by side in the page,
in a Web Worker, on the copy task, with the settings of the Python experiment
(:mod:`attnlab.ch04_attention.copy_run`; the MLP is :func:`~attnlab.ch04_attention.copy_run.
fair_mlp`'s). The reader picks the seed and the split and watches the seen and held-out curves.

One source of truth: :func:`training_spec` exports the task (sizes, vocabulary, which (name,
slot) combinations are seen in each split) and the training settings (steps, batch size, Adam's
learning rates, betas and eps) as JSON; the JavaScript (``ch03_next_token/copy_train.js``,
``ch03_next_token/mlp_train.js``, ``attention_train.js``: one module per network, forward and
backward written out) reads them. Its seeds are its own: a seed gives the same run in every
browser, not PyTorch's starting weights. :func:`reference` is what the page must show for its
controls (the split's numbers); tests/built/test_copy_trainer.py checks the JavaScript's math
against PyTorch's autograd.
"""

from __future__ import annotations

from pathlib import Path

import torch
from IPython.display import HTML

from attnlab.ch03_next_token.copy_experiment import CopyConfig
from attnlab.ch03_next_token.copytask import CopyTask
from attnlab.ch03_next_token.model import EMBED_STD
from attnlab.ch04_attention.copy_run import AttentionCopyConfig, fair_mlp
from attnlab.core import validate
from attnlab.core.explorable import esc, frame, range_control, select_control

__all__ = ["KIND", "SPLITS", "training_spec", "worker_source", "copy_trainer", "reference"]

KIND = "copy-trainer"
#: The splits the reader can pick, in the order of the drop-down.
SPLITS = ("systematic", "random")
_SPLIT_LABELS = ("systematic (crossed combinations held out)", "random holes (Chapter 3)")
_HERE = Path(__file__).parent
_CH03 = _HERE.parent / "ch03_next_token"
#: The JavaScript of the worker, in load order: the task and its training, then the networks.
WORKER_FILES = (_CH03 / "copy_train.js", _CH03 / "mlp_train.js", _HERE / "attention_train.js")
_PAGE_FILE = _HERE / "copy_trainer.js"


def _check_config(config: object) -> AttentionCopyConfig:
    config = AttentionCopyConfig() if config is None else config
    if not isinstance(config, AttentionCopyConfig):
        raise TypeError(f"config must be an AttentionCopyConfig, got {type(config).__name__}")
    if config.positions:
        raise ValueError("the page trains the model without position embeddings (positions=False)")
    return config


def training_spec(
    config: AttentionCopyConfig | None = None,
    mlp: CopyConfig | None = None,
    n_seeds: int = 10,
) -> dict:
    """The copy experiment as JSON for the page: the task, the training, both networks (Chapter 4).

    ``config`` is Chapter 4's run (``AttentionCopyConfig()`` by default; its task and training
    settings are shared by both networks),
    ``mlp`` Chapter 3's MLP run (``fair_mlp(config)`` by default: as many parameters). The random
    split's holes come from :class:`~attnlab.ch03_next_token.copytask.CopyTask` for seeds
    ``0 .. n_seeds - 1``, the seeds the reader can pick.
    """
    config = _check_config(config)
    mlp = fair_mlp(config) if mlp is None else mlp
    if not isinstance(mlp, CopyConfig):
        raise TypeError(f"mlp must be a CopyConfig (or None), got {type(mlp).__name__}")
    n_seeds = validate.positive_int("n_seeds", n_seeds)
    if n_seeds > 100:
        raise ValueError(f"n_seeds must be at most 100, got {n_seeds}")
    shared = ("n_names", "n_slots", "n_fillers", "n_groups", "steps", "batch_size", "eval_size")
    for name in (*shared, "eval_every"):
        if getattr(mlp, name) != getattr(config, name):
            raise ValueError(
                f"mlp and config must share the task and the training: {name} is "
                f"{getattr(mlp, name)!r} and {getattr(config, name)!r}"
            )
    if mlp.d_model != config.d_model:
        raise ValueError(f"mlp.d_model must be config.d_model={config.d_model}, got {mlp.d_model}")
    task = CopyTask(config.n_names, config.n_slots, config.n_fillers, "systematic", config.n_groups)
    holes = []
    for seed in range(n_seeds):
        seen = CopyTask(
            config.n_names, config.n_slots, config.n_fillers, "random", config.n_groups, seed
        ).seen
        holes.append((~seen).int().argmax(dim=1).tolist())  # the one slot each name misses
    adam = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults
    return {
        "task": {
            "n_names": task.n_names,
            "n_slots": task.n_slots,
            "n_fillers": task.n_fillers,
            "n_groups": task.n_groups,
            "vocab": task.vocab,
            "vocab_size": task.vocab_size,
            "context_length": task.context_length,
            "marker_id": task.marker_id,
            "first_name_id": task.first_name_id,
            "systematic_seen": task.seen.int().tolist(),
            "random_holes": holes,
        },
        "training": {
            "steps": config.steps,
            "batch_size": config.batch_size,
            "eval_size": config.eval_size,
            "eval_every": config.eval_every,
        },
        "models": {
            "mlp": {"d_model": mlp.d_model, "width": mlp.width, "lr": mlp.lr},
            "attention": {"d_model": config.d_model, "lr": config.lr},
        },
        "adam": {"betas": list(adam["betas"]), "eps": adam["eps"]},
        "embed_std": EMBED_STD,
    }


def _read(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if "</script" in text.lower() or "<!--" in text:
        raise ValueError(f"{path.name} must not contain '</script' or '<!--' (it goes in a page)")
    return text


def worker_source() -> str:
    """The Web Worker's JavaScript: the copy task, its training loop, the two networks."""
    parts = [_read(path) for path in WORKER_FILES]
    return "\n".join([*parts, "CopyTrain.serveWorker({mlp: MlpTrain, attention: AttentionTrain});"])


def reference(data: dict, controls: dict) -> dict:
    """What the page must show for its controls: the chosen seed and split, how many (name, slot)
    combinations are seen and held out, and the held-out names at each slot, from
    :class:`~attnlab.ch03_next_token.copytask.CopyTask` itself."""
    seed, split = int(round(controls["seed"])), SPLITS[int(round(controls["split"]))]
    t = data["spec"]["task"]
    seen = CopyTask(t["n_names"], t["n_slots"], t["n_fillers"], split, t["n_groups"], seed).seen
    return {
        "seed": seed,
        "split": split,
        "seen": int(seen.sum()),
        "heldout": int((~seen).sum()),
        "heldout_per_slot": (~seen).sum(dim=0).tolist(),
    }


def copy_trainer(
    config: AttentionCopyConfig | None = None,
    seed: int = 0,
    split: str | None = None,
    n_seeds: int = 10,
) -> HTML:
    """Chapter 4's copy experiment as an explorable: both networks train in the reader's browser.

    ``config`` is the run the page trains (``AttentionCopyConfig()`` by default). ``seed`` and
    ``split`` (``config``'s split by default) are where the controls start; the reader can pick
    seeds ``0 .. n_seeds - 1`` and either split. Training starts when the reader presses Train.
    """
    config = _check_config(config)
    spec = training_spec(config, n_seeds=n_seeds)
    split = config.split if split is None else split
    seed = validate.seed("seed", seed)
    if seed >= n_seeds:
        raise ValueError(f"seed must be below n_seeds={n_seeds}, got {seed}")
    validate.one_of("split", split, list(SPLITS))
    data = {"spec": spec, "splits": list(SPLITS)}
    controls = range_control("seed", "seed", 0, n_seeds - 1, 1, seed, digits=0) + select_control(
        "split", "split", list(_SPLIT_LABELS), SPLITS.index(split)
    )
    body = (
        '<div class="ax-controls"><button type="button" class="ax-button ax-train">Train</button>'
        '<button type="button" class="ax-button ax-stop" disabled>Stop</button></div>'
        '<p class="ax-readout" aria-live="polite"></p>'
        '<svg class="ax-plot" viewBox="0 0 720 260" role="img" '
        'aria-label="Accuracy curves of both networks"></svg>'
        '<p class="ax-status ax-note" aria-live="polite"></p>'
        f'<script type="text/plain" class="attnlab-x-worker">{worker_source()}</script>'
    )
    m = spec["models"]
    note = (
        f"With JavaScript, both networks train here in your browser: Chapter 3's window MLP "
        f"(width {m['mlp']['width']}) and one attention layer, {spec['training']['steps']} steps "
        f"of {spec['training']['batch_size']} examples each, on the seed and the split you pick. "
        f"The chapter prints the same experiment, computed in Python; the page draws its own "
        f"random numbers, so a seed here is a new run, not a replay of the printed seed with the "
        f"same number."
    )
    return frame(
        KIND,
        "Train both networks in your browser",
        data,
        controls,
        body,
        _read(WORKER_FILES[0]) + _read(_PAGE_FILE),
        esc(note),
        without_js="(This explorable trains in your browser with JavaScript, which is switched "
        "off here.)",
    )
