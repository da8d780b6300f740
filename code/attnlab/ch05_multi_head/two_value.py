"""Chapter 5's experiment, "this year minus birth year": a task whose answer needs two values
looked up from two places, trained at one, two and four heads.

The model the chapter trains is one plain :class:`TwoValueModel` (built on
:class:`~attnlab.ch05_multi_head.heads.MultiHeadAttention`). :func:`run` trains it for one seed,
one head count after the other; :func:`run_seeds` trains every head count and seed at once, as
one :class:`~attnlab.ch05_multi_head.side_by_side.SideBySide` stack, with the course's one
training loop (:func:`~attnlab.core.training.train`). Seed ``s``
gives the same starting weights, training batches and test set at every head count and in both
functions, so the head count is the only difference, and a seed's numbers do not depend on which
function trained it, up to float rounding (which, as between two machines, grows over a long run).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from attnlab.ch05_multi_head.heads import MultiHeadAttention
from attnlab.ch05_multi_head.side_by_side import SideBySide
from attnlab.ch05_multi_head.two_value_task import TwoValueTask
from attnlab.core import validate
from attnlab.core.seeds import keeps_global_rng, shift_seed
from attnlab.core.training import accuracy, train

__all__ = [
    "TwoValueTask",
    "TwoValueModel",
    "TwoValueConfig",
    "TwoValueResult",
    "run",
    "run_seeds",
    "steps_to_reach",
    "half_lookups",
]


class TwoValueModel(nn.Module):
    """One attention layer and a small MLP that read a sequence from its last token (Chapter 5).

    Token and position embeddings -> the question mark's query attends over the whole sequence
    with :class:`MultiHeadAttention` -> a residual MLP -> scores for the ``n_values`` answers.
    ``forward(tokens)`` takes (B, length) and returns ``(logits, weights)`` with the question's
    attention weights shaped (B, n_heads, 1, length).
    """

    def __init__(
        self, task: TwoValueTask, d_model: int = 32, n_heads: int = 1, d_mlp: int = 64
    ) -> None:
        super().__init__()
        if not isinstance(task, TwoValueTask):
            raise TypeError(f"task must be a TwoValueTask, got {type(task).__name__}")
        d_model = validate.positive_int("d_model", d_model)
        d_mlp = validate.positive_int("d_mlp", d_mlp)
        self.task = task
        self.tokens = nn.Embedding(task.vocab_size, d_model)
        self.positions = nn.Parameter(torch.zeros(task.length, d_model))
        self.attention = MultiHeadAttention(d_model, n_heads)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_mlp), nn.ReLU(), nn.Linear(d_mlp, d_model))
        self.unembed = nn.Linear(d_model, task.n_values)

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        validate.tensor("tokens", tokens, ndim=2, floating=False)
        x = self.tokens(tokens) + self.positions
        mixed, weights = self.attention(x[:, -1:], x, x)  # only the question asks
        h = x[:, -1] + mixed[:, 0]
        h = h + self.mlp(F.layer_norm(h, h.shape[-1:]))
        return self.unembed(h), weights


@dataclass(frozen=True)
class TwoValueConfig:
    """The settings of Chapter 5's experiment (``help(TwoValueConfig)`` lists them).

    Fields, with their units:

    - ``heads``: the head counts to compare, each trained as its own model (a tuple of head
      counts; each must divide ``d_model``). Default (1, 2, 4).
    - ``steps``: training steps per model (optimizer steps). Default 1200.
    - ``batch_size``: sequences per training step (sequences). Default 32.
    - ``lr``: Adam's learning rate (step size per unit of gradient). Default 0.006.
    - ``eval_every``: steps between two accuracy measurements (steps); accuracy is also
      measured before the first step and after the last. Default 50.
    - ``n_eval``: fresh test sequences per measurement (sequences). Default 512.
    - ``d_model``: features per token inside the model (numbers per token). Default 32.
    - ``d_mlp``: hidden units of the MLP after attention (units). Default 64.
    - ``task``: the sequences to learn, a :class:`TwoValueTask` (10 values, halves of 4 slots).
    """

    heads: tuple[int, ...] = (1, 2, 4)
    steps: int = 1200
    batch_size: int = 32
    lr: float = 6e-3
    eval_every: int = 50
    n_eval: int = 512
    d_model: int = 32
    d_mlp: int = 64
    task: TwoValueTask = field(default_factory=TwoValueTask)

    def __post_init__(self) -> None:
        if not isinstance(self.heads, (list, tuple)):
            raise TypeError(f"heads must be a tuple of ints, got {type(self.heads).__name__}")
        heads = tuple(validate.positive_int("n_heads", h) for h in self.heads)
        object.__setattr__(self, "heads", heads)
        if not heads:
            raise ValueError("heads must list at least one head count")
        if len(set(heads)) != len(heads):
            raise ValueError(
                f"heads must not repeat a value (each one is its own model), got {list(heads)}"
            )
        for name in ("steps", "batch_size", "eval_every", "n_eval", "d_model", "d_mlp"):
            validate.positive_int(name, getattr(self, name))
        validate.positive_number("lr", self.lr)
        if not isinstance(self.task, TwoValueTask):
            raise TypeError(f"task must be a TwoValueTask, got {type(self.task).__name__}")
        for h in heads:
            if self.d_model % h:
                raise ValueError(
                    f"d_model={self.d_model} must be divisible by every head count, not {h}"
                )


@dataclass
class TwoValueResult:
    """What :func:`run` or :func:`run_seeds` hands back (Chapter 5).

    ``steps`` are the steps at which accuracy was measured; ``accuracy[h]`` holds, for ``h``
    heads, one curve per seed, shaped (seeds, measurements); ``models[h]`` the trained
    :class:`TwoValueModel` of every seed; ``seconds`` how long the training took on this machine.
    """

    config: TwoValueConfig
    seeds: list[int]
    steps: list[int] = field(default_factory=list)
    accuracy: dict[int, torch.Tensor] = field(default_factory=dict)
    models: dict[int, list[TwoValueModel]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def heads(self) -> list[int]:
        """The head counts compared, in the config's order."""
        return list(self.config.heads)

    def model(self, n_heads: int, seed: int) -> TwoValueModel:
        """The trained model with ``n_heads`` heads on ``seed``: a plain :class:`TwoValueModel`."""
        if n_heads not in self.models or seed not in self.seeds:
            raise ValueError(
                f"(n_heads, seed) must come from heads {self.heads} and seeds {self.seeds}, "
                f"got ({n_heads!r}, {seed!r})"
            )
        return self.models[n_heads][self.seeds.index(seed)]

    def final(self, n_heads: int) -> list[float]:
        """The last measured accuracy of every seed at ``n_heads`` heads."""
        return [round(float(a), 4) for a in self.accuracy[n_heads][:, -1]]

    def steps_to(self, n_heads: int, level: float = 0.9) -> list[int | None]:
        """Per seed, the first step whose accuracy reached ``level`` (None: never)."""
        return [steps_to_reach(self.steps, curve, level) for curve in self.accuracy[n_heads]]


