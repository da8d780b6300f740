"""The experiments the book runs, as functions (Chapters 3, 4 and 6).

``run_copy_experiment(model, seed=0, **options)`` trains one model on the copy task
(:mod:`attnlab.ch03_next_token.copytask`) and measures it on fresh examples of the combinations it saw in training
and on the held-out ones. Every model gets the same data stream (the batches depend only on the
seed), the same number of steps, the same optimizer (Adam) and batch size; only the learning rate
is the model's own, tuned on seen combinations only (see ``DEFAULT_LR``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from attnlab.ch03_next_token.copytask import CopyTask
from attnlab.ch03_next_token.model import (
    WindowMLP,
    count_parameters,
    mlp_width_for,
)
from attnlab.ch04_attention.model import OneLayerAttention  # TODO(ch04): move the attention run
from attnlab.core import validate
from attnlab.core.seeds import keeps_global_rng, shift_seed
from attnlab.core.training import NonFiniteLoss, accuracy, train

__all__ = [
    "CopyResult",
    "run_copy_experiment",
    "copy_batches",
    "tune_lr",
    "slot_similarity",
    "results_table",
    "make_windows",
    "run_text_experiment",
    "TextResult",
    "top_next_tokens",
    "DEFAULTS",
    "DEFAULT_LR",
    "LARGE_MLP",
    "MODELS",
]

MODELS = ("mlp", "attention")

#: The chapter's settings. ``width=None`` gives the MLP the attention model's parameter count.
DEFAULTS: dict[str, object] = {
    "n_names": 200,
    "n_slots": 7,
    "n_fillers": 50,
    "split": "systematic",
    "n_groups": 2,
    "steps": 300,
    "batch_size": 128,
    "lr": None,
    "d_model": 32,
    "width": None,
    "positions": False,
    "eval_size": 1000,
    "eval_every": 25,
    "progress": False,
}

#: Learning rates chosen per model on SEEN combinations only (never on the held-out test), with
#: ``tune_lr`` (lr in 0.003, 0.01, 0.03, 0.1; seeds 0-2; the default settings, eval_size=500):
#: the highest final accuracy on fresh seen combinations, then the fewest steps to reach 99% on
#: them. Both models reached 100% at 0.003, 0.01 and 0.03 and failed at 0.1 (MLP 1%, attention
#: 60%); 0.03 got there fastest (MLP at step 75 on average, attention at step 50).
#: tests/unit/test_experiments_lr.py reruns this tuning and checks that it picks these rates.
DEFAULT_LR: dict[str, float] = {"mlp": 0.03, "attention": 0.03}

#: The much larger MLP of Chapter 3: about 21 times the parameters of the default one (wider and
#: with bigger embeddings). Its rate, tuned the same way, is 0.01 (100% on seen combinations by
#: step 67 on average; 0.003 took 100 steps, 0.03 stalled near 96%, 0.1 failed at 1%).
LARGE_MLP: dict[str, object] = {"d_model": 64, "width": 512, "lr": 0.01}


@dataclass
class CopyResult:
    """What one run of the copy experiment measured (Chapters 3, 4 and 6).

    ``group_slot_accuracy[g, s]`` is the accuracy on names of group ``g`` placed at slot ``s``
    (fresh examples), and ``seen_group_slot[g, s]`` says whether that combination was in training
    (for the random split every group is seen at every slot, so it is all True).
    ``fits_slot`` is, among the held-out mistakes, the fraction that answered a name of the group
    that training showed at that slot (systematic split only; ``nan`` otherwise).
    """

    model: str
    seed: int
    options: dict
    train_accuracy: float
    heldout_accuracy: float
    n_params: int
    seconds: float
    history: dict[str, list[float]]
    group_slot_accuracy: np.ndarray
    seen_group_slot: np.ndarray
    fits_slot: float
    chance: float
    task: CopyTask = field(repr=False)
    net: nn.Module = field(repr=False)

    def attention_weights(self, contexts: torch.Tensor) -> torch.Tensor:
        """The last token's attention weights over the window, (batch, context_length).

        Only for ``model="attention"`` (Chapter 4).
        """
        if not isinstance(self.net, OneLayerAttention):
            raise ValueError(
                f"attention_weights needs model='attention', this run is {self.model!r}"
            )
        with torch.no_grad():
            return self.net.forward_with_weights(contexts)[1]

    def predict(self, contexts: torch.Tensor) -> torch.Tensor:
        """The model's next-token id for each context, (batch,)."""
        with torch.no_grad():
            return self.net(contexts).argmax(dim=-1)


