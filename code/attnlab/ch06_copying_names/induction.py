"""Two attention layers that copy a whole name: the "called" task and the induction head (Chapter 6).

The task. A context of ordinary tokens holds ``called NAME`` somewhere, and ends with
``so my name is``; the model must continue with the name. The name is drawn from the same pool as
the filler tokens, so nothing about the token itself says "I am a name": only the ``called`` in front
of it does. A name can be one token or, for whole-name copying, 2-3 sub-word tokens ("key v an")
followed by a comma; the model copies the comma too, and that is how it knows to stop.

The split is systematic, in the style of Chapter 3: the pool is cut into three name groups (by the
first token's index modulo 3) and the slots of ``called`` into three regions (left, middle, right).
Names of group g never appear in region g during training; the held-out test puts them exactly
there. Every name is still an answer in training, in the two other regions. (With only two groups
and two halves, the slot alone would give away half the answer, and models lean on that.)

The models, each a next-token predictor over the whole sequence:

- ``"mlp"``        a hinge network like Chapter 3's, over the concatenated token embeddings;
- ``"one_layer"``  one causal attention head (Chapter 4);
- ``"two_layer"``  two causal attention heads stacked, attention only (no MLP blocks).

In the attention models a learned position embedding enters the first layer's queries and keys
only: where a token sits helps choose where to look, but is never copied into the values.

Several seeds train at once as an *ensemble*: every tensor carries a leading "member" dimension and
each member has its own seed, data stream and Adam state, so the members never interact; training
five seeds costs little more than one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from attnlab.ch04_attention.attention import causal_mask, scaled_dot_product_attention
from attnlab.core import validate
from attnlab.core.seeds import shift_seed

__all__ = [
    "POOL",
    "SPECIALS",
    "VOCAB",
    "MODELS",
    "NameTask",
    "NameResult",
    "Ensemble",
    "run_name_experiment",
    "run_name_experiments",
    "encode",
    "decode",
    "attention_patterns",
    "accuracy",
    "evaluate",
    "ablate_accuracy",
    "induction_score",
    "previous_token_score",
    "repeated_sequence",
    "generate",
    "whole_name_accuracy",
    "circuit_summary",
    "induction_probe",
    "probe_tokens",
    "previous_token_probe",
    "forward_one",
]

# Ordinary words and sub-word pieces. Fillers and names are drawn from the same pool.
POOL: tuple[str, ...] = (
    "key", "rose", "hope", "bill", "mark", "sky", "will", "grace",
    "dawn", "ivy", "ruby", "sage", "june", "rock", "brook", "hunter",
    "baker", "cook", "king", "page", "hill", "lake", "holly", "daisy",
    "lily", "iris", "rain", "star", "frank", "pat", "rich", "victor",
    "v", "an", "el", "ra", "o", "ie", "ta", "ne",
    "li", "sa", "mi", "on", "ka", "er", "y", "us",
)  # fmt: skip
SPECIALS: tuple[str, ...] = ("<pad>", "called", ",", "so", "my", "name", "is")
VOCAB: tuple[str, ...] = SPECIALS + POOL
PAD, CALLED, COMMA = 0, 1, 2
SUFFIX: tuple[int, ...] = (3, 4, 5, 6)  # "so my name is"
MODELS: tuple[str, ...] = ("mlp", "one_layer", "two_layer")
GROUPS = 3  # name groups and slot regions of the systematic split
_INDEX = {token: i for i, token in enumerate(VOCAB)}


def encode(text: str | list[str]) -> list[int]:
    """Token ids of a space-separated string (or list) of course tokens, e.g. ``"called key ,"``."""
    if isinstance(text, str):
        words = text.split()
    elif isinstance(text, list) and all(isinstance(w, str) for w in text):
        words = text
    else:
        raise TypeError(f"text must be a string or a list of strings, got {type(text).__name__}")
    unknown = [w for w in words if w not in _INDEX]
    if unknown:
        raise ValueError(f"text has tokens outside the vocabulary: {unknown}; see induction.VOCAB")
    return [_INDEX[w] for w in words]


def decode(ids: list[int] | torch.Tensor) -> str:
    """The space-separated text of a list of token ids (padding left out)."""
    if isinstance(ids, torch.Tensor):
        ids = ids.tolist()
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise TypeError("ids must be a list of ints or a 1-D integer tensor")
    bad = [i for i in ids if not 0 <= i < len(VOCAB)]
    if bad:
        raise ValueError(f"ids must lie in 0..{len(VOCAB) - 1}, got {bad}")
    return " ".join(VOCAB[i] for i in ids if i != PAD)


# ---------------------------------------------------------------------------------------------
# The task
# ---------------------------------------------------------------------------------------------


@dataclass
class NameTask:
    """The "called" task: how long the context is, how long names are and how they are split.

    ``name_length`` is ``(shortest, longest)`` in tokens. ``unseen`` pool tokens (the last ones) never
    occur in training at all, neither as filler nor in a name; they let us test copying of tokens the
    model has never seen. ``split`` is ``"systematic"`` (the crossed name-group x slot test) or
    ``"none"`` (every combination in training; the held-out set is then just fresh examples).
    """

    context_length: int = 8
    name_length: tuple[int, int] = (1, 1)
    unseen: int = 0
    split: str = "systematic"

    def __post_init__(self) -> None:
        validate.positive_int("context_length", self.context_length, minimum=4)
        if (
            not isinstance(self.name_length, (tuple, list))
            or len(self.name_length) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in self.name_length)
        ):
            raise TypeError(f"name_length must be a pair of ints, got {self.name_length!r}")
        short, long = self.name_length
        if not 1 <= short <= long <= 3:
            raise ValueError(
                f"name_length must satisfy 1 <= shortest <= longest <= 3, got {(short, long)}"
            )
        self.name_length = (short, long)
        validate.positive_int("unseen", self.unseen, minimum=0)
        if self.unseen > len(POOL) // 2:
            raise ValueError(f"unseen must be at most {len(POOL) // 2}, got {self.unseen}")
        validate.one_of("split", self.split, ("systematic", "none"))
        if self.n_slots < GROUPS:
            raise ValueError(
                f"context_length={self.context_length} leaves fewer than {GROUPS} slots for 'called' with "
                f"names of up to {long} tokens; use context_length >= {long + 1 + GROUPS}"
            )

    @property
    def has_comma(self) -> bool:
        """Names of several tokens end with a comma, which the model copies as its signal to stop."""
        return self.name_length != (1, 1)

    @property
    def n_slots(self) -> int:
        """How many positions ``called`` can take: it, the name (and the comma) must fit."""
        return self.context_length - self.name_length[1] - int(self.has_comma)

    @property
    def length(self) -> int:
        """Tokens in a training sequence: context, ``so my name is``, then the name and a comma."""
        extra = self.name_length[1] + 1 if self.has_comma else 0
        return self.context_length + len(SUFFIX) + extra

    @property
    def answer_position(self) -> int:
        """The position of ``is``: the model's prediction there should be the name's first token."""
        return self.context_length + len(SUFFIX) - 1

    def region(self, slot: torch.Tensor) -> torch.Tensor:
        """The region (0, 1 or 2) of a slot: the slots cut into three runs, left to right."""
        bounds = torch.tensor([r * self.n_slots // GROUPS for r in range(1, GROUPS)])
        return torch.bucketize(slot, bounds, right=True)

    def part_of(self, prompt: str | list[str]) -> str:
        """Which test set a prompt belongs to: "train", "heldout" or "unseen" (Chapter 6).

        ``prompt`` is a context of ``context_length`` tokens holding one ``called``, followed by
        ``so my name is``. "unseen" if any of its tokens is one the task keeps out of training;
        otherwise "heldout" if the group of the name's first token equals the region of the slot of
        ``called`` (a crossed combination), else "train".
        """
        ids = encode(prompt)
        if len(ids) != self.context_length + len(SUFFIX) or tuple(ids[-len(SUFFIX) :]) != SUFFIX:
            raise ValueError(
                f"prompt must be {self.context_length} context tokens then 'so my name is', "
                f"got {len(ids)} tokens: {decode(ids)!r}"
            )
        context = ids[: self.context_length]
        if context.count(CALLED) != 1:
            raise ValueError(
                f"prompt must hold 'called' exactly once in its context: {decode(ids)!r}"
            )
        slot = context.index(CALLED)
        if slot >= self.n_slots:
            raise ValueError(
                f"prompt puts 'called' at slot {slot}; this task uses slots 0..{self.n_slots - 1}"
            )
        first = len(SPECIALS)
        if context[slot + 1] < first:
            raise ValueError(f"prompt must have a pool token right after 'called': {decode(ids)!r}")
        seen = len(POOL) - self.unseen
        if any(i >= first + seen for i in ids):
            return "unseen"
        if self.split == "none":
            return "train"
        group = (context[slot + 1] - first) % GROUPS
        region = int(self.region(torch.tensor(slot)))
        return "heldout" if group == region else "train"

    def sample(
        self, n: int, generator: torch.Generator, part: str = "train"
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """``n`` examples: ``(tokens, targets, names, slots)``.

        ``part`` is ``"train"`` (seen combinations), ``"heldout"`` (crossed combinations) or
        ``"unseen"`` (names made of tokens that never occur in training). ``targets`` holds the next
        token at every position that is part of the answer and -100 elsewhere; ``names`` is (n, 3),
        padded with 0.
        """
        validate.positive_int("n", n)
        validate.one_of("part", part, ("train", "heldout", "unseen"))
        short, long = self.name_length
        seen = len(POOL) - self.unseen
        first = len(SPECIALS)
        tokens = torch.randint(first, first + seen, (n, self.length), generator=generator)
        tokens[:, self.context_length :] = PAD
        tokens[:, self.context_length : self.context_length + len(SUFFIX)] = torch.tensor(SUFFIX)
        sizes = torch.randint(short, long + 1, (n,), generator=generator)
        if part == "unseen":
            if self.unseen == 0:
                raise ValueError("part='unseen' needs a task built with unseen > 0")
            low, high = first + seen, first + len(POOL)
        else:
            low, high = first, first + seen
        names = torch.randint(low, high, (n, 3), generator=generator)
        names[torch.arange(3).expand(n, 3) >= sizes[:, None]] = PAD
        slots = torch.randint(0, self.n_slots, (n,), generator=generator)
        if self.split == "systematic" and part != "unseen":
            group = (names[:, 0] - first) % GROUPS  # the name's group, from its first token
            # heldout: the slot lies in the region numbered like the group; train: any other region
            shift = torch.randint(1, GROUPS, (n,), generator=generator)
            region = group if part == "heldout" else (group + shift) % GROUPS
            low_slot = region * self.n_slots // GROUPS
            high_slot = (region + 1) * self.n_slots // GROUPS
            offset = torch.rand(n, generator=generator)
            slots = low_slot + (offset * (high_slot - low_slot)).long()
        rows = torch.arange(n)
        tokens[rows, slots] = CALLED
        for j in range(3):
            has = sizes > j
            tokens[rows[has], slots[has] + 1 + j] = names[has, j]
        if self.has_comma:
            tokens[rows, slots + 1 + sizes] = COMMA
        targets = torch.full_like(tokens, -100)
        answer = self.answer_position
        targets[:, answer] = names[:, 0]
        if self.has_comma:
            for j in range(3):
                has = sizes > j
                tokens[rows[has], answer + 1 + j] = names[has, j]
                targets[rows[has], answer + 1 + j] = torch.where(
                    sizes[has] > j + 1, names[has, (j + 1) % 3], torch.tensor(COMMA)
                )
        return tokens, targets, names, slots


# ---------------------------------------------------------------------------------------------
# The models, as ensembles of independent members
# ---------------------------------------------------------------------------------------------


def _init(generator: torch.Generator, members: int, *shape: int, scale: float) -> nn.Parameter:
    return nn.Parameter(torch.randn(members, *shape, generator=generator) * scale)


class Ensemble(nn.Module):
    """``members`` independent copies of one model, trained side by side (Chapter 6).

    ``kind`` is ``"mlp"``, ``"one_layer"`` or ``"two_layer"``. ``forward(tokens)`` takes
    (members, batch, length) token ids and returns logits (members, batch, length, vocab); the
    attention models also return the attention weights of each layer, (members, batch, L, L).
    ``ablate`` names layers (1-based) whose head output is replaced by zeros.
    """

    def __init__(
        self,
        kind: str,
        seeds: list[int],
        length: int,
        d_model: int = 32,
        hidden: int = 48,
        embed: int = 16,
    ) -> None:
        super().__init__()
        self.kind = str(validate.one_of("model", kind, MODELS))
        self.seeds = list(seeds)
        self.length = length
        members, vocab = len(seeds), len(VOCAB)
        gens = [torch.Generator().manual_seed((1_000_003 * s + 17) % 2**64) for s in seeds]

        def stack(*shape: int, scale: float) -> nn.Parameter:
            # each member draws its own initial weights from its own seed
            return nn.Parameter(
                torch.stack([torch.randn(*shape, generator=g) * scale for g in gens])
            )

        if self.kind == "mlp":
            self.embedding = stack(vocab, embed, scale=1.0)
            self.hidden_weight = stack(length * embed, hidden, scale=1 / math.sqrt(length * embed))
            self.hidden_bias = nn.Parameter(torch.zeros(members, 1, hidden))
            self.out_weight = stack(hidden, vocab, scale=1 / math.sqrt(hidden))
            self.out_bias = nn.Parameter(torch.zeros(members, 1, vocab))
        else:
            self.n_layers = 1 if self.kind == "one_layer" else 2
            self.d_model = d_model
            self.embedding = stack(vocab, d_model, scale=1.0)
            self.position = stack(length, d_model, scale=1.0)
            scale = 1 / math.sqrt(d_model)
            self.query = nn.ParameterList(
                [stack(d_model, d_model, scale=scale) for _ in range(self.n_layers)]
            )
            self.key = nn.ParameterList(
                [stack(d_model, d_model, scale=scale) for _ in range(self.n_layers)]
            )
            self.value = nn.ParameterList(
                [stack(d_model, d_model, scale=scale) for _ in range(self.n_layers)]
            )
            self.unembed = stack(d_model, vocab, scale=scale)

    @property
    def n_params(self) -> int:
        """Parameters of ONE member."""
        return sum(p.numel() for p in self.parameters()) // len(self.seeds)

    def _embed(self, table: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        members = torch.arange(tokens.shape[0]).view(-1, 1, 1)
        return table[members, tokens]  # (M, B, L, d)

    def forward(
        self, tokens: torch.Tensor, ablate: tuple[int, ...] = (), start: int = 0
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits for positions ``start`` onwards (all by default) and the attention weights."""
        validate.tensor("tokens", tokens, ndim=3, floating=False)
        if tokens.shape[0] != len(self.seeds) or tokens.shape[2] > self.length:
            raise ValueError(
                f"tokens must have shape ({len(self.seeds)}, batch, <= {self.length}), "
                f"got {tuple(tokens.shape)}"
            )
        length = tokens.shape[2]
        if self.kind == "mlp":
            # each position sees a window of the last `self.length` tokens, padded on the left
            padded = nn.functional.pad(tokens, (self.length - 1, 0), value=PAD)
            windows = padded.unfold(2, self.length, 1)[:, :, start:]  # (M, B, L - start, window)
            x = self._embed(self.embedding, windows.flatten(2))  # (M, B, (L - start) * window, e)
            x = x.reshape(*windows.shape[:3], -1)  # the window's embeddings side by side
            h = torch.relu(
                torch.einsum("mbli,mih->mblh", x, self.hidden_weight) + self.hidden_bias[:, None]
            )
            logits = torch.einsum("mblh,mhv->mblv", h, self.out_weight) + self.out_bias[:, None]
            return logits, []
        x = self._embed(self.embedding, tokens)  # what each token is
        where = self.position[:, None, :length]  # where it sits: used to choose, never copied
        mask = causal_mask(length)
        patterns = []
        for layer in range(self.n_layers):
            look = x + where if layer == 0 else x  # positions steer the first layer only
            q = torch.einsum("mbld,mdk->mblk", look, self.query[layer])
            k = torch.einsum("mbld,mdk->mblk", look, self.key[layer])
            v = torch.einsum("mbld,mdk->mblk", x, self.value[layer])
            out, weights = scaled_dot_product_attention(q, k, v, mask)
            patterns.append(weights)
            if layer + 1 not in ablate:
                x = x + out  # the head writes into the residual stream
        return torch.einsum("mbld,mdv->mblv", x[:, :, start:], self.unembed), patterns


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