def steps_to_reach(
    steps: Sequence[int], accuracy: Sequence[float] | torch.Tensor, level: float
) -> int | None:
    """The first step at which ``accuracy`` is at least ``level``, or None (Chapter 5)."""
    for step, acc in zip(steps, accuracy, strict=True):
        if float(acc) >= level:
            return int(step)
    return None


def _check_seeds(seeds: object) -> list[int]:
    """The seeds a run really uses (``+ ATTNLAB_SEED_OFFSET``), checked."""
    if not isinstance(seeds, (list, tuple)):
        raise TypeError(f"seeds must be a list of ints, got {type(seeds).__name__}")
    seeds = [shift_seed(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must list at least one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must not repeat a value (each one is a model), got {seeds}")
    return seeds


def _check_config(config: object) -> TwoValueConfig:
    if not isinstance(config, TwoValueConfig):
        raise TypeError(f"config must be a TwoValueConfig, got {type(config).__name__}")
    return config


def _start(config: TwoValueConfig, n_heads: int, seed: int) -> TwoValueModel:
    """The untrained model of ``seed``: the same weights at every head count (the matrices have
    the same shapes; only how attention cuts them changes)."""
    torch.manual_seed(seed)
    return TwoValueModel(config.task, config.d_model, n_heads, config.d_mlp)


def _data(config: TwoValueConfig, seed: int) -> tuple[torch.Tensor, ...]:
    """Every training batch of ``seed``, drawn up front, and its test set: train tokens
    (steps * batch_size, length), their targets, test tokens (n_eval, length), their targets."""
    task = config.task
    train_set = task.sample(
        config.steps * config.batch_size, torch.Generator().manual_seed(10_000 + seed)
    )
    test_set = task.sample(config.n_eval, torch.Generator().manual_seed(20_000 + seed))
    return (*train_set, *test_set)


def _loss(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Cross-entropy of the answers: one number, or one per member of a stack."""
    tokens, targets = batch
    logits, _ = model(tokens)  # (B, n_values), or (members, B, n_values) for a stack
    losses = F.cross_entropy(logits.flatten(0, -2), targets.flatten(), reduction="none")
    return losses.view(targets.shape).mean(-1)


def _train_side_by_side(
    models: list[nn.Module], data: tuple[torch.Tensor, ...], config: TwoValueConfig, progress: bool
) -> tuple[list[int], torch.Tensor]:
    """Train one model per head count (each a plain model, or one stack of them all) in one loop:
    the loss lists every model's (every seed's) loss, and each model's gradient is its own.
    Returns the measurement steps and the accuracies, (head counts, seeds, measurements)."""
    train_x, train_y, test_x, test_y = data
    size, side_by_side = config.batch_size, nn.ModuleList(models)

    def next_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        batch = slice((step - 1) * size, step * size)
        return train_x[..., batch, :], train_y[..., batch]

    def loss(models: nn.ModuleList, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        return torch.stack([_loss(model, batch) for model in models])  # (head counts, [seeds])

    def evaluate() -> dict[str, torch.Tensor]:
        # one row per model and seed: scores (head counts [x seeds], n_eval, n_values)
        with torch.no_grad():
            scores = torch.stack([model(test_x)[0] for model in side_by_side]).flatten(0, -3)
        targets = test_y.expand(len(side_by_side), *test_y.shape).flatten(0, -2)
        return {"accuracy": accuracy(scores, targets, per_seed=True)}

    history = train(
        side_by_side,
        next_batch,
        config.steps,
        config.lr,
        loss=loss,
        evaluate=evaluate,
        eval_every=config.eval_every,
        progress=progress,
    )
    curves = torch.stack(history["accuracy"], dim=-1)  # (head counts [x seeds], measurements)
    return history["eval_step"], curves.view(len(models), -1, curves.shape[-1])


@keeps_global_rng
def run(config: TwoValueConfig, seed: int, progress: bool = True) -> TwoValueResult:
    """Train one plain :class:`TwoValueModel` per head count of ``config`` on ``seed``
    (Chapter 5); :func:`run_seeds` trains several seeds at once."""
    config, (seed,) = _check_config(config), _check_seeds([seed])
    start = time.perf_counter()
    models = [_start(config, h, seed) for h in config.heads]
    steps, curves = _train_side_by_side(models, _data(config, seed), config, progress)
    result = TwoValueResult(config, [seed], steps, seconds=time.perf_counter() - start)
    for h, model, curve in zip(config.heads, models, curves, strict=True):
        result.accuracy[h], result.models[h] = curve, [model.eval()]
    return result


@keeps_global_rng
def run_seeds(
    config: TwoValueConfig, seeds: Sequence[int], progress: bool = True
) -> TwoValueResult:
    """Train every seed of ``seeds`` at every head count of ``config`` (Chapter 5): all of them
    at once, as one :class:`~attnlab.ch05_multi_head.side_by_side.SideBySide` stack of plain
    :class:`TwoValueModel` s. Each seed's numbers are those :func:`run` gives it, up to rounding.
    """
    config, seeds = _check_config(config), _check_seeds(seeds)
    start = time.perf_counter()
    per_seed = [_data(config, s) for s in seeds]
    groups = len(config.heads)  # members: head count after head count, seeds inside
    data = tuple(torch.stack(part * groups) for part in zip(*per_seed, strict=True))
    stack = SideBySide([[_start(config, h, s) for s in seeds] for h in config.heads])
    steps, curves = _train_side_by_side([stack], data, config, progress)
    curves = curves.view(groups, len(seeds), -1)
    result = TwoValueResult(config, seeds, steps, seconds=time.perf_counter() - start)
    for g, h in enumerate(config.heads):
        result.accuracy[h] = curves[g]  # (seeds, measurements)
        result.models[h] = [stack.member(g, i, _start(config, h, s)) for i, s in enumerate(seeds)]
    return result


def half_lookups(
    model: TwoValueModel, tokens: torch.Tensor, targets: torch.Tensor, level: float = 0.9
) -> dict[str, float | list[float]]:
    """Which digit does each head fetch (Chapter 5)? A head *fetches the first digit* of a
    sequence when at least ``level`` of its weight lands on the first half (where that digit
    sits), the second digit likewise; it is *decisive* when it fetches one of the two.

    Returns fractions of the sequences: ``decisive`` (over all sequence x head pairs, the
    decisive ones), ``decisive_by_head`` (a list: per head, the sequences where it is decisive),
    ``first`` (sequence x head pairs that fetch the first digit), ``first_by_head`` (a list: per
    head, the sequences where it fetches the first digit), ``both`` (sequences where some head
    fetches each digit), ``accuracy``, ``accuracy_both`` and ``accuracy_other`` (the model's
    accuracy on all sequences, on those where both digits were fetched, and on the rest; nan
    when there are none)."""
    if not isinstance(model, TwoValueModel):
        raise TypeError(f"model must be a TwoValueModel, got {type(model).__name__}")
    validate.tensor("tokens", tokens, ndim=2, floating=False)
    validate.tensor("targets", targets, ndim=1, floating=False)
    half = model.task.half
    with torch.no_grad():
        logits, weights = model(tokens)
    weights = weights[:, :, 0]  # (sequences, heads, length): the question mark's weights
    first = weights[..., :half].sum(-1) >= level
    second = weights[..., half : 2 * half].sum(-1) >= level
    both = first.any(1) & second.any(1)

    def mean(x: torch.Tensor) -> float:
        return float(x.float().mean()) if x.numel() else float("nan")

    return {
        "decisive": mean(first | second),
        "decisive_by_head": [mean(column) for column in (first | second).T],
        "first": mean(first),
        "first_by_head": [mean(column) for column in first.T],
        "both": mean(both),
        "accuracy": accuracy(logits, targets),
        "accuracy_both": accuracy(logits[both], targets[both]),  # nan when there are none
        "accuracy_other": accuracy(logits[~both], targets[~both]),
    }