def _check_options(model: object, options: dict) -> dict:
    if not isinstance(model, str) or model not in MODELS:
        raise ValueError(f"model must be one of {list(MODELS)!r}, got {model!r}")
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown option(s) {unknown}; the options are {sorted(DEFAULTS)}")
    o = {**DEFAULTS, **options}
    for name in ("steps", "batch_size", "d_model", "eval_size", "eval_every"):
        o[name] = validate.positive_int(name, o[name])
    if o["lr"] is not None:
        o["lr"] = validate.positive_number("lr", o["lr"])
    if o["width"] is not None:
        o["width"] = validate.positive_int("width", o["width"])
    for name in ("positions", "progress"):
        if not isinstance(o[name], bool):
            raise TypeError(f"{name} must be True or False, got {o[name]!r}")
    if o["positions"] and model != "attention":
        raise ValueError("positions=True is an option of model='attention' only")
    return o


def _build(model: str, task: CopyTask, o: dict) -> nn.Module:
    if model == "attention":
        return OneLayerAttention(task.vocab_size, task.context_length, o["d_model"], o["positions"])
    width = o["width"]
    if width is None:  # as many parameters as the attention model with the same d_model
        reference = OneLayerAttention(task.vocab_size, task.context_length, o["d_model"])
        width = mlp_width_for(
            count_parameters(reference), task.vocab_size, task.context_length, o["d_model"]
        )
    return WindowMLP(task.vocab_size, task.context_length, o["d_model"], width)


def copy_batches(task: CopyTask, seed: int, batch_size: int):
    """The training stream: ``next_batch(step)`` draws from a generator seeded by ``seed`` only.

    Every model trained with the same seed therefore sees exactly the same batches.
    """
    data = torch.Generator().manual_seed(seed + 1000)

    def next_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        return task.sample(batch_size, data)[:2]

    return next_batch


@torch.no_grad()
def _group_slot_accuracy(net: nn.Module, task: CopyTask, generator: torch.Generator, per_cell: int):
    """Accuracy for every (group, slot) cell and, for held-out mistakes, how many fit the slot."""
    table = np.zeros((task.n_groups, task.n_slots))
    fits, wrong = 0, 0
    for group in range(task.n_groups):
        names = torch.nonzero(task.groups == group)[:, 0]
        for slot in range(task.n_slots):
            pick = names[torch.randint(0, len(names), (per_cell,), generator=generator)]
            contexts = torch.randint(
                0, task.n_fillers, (per_cell, task.context_length), generator=generator
            )
            contexts[:, -1] = task.marker_id
            contexts[:, slot] = pick + task.first_name_id
            predicted = net(contexts).argmax(dim=-1)
            table[group, slot] = (predicted == contexts[:, slot]).float().mean().item()
            if task.split == "systematic" and task.slot_group(slot) != group:
                mistakes = predicted[predicted != contexts[:, slot]] - task.first_name_id
                wrong += len(mistakes)
                is_name = (mistakes >= 0) & (mistakes < task.n_names)
                fits += int((is_name & (mistakes % task.n_groups == task.slot_group(slot))).sum())
    fits_slot = fits / wrong if wrong else float("nan")
    return table, fits_slot