@dataclass
class NameResult:
    """One trained member: accuracies, size, time, history, and the ensemble it lives in.

    ``seconds`` is the wall-clock time of the whole training run, shared by every member trained
    in the same call; ``n_params`` counts one member's parameters.
    """

    model: str
    seed: int
    train_accuracy: float
    heldout_accuracy: float
    n_params: int
    seconds: float
    history: dict[str, list[float]] = field(repr=False)
    options: dict = field(repr=False)
    network: Ensemble = field(repr=False)
    member: int = 0
    task: NameTask = field(default_factory=NameTask, repr=False)


_DEFAULTS: dict = {
    "steps": 400,
    "batch_size": 64,
    "lr": None,
    "d_model": 32,
    "hidden": 48,
    "embed": 16,
    "context_length": 8,
    "name_length": (1, 1),
    "unseen": 0,
    "split": "systematic",
    "eval_every": 10,
    "eval_size": 200,
    "progress": False,
}
# Adam's learning rate per model; 0.01 made the two-layer model's held-out accuracy unstable.
_LR = {"mlp": 1e-2, "one_layer": 1e-2, "two_layer": 5e-3}


def _options(model: str, options: dict) -> dict:
    validate.one_of("model", model, MODELS)
    unknown = sorted(set(options) - set(_DEFAULTS))
    if unknown:
        raise ValueError(
            f"unknown option(s) {unknown}; run_name_experiment accepts {sorted(_DEFAULTS)}"
        )
    opts = {**_DEFAULTS, **options}
    for name in ("steps", "batch_size", "d_model", "hidden", "embed", "eval_every", "eval_size"):
        validate.positive_int(name, opts[name])
    if opts["lr"] is None:
        opts["lr"] = _LR[model]
    opts["lr"] = validate.positive_number("lr", opts["lr"])
    if not isinstance(opts["progress"], bool):
        raise TypeError(f"progress must be True or False, got {opts['progress']!r}")
    if isinstance(opts["name_length"], int) and not isinstance(opts["name_length"], bool):
        opts["name_length"] = (opts["name_length"], opts["name_length"])
    opts["name_length"] = (
        tuple(opts["name_length"]) if isinstance(opts["name_length"], list) else opts["name_length"]
    )
    return opts


