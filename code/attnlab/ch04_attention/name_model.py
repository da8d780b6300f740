"""The attention model of the "called" task, and how it trains on several seeds (Chapters 4 and 6).

:class:`NameModel` is a plain ``nn.Module`` for one batch of sentences: token and position
embeddings, ``n_layers`` causal attention heads (one in Chapter 4, two in Chapter 6), attention
only, and an unembedding. The learned position embedding enters the first layer's queries and keys
only: where a token sits helps choose where to look, but is never copied into the values.

Every run follows the course's one convention: a config whose fields are the run's parameters
(:class:`NameConfig` here; Chapter 6 adds an MLP in its ``NameExperiment``), ``run(config, seed)``
and ``run_seeds(config, seeds)``. ``run_seeds`` trains one copy of the model per seed at once, as a
:class:`~attnlab.core.seedstack.SeedStack`, with the course's one training loop
(:func:`attnlab.core.training.train`); each seed's numbers are those of training it alone, up to
float rounding, and each :class:`NameResult` holds its seed's trained plain model.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from attnlab.ch04_attention.attention import causal_mask, scaled_dot_product_attention
from attnlab.ch04_attention.names import VOCAB, NameTask
from attnlab.core import validate
from attnlab.core.seeds import shift_seed
from attnlab.core.seedstack import SeedStack
from attnlab.core.training import accuracy, train

__all__ = [
    "NameModel",
    "NameTraining",
    "NameConfig",
    "NameResult",
    "init_generator",
    "run",
    "run_seeds",
]


def init_generator(seed: int) -> torch.Generator:
    """The generator a model of seed ``seed`` draws its starting weights from (Chapters 4 and 6)."""
    return torch.Generator().manual_seed((1_000_003 * validate.seed("seed", seed) + 17) % 2**64)


def draw(generator: torch.Generator, *shape: int, scale: float) -> nn.Parameter:
    """A weight of ``shape``, normal random numbers times ``scale`` drawn from ``generator``."""
    return nn.Parameter(torch.randn(*shape, generator=generator) * scale)


class NameModel(nn.Module):
    """Attention only, for the "called" task: ``n_layers`` causal heads over token embeddings.

    ``length`` is the longest sequence it reads (the rows of its position table), ``d_model`` the
    size of every vector, ``seed`` picks the starting weights (:func:`init_generator`).
    ``forward(tokens, ablate, start)`` takes (batch, L) token ids and returns the logits of positions
    ``start`` onwards, (batch, L - start, vocab), and each layer's attention weights, (batch, L, L).
    ``ablate`` names layers (1-based) whose head output is switched off.
    """

    def __init__(self, n_layers: int = 1, length: int = 12, d_model: int = 32, seed: int = 0):
        super().__init__()
        self.n_layers = int(validate.one_of("n_layers", n_layers, (1, 2)))  # type: ignore[call-overload]
        self.length = validate.positive_int("length", length)
        self.d_model = validate.positive_int("d_model", d_model)
        g, vocab, scale = init_generator(seed), len(VOCAB), 1 / math.sqrt(d_model)
        # drawn in this order: embedding, position, queries, keys, values, unembedding
        self.embedding = draw(g, vocab, d_model, scale=1.0)
        self.position = draw(g, length, d_model, scale=1.0)
        self.query = nn.ParameterList(
            draw(g, d_model, d_model, scale=scale) for _ in range(n_layers)
        )
        self.key = nn.ParameterList(draw(g, d_model, d_model, scale=scale) for _ in range(n_layers))
        self.value = nn.ParameterList(
            draw(g, d_model, d_model, scale=scale) for _ in range(n_layers)
        )
        self.unembed = draw(g, d_model, vocab, scale=scale)

    def forward(
        self, tokens: torch.Tensor, ablate: tuple[int, ...] = (), start: int = 0
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits for positions ``start`` onwards (all by default) and each layer's attention."""
        self._check_forward(tokens, ablate, start)
        x = self.embedding[tokens]  # what each token is: one vector per position, (batch, L, d)
        where = self.position[: tokens.shape[1]]  # where each token sits
        mask = causal_mask(tokens.shape[1])  # a position sees itself and the positions before it
        patterns = []
        for layer in range(self.n_layers):
            look = x + where if layer == 0 else x  # positions steer layer 1's queries and keys
            q = look @ self.query[layer]
            k = look @ self.key[layer]
            v = x @ self.value[layer]  # values carry no position: it is never copied
            out, weights = scaled_dot_product_attention(q, k, v, mask)
            patterns.append(weights)
            if layer + 1 not in ablate:  # switching a head off skips its addition
                x = x + out  # the head ADDS what it found: the residual stream
        return x[:, start:] @ self.unembed, patterns  # one score per token of the vocabulary

    def _check_forward(self, tokens: object, ablate: object, start: object) -> None:
        validate.tensor("tokens", tokens, ndim=2, floating=False)
        assert isinstance(tokens, torch.Tensor)
        if not 1 <= tokens.shape[1] <= self.length:
            raise ValueError(
                f"tokens must have shape (batch, 1..{self.length}), got {tuple(tokens.shape)}"
            )
        _check_ablate(ablate, self.n_layers, "an attention model")
        if isinstance(start, bool) or not isinstance(start, int):
            raise TypeError(f"start must be an int position, got {start!r}")
        if not 0 <= start < tokens.shape[1]:
            raise ValueError(f"start must be a position in 0..{tokens.shape[1] - 1}, got {start}")