@keeps_global_rng
def run_copy_experiment(model: str, seed: int = 0, **options: object) -> CopyResult:
    """Train ``model`` ("mlp" or "attention") on the copy task and measure it (Chapters 3, 4, 6).

    Options (defaults in ``DEFAULTS``): ``n_names``, ``n_slots``, ``n_fillers``, ``split``
    ("systematic" or "random"), ``n_groups``, ``steps``, ``batch_size``, ``lr`` (None: the model's
    tuned rate in ``DEFAULT_LR``), ``d_model`` (embedding size of either model), ``width`` (the
    MLP's hidden width; None: as many parameters as the attention model), ``positions`` (attention
    only: add learned position embeddings), ``eval_size``, ``eval_every``, ``progress``.
    ``run_copy_experiment("mlp", **LARGE_MLP)`` is Chapter 3's much larger MLP.
    """
    o = _check_options(model, options)
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    task = CopyTask(o["n_names"], o["n_slots"], o["n_fillers"], o["split"], o["n_groups"], seed)
    lr = o["lr"] if o["lr"] is not None else DEFAULT_LR[model]

    start = time.perf_counter()
    torch.manual_seed(seed)
    net = _build(model, task, o)
    next_batch = copy_batches(task, seed, o["batch_size"])
    probe = torch.Generator().manual_seed(seed + 2000)
    probe_seen = task.sample(o["eval_size"], probe)[:2]
    probe_heldout = task.sample(o["eval_size"], probe, heldout=True)[:2]

    def evaluate() -> dict[str, float]:
        return {
            "train_accuracy": accuracy(net, *probe_seen),
            "heldout_accuracy": accuracy(net, *probe_heldout),
        }

    history = train(
        net,
        next_batch,
        o["steps"],
        lr,
        evaluate,
        o["eval_every"],
        o["progress"],
        f"{model} seed {seed}",
    )
    # Final numbers on fresh examples, never used in training or in the curves.
    final = torch.Generator().manual_seed(seed + 3000)
    train_accuracy = accuracy(net, *task.sample(o["eval_size"], final)[:2])
    heldout_accuracy = accuracy(net, *task.sample(o["eval_size"], final, heldout=True)[:2])
    table, fits_slot = _group_slot_accuracy(net, task, final, per_cell=100)
    seconds = time.perf_counter() - start

    seen_group_slot = np.zeros((task.n_groups, task.n_slots), dtype=bool)
    for group in range(task.n_groups):
        seen_group_slot[group] = task.seen[task.groups == group].any(dim=0).numpy()
    return CopyResult(
        model=model,
        seed=seed,
        options={**o, "lr": lr, "width": getattr(net, "width", None)},
        train_accuracy=train_accuracy,
        heldout_accuracy=heldout_accuracy,
        n_params=count_parameters(net),
        seconds=seconds,
        history=history,
        group_slot_accuracy=table,
        seen_group_slot=seen_group_slot,
        fits_slot=fits_slot,
        chance=task.chance,
        task=task,
        net=net,
    )


def results_table(runs: list[CopyResult]) -> str:
    """A plain-text table of copy runs: one row per seed, with the chance level (Chapters 3-4)."""
    if not runs or not all(isinstance(r, CopyResult) for r in runs):
        raise ValueError("runs must be a non-empty list of run_copy_experiment results")
    lines = [
        f"{'model':<10}{'split':<12}{'seed':>5}{'params':>10}{'seen':>9}{'held-out':>10}"
        f"{'chance':>8}{'seconds':>9}"
    ]
    for r in runs:
        lines.append(
            f"{r.model:<10}{r.options['split']:<12}{r.seed:>5}{r.n_params:>10,}"
            f"{r.train_accuracy:>9.1%}{r.heldout_accuracy:>10.1%}{r.chance:>8.1%}{r.seconds:>9.2f}"
        )
    return "\n".join(lines)