def accuracy(
    network: Ensemble, tokens: torch.Tensor, targets: torch.Tensor, ablate: tuple[int, ...] = ()
) -> torch.Tensor:
    """Per-member accuracy of the first answer token (the prediction after ``is``), teacher-forced.

    ``tokens`` and ``targets`` are (members, batch, length) as :meth:`NameTask.sample` makes them,
    stacked per member; ``ablate`` names layers whose head is switched off (Chapter 6).
    """
    validate.tensor("tokens", tokens, ndim=3, floating=False)
    validate.tensor("targets", targets, ndim=3, floating=False)
    validate.same_shape("tokens", tokens, "targets", targets)
    answer = int((targets[0, 0] != -100).nonzero()[0])  # the position of "is"
    with torch.no_grad():
        logits, _ = network(tokens[:, :, : answer + 1], ablate=ablate, start=answer)
    return (logits[:, :, 0].argmax(-1) == targets[:, :, answer]).float().mean(dim=1)


def _batch(
    task: NameTask, gens: list[torch.Generator], n: int, part: str
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    parts = [task.sample(n, g, part) for g in gens]
    return tuple(torch.stack([p[i] for p in parts]) for i in range(4))  # type: ignore[return-value]


def run_name_experiments(
    model: str, seeds: list[int] | tuple[int, ...] = (0, 1, 2, 3, 4), **options: object
) -> list[NameResult]:
    """Train one member per seed on the "called" task, all at once, and measure each (Chapter 6).

    Options (defaults in brackets): ``steps`` [400], ``batch_size`` [64], ``lr`` [0.01; 0.005
    for "two_layer"],
    ``d_model`` [32] for attention, ``hidden`` [48] and ``embed`` [16] for the MLP,
    ``context_length`` [8], ``name_length`` [(1, 1)] or e.g. (2, 3) for whole names, ``unseen`` [0],
    ``split`` ["systematic"], ``eval_every`` [10], ``eval_size`` [200], ``progress`` [False].
    The defaults are Chapter 6's settings for single-token names.
    Each member's result is the same as training that seed alone (up to float rounding). The
    training stream is drawn up front from the seed, so it depends on ``steps`` and ``batch_size``
    too: the same seed and options always give the same numbers.
    """
    if not isinstance(seeds, (list, tuple)) or not seeds:
        raise TypeError(f"seeds must be a non-empty list of ints, got {seeds!r}")
    seeds = [shift_seed(s) for s in seeds]  # + ATTNLAB_SEED_OFFSET
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {list(seeds)}")
    opts = _options(model, dict(options))
    task = NameTask(opts["context_length"], opts["name_length"], opts["unseen"], opts["split"])
    seeds = [int(s) for s in seeds]
    network = Ensemble(model, seeds, task.length, opts["d_model"], opts["hidden"], opts["embed"])
    data_gens = [torch.Generator().manual_seed(2 * s + 1) for s in seeds]
    # the whole training stream, drawn up front (each member from its own seed)
    stream, stream_targets, _, _ = _batch(
        task, data_gens, opts["steps"] * opts["batch_size"], "train"
    )
    first = task.answer_position  # no target comes before "is"
    eval_gens = [torch.Generator().manual_seed(10_000 + s) for s in seeds]
    evals = {p: _batch(task, eval_gens, opts["eval_size"], p) for p in ("train", "heldout")}
    optimizer = torch.optim.Adam(network.parameters(), lr=opts["lr"])
    history: dict[str, list] = {"step": [], "loss": [], "train": [], "heldout": []}
    steps = range(opts["steps"] + 1)
    if opts["progress"]:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc=f"{model} x {len(seeds)} seeds", leave=False)
    start = time.perf_counter()
    for step in steps:
        if step % opts["eval_every"] == 0 or step == opts["steps"]:
            history["step"].append(step)
            for p in ("train", "heldout"):
                history[p].append(accuracy(network, evals[p][0], evals[p][1]).tolist())
        if step == opts["steps"]:
            continue  # the last step is only measured (and the progress bar completes)
        rows = slice(step * opts["batch_size"], (step + 1) * opts["batch_size"])
        tokens, targets = stream[:, rows], stream_targets[:, rows, first:]
        logits, _ = network(tokens, start=first)
        losses = nn.functional.cross_entropy(
            logits.flatten(1, 2).transpose(1, 2), targets.flatten(1), reduction="none"
        )  # (members, batch*answer_positions)
        counted = (targets.flatten(1) != -100).sum(1).clamp(min=1)
        per_member = losses.sum(1) / counted
        optimizer.zero_grad()
        per_member.sum().backward()  # members share no weights, so each gets its own gradient
        optimizer.step()
        history["loss"].append(per_member.tolist())
    seconds = time.perf_counter() - start
    network.eval()
    results = []
    for i, seed in enumerate(seeds):
        own = {key: [row[i] for row in rows] for key, rows in history.items() if key != "step"}
        own["step"] = list(history["step"])
        results.append(
            NameResult(
                model=model,
                seed=seed,
                train_accuracy=own["train"][-1],
                heldout_accuracy=own["heldout"][-1],
                n_params=network.n_params,
                seconds=seconds,
                history=own,
                options=dict(opts),
                network=network,
                member=i,
                task=task,
            )
        )
    return results