def _check_ablate(ablate: object, n_layers: int, what: str) -> None:
    if not isinstance(ablate, (tuple, list)):
        raise TypeError(f"ablate must be a tuple of layer numbers, got {ablate!r}")
    for layer in ablate:
        if isinstance(layer, bool) or layer not in range(1, n_layers + 1):
            raise ValueError(f"ablate must name layers in 1..{n_layers} of {what}, got {layer!r}")


# ---------------------------------------------------------------------------------------------
# The run: a config, run(config, seed) and run_seeds(config, seeds)
# ---------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class NameTraining:
    """What every run on the "called" task shares: the task, the training and the measurement.

    A subclass names the model (``kind``), builds it for a seed (``build``) and gives its learning
    rate (``default_lr``): :class:`NameConfig` here, ``NameExperiment`` in Chapter 6.
    """

    steps: int = 400
    """Adam steps (one batch each)."""
    batch_size: int = 64
    """Sentences per step."""
    lr: float | None = None
    """Adam's learning rate; ``None``: the model's own (:attr:`learning_rate`)."""
    context_length: int = 8
    """Tokens of context, before ``so my name is``."""
    name_length: tuple[int, int] | int = (1, 1)
    """(shortest, longest) name, in tokens; e.g. (2, 3) for whole names (Chapter 6)."""
    unseen: int = 0
    """Pool tokens (the last ones) that never occur in training."""
    split: str = "systematic"
    """``"systematic"`` (name group x slot region held out) or ``"none"``."""
    eval_every: int = 10
    """Steps between two measurements of the accuracies."""
    eval_size: int = 200
    """Fresh sentences per measurement, per test set and seed."""

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "eval_every", "eval_size"):
            validate.positive_int(name, getattr(self, name))
        if self.lr is not None:
            self.lr = validate.positive_number("lr", self.lr)
        if isinstance(self.name_length, int) and not isinstance(self.name_length, bool):
            self.name_length = (self.name_length, self.name_length)
        if isinstance(self.name_length, list):
            self.name_length = tuple(self.name_length)  # type: ignore[assignment]
        self.task  # noqa: B018  (checks context_length, name_length, unseen and split now)

    @property
    def task(self) -> NameTask:
        """The task these fields describe."""
        return NameTask(self.context_length, self.name_length, self.unseen, self.split)  # type: ignore[arg-type]

    @property
    def kind(self) -> str:
        raise NotImplementedError

    def default_lr(self) -> float:
        raise NotImplementedError

    def build(self, seed: int) -> nn.Module:
        """The untrained model of ``seed``: a plain module for one batch of (batch, L) tokens."""
        raise NotImplementedError

    @property
    def learning_rate(self) -> float:
        """``lr``, or the model's own rate when ``lr`` is None."""
        return self.default_lr() if self.lr is None else float(self.lr)


@dataclass
class NameConfig(NameTraining):
    """Chapter 4's attention model on the "called" task (Chapter 6 stacks ``n_layers=2``)."""

    n_layers: int = 1
    """Attention layers, one head each: 1 or 2."""
    d_model: int = 32
    """Size of every vector in the model."""

    def __post_init__(self) -> None:
        validate.one_of("n_layers", self.n_layers, (1, 2))
        validate.positive_int("d_model", self.d_model)
        super().__post_init__()

    @property
    def kind(self) -> str:
        return "one_layer" if self.n_layers == 1 else "two_layer"

    def default_lr(self) -> float:
        # 0.01 made the two-layer model's held-out accuracy unstable
        return 1e-2 if self.n_layers == 1 else 5e-3

    def build(self, seed: int) -> nn.Module:
        return NameModel(self.n_layers, self.task.length, self.d_model, seed)


@dataclass
class NameResult:
    """One trained seed: its accuracies, size, time, history, and its trained plain ``model``.

    ``seconds`` is the wall-clock time of the training run, shared by every seed trained in the same
    call; ``history`` holds ``step``, ``train`` and ``heldout`` (every ``eval_every`` steps) and
    ``loss`` (every step).
    """

    kind: str
    seed: int
    train_accuracy: float
    heldout_accuracy: float
    n_params: int
    seconds: float
    history: dict[str, list[float]] = field(repr=False)
    config: NameTraining = field(repr=False)
    model: nn.Module = field(repr=False)
    task: NameTask = field(repr=False)


