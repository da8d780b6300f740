"""The copy experiment: train a network on the copy task and measure it (Chapter 3; Chapter 4).

One run trains one network on the copy task (:mod:`attnlab.ch03_next_token.copytask`) and measures
it on fresh examples of the combinations it saw in training and on the held-out ones. Every network
gets the same data stream (the batches depend only on the seed), the same number of steps, the
same optimizer (Adam, through :func:`attnlab.core.training.train`) and batch size; only the
learning rate is the network's own, tuned on seen combinations only
(:func:`attnlab.ch03_next_token.copy_analysis.tune_lr`).

Chapter 3's run is the window MLP: ``run(CopyConfig(), seed)``. The fields of
:class:`CopyTraining` (the task, the training, the measuring) are shared with every network;
:func:`train_and_measure` trains and measures any network that a function builds for the task,
which is how Chapter 4 runs its attention model on the same experiment.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from attnlab.ch03_next_token.copytask import CopyTask
from attnlab.ch03_next_token.model import WindowMLP, count_parameters
from attnlab.core import validate
from attnlab.core.seeds import keeps_global_rng, shift_seed
from attnlab.core.training import accuracy, train

__all__ = [
    "CopyTraining",
    "CopyConfig",
    "CopyResult",
    "run",
    "train_and_measure",
    "copy_batches",
    "DEFAULT_LR",
    "LARGE_MLP",
]

#: The MLP's learning rate, chosen on SEEN combinations only (never on the held-out test), with
#: ``tune_lr`` (lr in 0.003, 0.01, 0.03, 0.1; seeds 0-2; the default settings, eval_size=500):
#: the highest final accuracy on fresh seen combinations, then the fewest steps to reach 99% on
#: them. The MLP reached 100% at 0.003, 0.01 and 0.03 and failed at 0.1 (1%); 0.03 got there
#: fastest (step 75 on average). tests/unit/ch03_next_token/test_experiment_lr.py reruns this
#: tuning and checks that it picks this rate (Chapter 4's attention model: the same, 0.03).
DEFAULT_LR = 0.03


@dataclass(frozen=True)
class CopyTraining:
    """The copy task, and how a network is trained and measured on it (Chapters 3 and 4).

    These are the settings every network of the comparison shares; a network's own settings
    (its sizes) are added by a subclass (:class:`CopyConfig` for the MLP).
    """

    n_names: int = 200
    """Names in the task (tokens); picking one at random is right 1 / n_names of the time."""
    n_slots: int = 7
    """Slots in the context (tokens) before the marker "is"; the name sits in one of them."""
    n_fillers: int = 50
    """Filler words (tokens) that fill the other slots."""
    split: str = "systematic"
    """Which (name, slot) combinations are held out: "systematic" (by group) or "random"."""
    n_groups: int = 2
    """Name groups of the systematic split: group g is trained only at its own slots."""
    steps: int = 300
    """Training steps (one Adam step on one batch each)."""
    batch_size: int = 128
    """Examples (contexts) per training step."""
    lr: float = DEFAULT_LR
    """Adam's learning rate (size of a step; no unit)."""
    eval_size: int = 1000
    """Fresh examples per measurement, for the seen and for the held-out combinations each."""
    eval_every: int = 25
    """Training steps between two points of the accuracy curves."""
    progress: bool = False
    """Show a progress bar while training."""

    def __post_init__(self) -> None:
        for name, least in (("n_names", 2), ("n_slots", 2), ("n_fillers", 1), ("n_groups", 2)):
            validate.positive_int(name, getattr(self, name), minimum=least)
        validate.one_of("split", self.split, ["systematic", "random"])
        for name in ("steps", "batch_size", "eval_size", "eval_every"):
            validate.positive_int(name, getattr(self, name))
        validate.positive_number("lr", self.lr)
        if not isinstance(self.progress, bool):
            raise TypeError(f"progress must be True or False, got {self.progress!r}")

    def task(self, seed: int) -> CopyTask:
        """The copy task of these settings, its held-out split drawn with ``seed``."""
        return CopyTask(self.n_names, self.n_slots, self.n_fillers, self.split, self.n_groups, seed)


@dataclass(frozen=True)
class CopyConfig(CopyTraining):
    """Chapter 3's run: the window MLP on the copy task (the shared settings, then its sizes).

    The default width gives the MLP about as many parameters as Chapter 4's attention model at the
    default task sizes (both about 19,400; ``tests/unit/ch04_attention/test_copy_run.py`` checks
    it), so that the two chapters compare networks of one size.
    """

    d_model: int = 32
    """Numbers per token embedding."""
    width: int = 22
    """Hidden units (hinges) of the MLP."""

    def __post_init__(self) -> None:
        super().__post_init__()
        validate.positive_int("d_model", self.d_model)
        validate.positive_int("width", self.width)


#: The much larger MLP of Chapter 3: about 21 times the parameters of the default one (wider and
#: with bigger embeddings). Its rate, tuned the same way, is 0.01 (100% on seen combinations by
#: step 67 on average; 0.003 took 100 steps, 0.03 stalled near 96%, 0.1 failed at 1%).
LARGE_MLP = CopyConfig(d_model=64, width=512, lr=0.01)