def run_name_experiment(model: str, seed: int = 0, **options: object) -> NameResult:
    """Train ``model`` ("mlp", "one_layer" or "two_layer") on the "called" task with one seed.

    Returns a :class:`NameResult` with ``train_accuracy`` (fresh examples of the seen name-group x
    slot combinations), ``heldout_accuracy`` (the crossed combinations), ``n_params``, ``seconds``
    and a per-step ``history`` (``step``, ``train``, ``heldout`` every ``eval_every`` steps;
    ``loss`` every step). Options as in :func:`run_name_experiments` (Chapters 4 and 6).
    """
    seed = validate.seed("seed", seed)
    return run_name_experiments(model, [seed], **options)[0]


# ---------------------------------------------------------------------------------------------
# Looking inside: attention patterns, ablation, the induction score, generation
# ---------------------------------------------------------------------------------------------


def _check_result(result: object) -> NameResult:
    if not isinstance(result, NameResult):
        raise TypeError(
            f"result must be a NameResult from run_name_experiment, got {type(result).__name__}"
        )
    return result


def _as_ids(name: str, tokens: object) -> torch.Tensor:
    if isinstance(tokens, str) or (
        isinstance(tokens, list) and tokens and isinstance(tokens[0], str)
    ):
        return torch.tensor(encode(tokens))
    if isinstance(tokens, list):
        tokens = (
            torch.tensor(tokens, dtype=torch.long) if tokens else torch.zeros(0, dtype=torch.long)
        )
    validate.tensor(name, tokens, ndim=1, floating=False)
    assert isinstance(tokens, torch.Tensor)
    validate.non_empty(name, tokens)
    if tokens.min() < 0 or tokens.max() >= len(VOCAB):
        raise ValueError(f"{name} must hold token ids in 0..{len(VOCAB) - 1}")
    return tokens.long()