def _check_seeds(seeds: object) -> list[int]:
    if not isinstance(seeds, (list, tuple)) or not seeds:
        raise TypeError(f"seeds must be a non-empty list of ints, got {seeds!r}")
    shifted = [shift_seed(s) for s in seeds]  # + ATTNLAB_SEED_OFFSET
    if len(set(shifted)) != len(shifted):
        raise ValueError(f"seeds must be distinct, got {list(seeds)}")
    return shifted


def _check_config(config: object) -> NameTraining:
    if not isinstance(config, NameTraining) or type(config) is NameTraining:
        raise TypeError(
            f"config must be a NameConfig (or Chapter 6's NameExperiment), got "
            f"{type(config).__name__}"
        )
    return config


def _sample_per_seed(task: NameTask, gens: list[torch.Generator], n: int, part: str) -> tuple:
    """``n`` examples of ``part`` per seed, each from its own generator, stacked: (seeds, n, L)."""
    parts = [task.sample(n, g, part) for g in gens]
    return tuple(torch.stack([p[i] for p in parts]) for i in range(4))


def run_seeds(
    config: NameTraining,
    seeds: list[int] | tuple[int, ...] = (0, 1, 2, 3, 4),
    progress: bool = False,
) -> list[NameResult]:
    """Train one model per seed on the "called" task, all at once, and measure each (Chapters 4, 6).

    ``config`` is a :class:`NameConfig` (or Chapter 6's ``NameExperiment``). Each seed's result is
    the same as training that seed alone (up to float rounding). The training stream is drawn up
    front from the seed, so it depends on ``steps`` and ``batch_size`` too: the same seed and config
    always give the same numbers.
    """
    config = _check_config(config)
    seeds = _check_seeds(seeds)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    task, size = config.task, config.batch_size
    stack = SeedStack([config.build(s) for s in seeds])
    # the whole training stream, drawn up front (each seed from its own generator)
    data = [torch.Generator().manual_seed(2 * s + 1) for s in seeds]
    stream, stream_targets, _, _ = _sample_per_seed(task, data, config.steps * size, "train")
    first = task.answer_position  # no target comes before "is"
    eval_gens = [torch.Generator().manual_seed(10_000 + s) for s in seeds]
    evals = {
        p: _sample_per_seed(task, eval_gens, config.eval_size, p) for p in ("train", "heldout")
    }

    def next_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        rows = slice((step - 1) * size, step * size)
        return stream[:, rows], stream_targets[:, rows, first:]

    def loss(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        tokens, targets = batch
        logits, _ = model(tokens, start=first)  # (seeds, batch, answer positions, vocab)
        losses = nn.functional.cross_entropy(
            logits.flatten(1, 2).transpose(1, 2), targets.flatten(1), reduction="none"
        )
        counted = (targets.flatten(1) != -100).sum(1).clamp(min=1)
        return losses.sum(1) / counted  # one mean loss per seed

    def evaluate() -> dict[str, list[float]]:
        scores = {}
        for part, (tokens, targets, _, _) in evals.items():
            with torch.no_grad():
                logits, _ = stack(tokens[:, :, : first + 1], start=first)
            right = accuracy(logits[:, :, 0], targets[:, :, first], per_seed=True)
            scores[part] = right.tolist()
        return scores

    clock = time.perf_counter()
    history = train(
        stack, next_batch, config.steps, config.learning_rate, loss=loss, evaluate=evaluate,
        eval_every=config.eval_every, progress=progress,
        description=f"{config.kind} x {len(seeds)} seeds",
    )  # fmt: skip
    seconds = time.perf_counter() - clock
    results = []
    for i, seed in enumerate(seeds):
        own = {key: [row[i] for row in history[key]] for key in ("loss", "train", "heldout")}
        own["step"] = list(history["eval_step"])
        model = stack.member(i)
        results.append(
            NameResult(
                kind=config.kind,
                seed=seed,
                train_accuracy=own["train"][-1],
                heldout_accuracy=own["heldout"][-1],
                n_params=sum(p.numel() for p in model.parameters()),
                seconds=seconds,
                history=own,
                config=config,
                model=model,
                task=task,
            )
        )
    return results


def run(config: NameTraining, seed: int = 0, progress: bool = False) -> NameResult:
    """Train the model of ``config`` on the "called" task with one seed (Chapters 4 and 6).

    Returns a :class:`NameResult` with ``train_accuracy`` (fresh examples of the seen name-group x
    slot combinations), ``heldout_accuracy`` (the crossed combinations), ``n_params``, ``seconds``,
    a per-step ``history`` and the trained plain ``model``.
    """
    seed = validate.seed("seed", seed)
    return run_seeds(config, [seed], progress)[0]