@dataclass
class CopyResult:
    """What one run of the copy experiment measured (Chapters 3 and 4).

    ``model`` names the network ("mlp", "attention"); ``config`` holds the run's settings.
    ``group_slot_accuracy[g, s]`` is the accuracy on names of group ``g`` placed at slot ``s``
    (fresh examples), and ``seen_group_slot[g, s]`` says whether that combination was in training
    (for the random split every group is seen at every slot, so it is all True).
    ``fits_slot`` is, among the held-out mistakes, the fraction that answered a name of the group
    that training showed at that slot (systematic split only; ``nan`` otherwise).
    """

    model: str
    seed: int
    config: CopyTraining
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

        Only for a network with attention (``forward_with_weights``): Chapter 4's.
        """
        if not hasattr(self.net, "forward_with_weights"):
            raise ValueError(
                f"attention_weights needs a network with attention (model='attention'), "
                f"this run is {self.model!r}"
            )
        with torch.no_grad():
            return self.net.forward_with_weights(contexts)[1]

    def predict(self, contexts: torch.Tensor) -> torch.Tensor:
        """The model's next-token id for each context, (batch,)."""
        with torch.no_grad():
            return self.net(contexts).argmax(dim=-1)


def copy_batches(task: CopyTask, seed: int, batch_size: int):
    """The training stream: ``next_batch(step)`` draws from a generator seeded by ``seed`` only.

    Every model trained with the same seed therefore sees exactly the same batches.
    """
    data = torch.Generator().manual_seed(seed + 1000)

    def next_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        return task.sample(batch_size, data)[:2]

    return next_batch


@torch.no_grad()
def _accuracy(net: nn.Module, contexts: torch.Tensor, targets: torch.Tensor) -> float:
    return accuracy(net(contexts), targets)


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
def train_and_measure(
    model: str, build: Callable[[CopyTask], nn.Module], config: CopyTraining, seed: int = 0
) -> CopyResult:
    """Train the network ``build(task)`` on the copy task of ``config`` and measure it.

    ``model`` names the network in the result. ``build`` is called right after
    ``torch.manual_seed(seed)``, so a seed always gives the same starting weights; the training
    batches, the curves' probes and the final test sets each come from their own generator seeded
    by ``seed`` alone, so every network trained with one seed sees exactly the same data.
    """
    if not isinstance(model, str):
        raise TypeError(f"model must be a name (str), got {type(model).__name__}")
    if not callable(build):
        raise TypeError("build must be a function task -> torch.nn.Module")
    if not isinstance(config, CopyTraining):
        raise TypeError(f"config must be a CopyTraining (CopyConfig), got {type(config).__name__}")
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    task = config.task(seed)

    start = time.perf_counter()
    torch.manual_seed(seed)
    net = build(task)
    if not isinstance(net, nn.Module):
        raise TypeError(f"build must return a torch.nn.Module, got {type(net).__name__}")
    next_batch = copy_batches(task, seed, config.batch_size)
    probe = torch.Generator().manual_seed(seed + 2000)
    probe_seen = task.sample(config.eval_size, probe)[:2]
    probe_heldout = task.sample(config.eval_size, probe, heldout=True)[:2]

    def evaluate() -> dict[str, float]:
        return {
            "train_accuracy": _accuracy(net, *probe_seen),
            "heldout_accuracy": _accuracy(net, *probe_heldout),
        }

    history = train(
        net,
        next_batch,
        config.steps,
        config.lr,
        evaluate=evaluate,
        eval_every=config.eval_every,
        progress=config.progress,
        description=f"{model} seed {seed}",
    )
    # Final numbers on fresh examples, never used in training or in the curves.
    final = torch.Generator().manual_seed(seed + 3000)
    train_accuracy = _accuracy(net, *task.sample(config.eval_size, final)[:2])
    heldout_accuracy = _accuracy(net, *task.sample(config.eval_size, final, heldout=True)[:2])
    table, fits_slot = _group_slot_accuracy(net, task, final, per_cell=100)
    seconds = time.perf_counter() - start

    seen_group_slot = np.zeros((task.n_groups, task.n_slots), dtype=bool)
    for group in range(task.n_groups):
        seen_group_slot[group] = task.seen[task.groups == group].any(dim=0).numpy()
    return CopyResult(
        model=model,
        seed=seed,
        config=config,
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


def run(config: CopyConfig = CopyConfig(), seed: int = 0) -> CopyResult:
    """Train Chapter 3's window MLP on the copy task and measure it (Chapter 3).

    ``run(CopyConfig(), seed)`` is the chapter's run, ``run(LARGE_MLP, seed)`` its much larger
    MLP, ``run(CopyConfig(split="random"), seed)`` the random holes.
    """
    if not isinstance(config, CopyConfig):
        raise TypeError(f"config must be a CopyConfig, got {type(config).__name__}")

    def build(task: CopyTask) -> WindowMLP:
        return WindowMLP(task.vocab_size, task.context_length, config.d_model, config.width)

    return train_and_measure("mlp", build, config, seed)