def _for_members(result: NameResult, tokens: torch.Tensor) -> torch.Tensor:
    """One sequence (L,) or a batch (B, L), copied for every member of the result's ensemble."""
    batch = tokens if tokens.dim() == 2 else tokens[None]
    return batch[None].expand(len(result.network.seeds), *batch.shape)


def attention_patterns(result: NameResult, tokens: str | list | torch.Tensor) -> list[torch.Tensor]:
    """The attention weights of each layer for one sequence: a list of (L, L) tensors (Chapter 6).

    Row i is what position i attends to; entries above the diagonal are 0 (causal).
    """
    result = _check_result(result)
    if result.model == "mlp":
        raise ValueError("an MLP has no attention: pass a result of 'one_layer' or 'two_layer'")
    ids = _as_ids("tokens", tokens)
    if len(ids) > result.network.length:
        raise ValueError(f"tokens can hold at most {result.network.length} tokens, got {len(ids)}")
    with torch.no_grad():
        _, patterns = result.network(_for_members(result, ids))
    return [p[result.member, 0] for p in patterns]


def evaluate(
    result: NameResult,
    part: str = "heldout",
    ablate: tuple[int, ...] = (),
    n: int = 512,
    seed: int = 99,
) -> float:
    """Accuracy of the first name token on ``n`` fresh examples of ``part``, with heads ablated.

    ``part`` is "train" (seen combinations), "heldout" (crossed) or "unseen" (new tokens).
    ``ablate`` lists layers (1-based) whose head is switched off: its output becomes zeros.
    """
    result = _check_result(result)
    validate.one_of("part", part, ("train", "heldout", "unseen"))
    validate.positive_int("n", n)
    seed = validate.seed("seed", seed)
    if not isinstance(ablate, (tuple, list)):
        raise TypeError(f"ablate must be a tuple of layer numbers, got {ablate!r}")
    layers = getattr(result.network, "n_layers", 0)
    for layer in ablate:
        if layer not in range(1, layers + 1):
            raise ValueError(
                f"ablate must name layers in 1..{layers} of a {result.model}, got {layer}"
            )
    generator = torch.Generator().manual_seed(seed)
    tokens, targets, _, _ = result.task.sample(n, generator, part)
    acc = accuracy(
        result.network, _for_members(result, tokens), _for_members(result, targets), tuple(ablate)
    )
    return float(acc[result.member])