def tune_lr(
    model: str,
    lrs: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1),
    seeds: tuple[int, ...] = (0, 1, 2),
    **options: object,
) -> tuple[float, list[dict]]:
    """Pick ``model``'s learning rate using SEEN combinations only (how ``DEFAULT_LR`` was chosen).

    For each rate: the mean final accuracy on fresh seen combinations over ``seeds``, and the mean
    step at which the seen-combination curve first reached 99%. The best rate has the highest
    accuracy, then the fewest steps, then is the smallest. The held-out test is never looked at.
    Returns ``(best_lr, rows)``. A rate whose loss stops being a finite number scores accuracy 0.
    """
    for name, values in (("lrs", lrs), ("seeds", seeds)):
        if not isinstance(values, (list, tuple)) or not values:
            raise ValueError(f"{name} must be a non-empty list or tuple, got {values!r}")
    lrs = [validate.positive_number("lrs[i]", lr) for lr in lrs]
    seeds = [validate.seed("seeds[i]", seed) for seed in seeds]
    rows = []
    for lr in lrs:
        accs, firsts = [], []
        for seed in seeds:
            try:
                r = run_copy_experiment(model, seed, lr=lr, **options)
            except NonFiniteLoss:  # this rate blows up: the worst score, and on to the next
                accs.append(0.0)
                firsts.append(float("inf"))
                continue
            h = r.history
            reached = [
                s for s, a in zip(h["eval_step"], h["train_accuracy"], strict=True) if a >= 0.99
            ]
            accs.append(r.train_accuracy)
            firsts.append(reached[0] if reached else float("inf"))
        rows.append(
            {
                "lr": lr,
                "train_accuracy": float(np.mean(accs)),
                "steps_to_99": float(np.mean(firsts)),
            }
        )
    best = min(
        rows, key=lambda row: (-round(row["train_accuracy"], 3), row["steps_to_99"], row["lr"])
    )
    return best["lr"], rows


def slot_similarity(result: CopyResult) -> np.ndarray:
    """How alike a trained MLP reads the same name at two slots, (n_slots, n_slots) (Chapter 3).

    For name ``n`` at slot ``s`` the hidden layer receives ``W_s @ e_n``, where ``W_s`` is the
    block of hidden weights that belongs to slot ``s``. Entry ``[s, t]`` is the cosine similarity
    of ``W_s @ e_n`` and ``W_t @ e_n``, averaged over all names: near 1, the two slots pass a name
    on in the same way; near 0, what the network learned at one slot is of no use at the other.
    """
    if not isinstance(result, CopyResult) or not isinstance(result.net, WindowMLP):
        raise ValueError("slot_similarity needs the result of run_copy_experiment('mlp', ...)")
    net, task = result.net, result.task
    d = net.d_embed
    with torch.no_grad():
        names = net.embed.weight[task.first_name_id : task.first_name_id + task.n_names]
        blocks = net.hidden.weight.reshape(net.width, task.context_length, d)
        read = torch.einsum("wsd,nd->snw", blocks[:, : task.n_slots], names)
        read = read / read.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        return (torch.einsum("snw,tnw->st", read, read) / task.n_names).numpy()


# ---- Chapter 3: a next-token MLP on real text ------------------------------------------------------