def ablate_accuracy(result: NameResult, part: str = "heldout", n: int = 512) -> dict[str, float]:
    """Accuracy with every head on, and with each layer's head switched off in turn (Chapter 6)."""
    result = _check_result(result)
    layers = getattr(result.network, "n_layers", 0)
    if layers == 0:
        raise ValueError("an MLP has no heads to ablate")
    scores = {"none": evaluate(result, part, (), n)}
    for layer in range(1, layers + 1):
        scores[f"layer {layer}"] = evaluate(result, part, (layer,), n)
    return scores


def _square(pattern: object) -> torch.Tensor:
    validate.tensor("pattern", pattern, ndim=2, floating=True)
    assert isinstance(pattern, torch.Tensor)
    if pattern.shape[0] != pattern.shape[1]:
        raise ValueError(f"pattern must be square (L, L), got shape {tuple(pattern.shape)}")
    return pattern


def previous_token_score(pattern: torch.Tensor) -> float:
    """Mean weight each position (from the second on) gives to the position just before it."""
    pattern = _square(pattern)
    if pattern.shape[0] < 2:
        raise ValueError("pattern must be at least 2 x 2")
    return float(pattern.diagonal(offset=-1).mean())


def induction_score(pattern: torch.Tensor, period: int) -> float:
    """How much a head acts as an induction head on a sequence that repeats after ``period`` tokens.

    At a position i of the repeat (i >= period) the current token last occurred at i - period, and
    the token that came next then sits at i - period + 1: an induction head attends there. The
    score is the mean of ``pattern[i, i - period + 1]`` over the repeat; 1 is a perfect induction
    head (Olsson et al. 2022 use the same probe).
    """
    pattern = _square(pattern)
    period = validate.positive_int("period", period)
    if pattern.shape[0] <= period:
        raise ValueError(f"pattern of size {pattern.shape[0]} has no repeat after period={period}")
    rows = torch.arange(period, pattern.shape[0])
    return float(pattern[rows, rows - period + 1].mean())


def repeated_sequence(
    period: int, seed: int = 0, repeats: int = 2, *, pool_size: int = len(POOL)
) -> torch.Tensor:
    """``period`` distinct random pool tokens, repeated ``repeats`` times: the induction probe.

    The tokens are drawn from the first ``pool_size`` tokens of the pool (all of it by default;
    Chapter 6 passes the part a model trained on, leaving out the never-seen tokens).
    """
    period = validate.positive_int("period", period)
    repeats = validate.positive_int("repeats", repeats, minimum=2)
    seed = validate.seed("seed", seed)
    pool_size = validate.positive_int("pool_size", pool_size)
    if pool_size > len(POOL):
        raise ValueError(
            f"pool_size must be at most {len(POOL)} (the pool's size), got {pool_size}"
        )
    if period > pool_size:
        raise ValueError(
            f"period must be at most {pool_size} (the tokens to draw from), got {period}"
        )
    generator = torch.Generator().manual_seed(seed)
    tokens = len(SPECIALS) + torch.randperm(pool_size, generator=generator)[:period]
    return tokens.repeat(repeats)


def _generate(network: Ensemble, tokens: torch.Tensor, max_new: int) -> torch.Tensor:
    """Greedy continuation of (members, batch, L) prompts; stops growing at the network's length."""
    out = tokens
    for _ in range(max_new):
        if out.shape[2] >= network.length:
            break
        with torch.no_grad():
            logits, _ = network(out, start=out.shape[2] - 1)
        out = torch.cat([out, logits[:, :, -1].argmax(-1, keepdim=True)], dim=2)
    return out


def generate(result: NameResult, prompt: str | list | torch.Tensor, max_new: int = 4) -> str:
    """Greedy completion of a prompt such as "... called key v an , rain so my name is"."""
    result = _check_result(result)
    ids = _as_ids("prompt", prompt)
    max_new = validate.positive_int("max_new", max_new)
    if len(ids) >= result.network.length:
        raise ValueError(
            f"prompt must be shorter than {result.network.length} tokens, got {len(ids)}"
        )
    out = _generate(result.network, _for_members(result, ids), max_new)[result.member, 0]
    new = out[len(ids) :].tolist()
    if COMMA in new:
        new = new[: new.index(COMMA) + 1]
    return decode(new)


def whole_name_accuracy(
    result: NameResult, part: str = "heldout", n: int = 256, seed: int = 7
) -> float:
    """Fraction of ``n`` fresh prompts whose greedy completion is the whole name, then the comma."""
    result = _check_result(result)
    validate.one_of("part", part, ("train", "heldout", "unseen"))
    validate.positive_int("n", n)
    seed = validate.seed("seed", seed)
    task = result.task
    tokens, _, names, _ = task.sample(n, torch.Generator().manual_seed(seed), part)
    prompts = tokens[:, : task.answer_position + 1]
    out = _generate(result.network, _for_members(result, prompts), task.name_length[1] + 1)
    new = out[result.member, :, task.answer_position + 1 :]
    sizes = (names != PAD).sum(1)
    wanted = torch.full_like(new, -1)
    for j in range(new.shape[1]):
        wanted[:, j] = torch.where(
            sizes > j, names[:, min(j, 2)], torch.where(sizes == j, COMMA, -1)
        )
    correct = ((new == wanted) | (wanted == -1)).all(1)
    return float(correct.float().mean())