def make_windows(ids: list[int] | torch.Tensor, window: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every (context, target) pair of a token list: ``window`` tokens, then the next one (Ch. 3).

    Returns ``contexts`` (n, window) and ``targets`` (n,), with n = len(ids) - window.
    """
    window = validate.positive_int("window", window)
    if not isinstance(ids, torch.Tensor):
        if not isinstance(ids, (list, tuple, np.ndarray)):
            raise TypeError(f"ids must be a list of token ids (ints), got {type(ids).__name__}")
        array = np.asarray(ids)
        if array.size and array.dtype.kind not in "iu":  # 2.0 or True is not a token id
            raise TypeError(
                f"ids must be whole-number token ids (ints), got values of dtype {array.dtype}"
            )
        ids = torch.as_tensor(array.astype(np.int64), dtype=torch.long)
    validate.tensor("ids", ids, ndim=1, floating=False)
    if ids.dtype == torch.bool:
        raise TypeError("ids must be whole-number token ids (ints), got a boolean tensor")
    if len(ids) and int(ids.min()) < 0:
        raise ValueError(f"ids must be token ids >= 0, got {int(ids.min())}")
    if len(ids) <= window:
        raise ValueError(f"ids must hold more than window={window} tokens, got {len(ids)}")
    contexts = ids.unfold(0, window, 1)[:-1]  # row i is ids[i : i + window]
    return contexts.clone(), ids[window:].clone()


@dataclass
class TextResult:
    """The window MLP trained on text (Chapter 3): the model, its curves and its accuracies.

    ``baseline`` is the held-out accuracy of always answering the most common training target.
    """

    net: WindowMLP
    history: dict[str, list[float]]
    train_accuracy: float
    heldout_accuracy: float
    baseline: float
    seconds: float


@keeps_global_rng
def run_text_experiment(
    ids: list[int],
    vocab_size: int,
    seed: int = 0,
    window: int = 5,
    steps: int = 800,
    batch_size: int = 64,
    d_embed: int = 24,
    width: int = 128,
    lr: float = 0.01,
    heldout_fraction: float = 0.1,
    progress: bool = False,
) -> TextResult:
    """Train a :class:`WindowMLP` to predict the next token of a text (Chapter 3).

    The last ``heldout_fraction`` of the text is kept apart to measure on text never trained on.
    Accuracy is "the model's first guess is the true next token".
    """
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    vocab_size = validate.positive_int("vocab_size", vocab_size, minimum=2)
    for name, value in (("steps", steps), ("batch_size", batch_size)):
        validate.positive_int(name, value)
    for name, value in (("d_embed", d_embed), ("width", width)):
        validate.positive_int(name, value)
    lr = validate.positive_number("lr", lr)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    fraction = validate.positive_number("heldout_fraction", heldout_fraction)
    if fraction >= 1:
        raise ValueError(f"heldout_fraction must be below 1, got {fraction}")
    contexts, targets = make_windows(ids, window)
    top = max(int(contexts.max()), int(targets.max()))
    if top >= vocab_size:
        raise ValueError(f"ids must be below vocab_size={vocab_size}, got {top}")
    cut = int(len(targets) * (1 - fraction))
    if not 0 < cut < len(targets):
        raise ValueError(
            f"heldout_fraction={fraction} leaves {cut} of the {len(targets)} windows for training "
            f"and {len(targets) - cut} held out; both parts need at least one (try 0.1)"
        )
    start = time.perf_counter()
    torch.manual_seed(seed)
    net = WindowMLP(vocab_size, window, d_embed, width)
    data = torch.Generator().manual_seed(seed + 1000)

    def next_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        pick = torch.randint(0, cut, (batch_size,), generator=data)
        return contexts[pick], targets[pick]

    def evaluate() -> dict[str, float]:
        return {
            "train_accuracy": accuracy(net, contexts[:cut], targets[:cut]),
            "heldout_accuracy": accuracy(net, contexts[cut:], targets[cut:]),
        }

    history = train(net, next_batch, steps, lr, evaluate, 100, progress, "window MLP")
    # The simplest rival: always answer the token that follows most often in the training part.
    most_common = torch.bincount(targets[:cut]).argmax()
    baseline = (targets[cut:] == most_common).float().mean().item()
    return TextResult(
        net=net,
        history=history,
        train_accuracy=history["train_accuracy"][-1],
        heldout_accuracy=history["heldout_accuracy"][-1],
        baseline=baseline,
        seconds=time.perf_counter() - start,
    )


@torch.no_grad()
def top_next_tokens(net: WindowMLP, tokenizer, text: str, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` likeliest next tokens after ``text`` with their probabilities (Chapter 3).

    Only the last ``net.context_length`` tokens of ``text`` reach the model: that is its window.
    """
    if not isinstance(net, WindowMLP):
        raise TypeError(f"net must be a WindowMLP, got {type(net).__name__}")
    k = validate.positive_int("k", k)
    ids = tokenizer.encode(text)
    if len(ids) < net.context_length:
        raise ValueError(f"text must have at least {net.context_length} tokens, got {len(ids)}")
    window = torch.tensor(ids[-net.context_length :])[None]
    probabilities = torch.softmax(net(window), dim=-1)[0]
    top = probabilities.topk(k)
    return [
        (tokenizer.token_string(int(i)), float(p))
        for p, i in zip(top.values, top.indices, strict=True)
    ]