def circuit_summary(
    result: NameResult, part: str = "heldout", n: int = 200, seed: int = 11
) -> dict:
    """How often the two heads do what Chapter 6 says, on ``n`` fresh single-name sentences.

    ``"layer 1: name -> called"`` is the fraction of sentences in which layer 1's head, at the name,
    attends most to "called"; ``"layer 2: is -> name"`` the fraction in which layer 2's head, at
    "is", attends most to the name.
    """
    result = _check_result(result)
    if getattr(result.network, "n_layers", 0) != 2 or result.task.has_comma:
        raise ValueError("circuit_summary needs a two_layer result trained on single-token names")
    validate.one_of("part", part, ("train", "heldout"))
    validate.positive_int("n", n)
    task = result.task
    tokens, _, _, slots = task.sample(n, torch.Generator().manual_seed(seed), part)
    prompts = tokens[:, : task.answer_position + 1]
    with torch.no_grad():
        _, (first, second) = result.network(_for_members(result, prompts))
    first, second = first[result.member], second[result.member]
    rows = torch.arange(n)
    marks = first[rows, slots + 1].argmax(-1) == slots
    finds = second[rows, task.answer_position].argmax(-1) == slots + 1
    return {
        "layer 1: name -> called": float(marks.float().mean()),
        "layer 2: is -> name": float(finds.float().mean()),
    }


def induction_probe(result: NameResult, period: int = 6, n: int = 10, layer: int = 2) -> float:
    """The mean induction score of one layer's head over ``n`` random repeated sequences (seeds 0..n-1).

    One random sequence gives a noisy score; the mean over several is the number Chapter 6 reports.
    The tokens come from the part of the pool the model trained on (never-seen tokens left out),
    and the sequence starts at position 0.
    """
    result = _check_result(result)
    layers = getattr(result.network, "n_layers", 0)
    if layer not in range(1, layers + 1):
        raise ValueError(f"layer must be one of 1..{layers} for a {result.model}, got {layer!r}")
    n = validate.positive_int("n", n)
    period = validate.positive_int("period", period)
    if 2 * period > result.network.length:
        raise ValueError(
            f"period must be at most {result.network.length // 2} for this model, got {period}"
        )
    scores = [
        induction_score(
            attention_patterns(result, probe_tokens(result, period, seed))[layer - 1], period
        )
        for seed in range(n)
    ]
    return sum(scores) / n


def probe_tokens(result: NameResult, period: int = 6, seed: int = 0) -> torch.Tensor:
    """The repeated sequence :func:`induction_probe` feeds ``result`` for one seed (Chapter 6).

    :func:`repeated_sequence` drawn from the pool tokens the model trained on.
    """
    result = _check_result(result)
    return repeated_sequence(period, seed, pool_size=len(POOL) - result.task.unseen)


def previous_token_probe(
    result: NameResult, layer: int = 1, n: int = 50, seed: int = 12, part: str = "heldout"
) -> float:
    """Mean :func:`previous_token_score` of one layer's head on ``n`` fresh sentences (Chapter 6).

    Each sentence is a prompt of ``part`` up to ``is``; the score averages, over all its positions
    from the second on, the weight the head puts on the token just before.
    """
    result = _check_result(result)
    layers = getattr(result.network, "n_layers", 0)
    if layer not in range(1, layers + 1):
        raise ValueError(f"layer must be one of 1..{layers} for a {result.model}, got {layer!r}")
    n = validate.positive_int("n", n)
    seed = validate.seed("seed", seed)
    validate.one_of("part", part, ("train", "heldout", "unseen"))
    task = result.task
    tokens, _, _, _ = task.sample(n, torch.Generator().manual_seed(seed), part)
    prompts = tokens[:, : task.answer_position + 1]
    with torch.no_grad():
        _, patterns = result.network(_for_members(result, prompts))
    pattern = patterns[layer - 1][result.member]  # (n, L, L)
    return float(pattern.diagonal(offset=-1, dim1=1, dim2=2).mean())


def forward_one(result: NameResult, tokens: str | list | torch.Tensor) -> torch.Tensor:
    """The forward pass of one trained attention model, written out for one sentence (Chapter 6).

    Returns the logits (L, vocab); the same numbers as the batched :class:`Ensemble`, without its
    member and batch dimensions.
    """
    result = _check_result(result)
    if result.model == "mlp":
        raise ValueError(
            "forward_one writes out the attention models: pass a 'one_layer' or 'two_layer' result"
        )
    ids = _as_ids("tokens", tokens)
    net, m = result.network, result.member
    if len(ids) > net.length:
        raise ValueError(f"tokens can hold at most {net.length} tokens, got {len(ids)}")
    with torch.no_grad():
        x = net.embedding[m][ids]  # what each token is: one row per position, (L, d)
        where = net.position[m][: len(ids)]  # where each token sits
        mask = causal_mask(len(ids))  # a position sees itself and the positions before it
        for layer in range(net.n_layers):
            look = x + where if layer == 0 else x  # positions steer layer 1's queries and keys
            q = look @ net.query[layer][m]
            k = look @ net.key[layer][m]
            v = x @ net.value[layer][m]  # values carry no position: it is never copied
            out, _ = scaled_dot_product_attention(q, k, v, mask)
            x = x + out  # the head ADDS what it found: the residual stream
        return x @ net.unembed[m]  # one score per token of the vocabulary
