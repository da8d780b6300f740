"""Multi-head attention, built on Chapter 4's function (Chapter 5).

One head mixes the values with one set of weights per token. Multi-head attention cuts ``d_model``
into ``n_heads`` slices of ``d_head = d_model // n_heads``, lets every slice attend on its own (its
own queries, keys and values), glues the slices back together and mixes them with an output
projection. The parameter count does not depend on ``n_heads``: only how ``d_model`` is cut changes.

The module keeps the course's one mask convention: a boolean ``mask``, True = may attend.
PyTorch's ``nn.MultiheadAttention`` uses the opposite (True = blocked); :func:`mask_from_torch`
translates.

The second half of the module is the chapter's experiment ("this year minus birth year"): a task
where the answer needs two values looked up from two places, trained at one, two and four heads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from attnlab.ch04_attention.attention import _same_dtype, scaled_dot_product_attention
from attnlab.core import validate
from attnlab.core.seeds import shift_seed

__all__ = [
    "split_heads",
    "merge_heads",
    "mask_from_torch",
    "MultiHeadAttention",
    "parameter_count",
    "TwoValueTask",
    "TwoValueModel",
    "TwoValueEnsemble",
    "TwoValueResult",
    "run_two_value_experiment",
    "steps_to_reach",
    "half_lookups",
]


# ---- the reshapes: (B, L, d_model) <-> (B, n_heads, L, d_head) -----------------------------------


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Cut the last dimension into heads: (..., L, d_model) -> (..., n_heads, L, d_head) (Chapter 5).

    Head ``h`` gets the features ``h * d_head`` to ``(h + 1) * d_head - 1`` of every token.
    """
    validate.tensor("x", x, min_ndim=2)
    n_heads = validate.positive_int("n_heads", n_heads)
    *lead, length, d_model = x.shape
    if d_model % n_heads:
        raise ValueError(
            f"the last dimension of x (d_model={d_model}) must be divisible by n_heads={n_heads}"
        )
    return x.reshape(*lead, length, n_heads, d_model // n_heads).transpose(-3, -2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """Glue the heads back side by side: (..., n_heads, L, d_head) -> (..., L, n_heads * d_head)."""
    validate.tensor("x", x, min_ndim=3)
    *lead, n_heads, length, d_head = x.shape
    return x.transpose(-3, -2).reshape(*lead, length, n_heads * d_head)


# ---- masks: the course's convention and PyTorch's ---------------------------------------------------


def mask_from_torch(
    key_padding_mask: torch.Tensor | None = None, attn_mask: torch.Tensor | None = None
) -> torch.Tensor | None:
    """Translate ``nn.MultiheadAttention``'s masks (True = blocked) into the course's (True = may
    attend), shaped to broadcast against the per-head scores (B, n_heads, L, S) (Chapter 5).

    ``key_padding_mask`` is (B, S): True marks a padding key nobody should look at.
    ``attn_mask`` is (L, S): True marks a query/key pair that is not allowed (e.g. the future).
    Both must be boolean. Returns None when both are None.
    """
    mask = None
    if key_padding_mask is not None:
        validate.tensor("key_padding_mask", key_padding_mask, ndim=2, dtype=torch.bool)
        mask = ~key_padding_mask[:, None, None, :]  # (B, 1, 1, S): same for every head and query
    if attn_mask is not None:
        validate.tensor("attn_mask", attn_mask, ndim=2, dtype=torch.bool)
        allowed = ~attn_mask  # (L, S)
        mask = allowed if mask is None else (mask & allowed)
    return mask


def _check_mask(mask: object, scores_shape: tuple[int, ...]) -> torch.Tensor:
    """Check a course-convention mask against the per-head scores' shape (B, n_heads, L, S)."""
    validate.tensor("mask", mask, ndim=(2, 3, 4))
    assert isinstance(mask, torch.Tensor)
    if mask.dtype != torch.bool:
        raise TypeError(
            f"mask must be a boolean tensor (True = may attend), got dtype {mask.dtype}; "
            "a PyTorch-style mask (True = blocked) goes through mask_from_torch first"
        )
    try:
        shape = torch.broadcast_shapes(mask.shape, scores_shape)
    except RuntimeError:
        shape = None
    if shape != torch.Size(scores_shape):
        raise ValueError(
            f"mask of shape {tuple(mask.shape)} does not broadcast to the per-head scores' shape "
            f"{tuple(scores_shape)} (B, n_heads, L query positions, S key positions); e.g. use "
            "(L, S) for a causal mask or (B, 1, 1, S) for padding"
        )
    if not mask.any(dim=-1).all():
        raise ValueError(
            "mask has a query row with nothing to attend to (all False); every query needs at "
            "least one key it may attend to"
        )
    return mask


# ---- the module ---------------------------------------------------------------------------------------


class MultiHeadAttention(nn.Module):
    """``n_heads`` attention heads side by side, then an output projection (Chapter 5).

    ``forward(query, key, value, mask=None)`` takes batch-first tensors: ``query`` (B, L, d_model),
    ``key`` and ``value`` (B, S, d_model) (leave them out for self-attention). It returns
    ``(output, weights)``: output (B, L, d_model) and the per-head weights (B, n_heads, L, S).
    ``mask`` is boolean, True = may attend, broadcastable to (B, n_heads, L, S).

    With ``need_weights=False`` the heads go through PyTorch's fused
    ``torch.nn.functional.scaled_dot_product_attention`` instead of Chapter 4's step-by-step
    function: the same output, faster, and no weights (``weights`` is None).
    """

    def __init__(self, d_model: int, n_heads: int, bias: bool = True) -> None:
        super().__init__()
        self.d_model = validate.positive_int("d_model", d_model)
        self.n_heads = validate.positive_int("n_heads", n_heads)
        if d_model % n_heads:
            raise ValueError(
                f"d_model={d_model} must be divisible by n_heads={n_heads}: every head gets "
                f"d_model // n_heads features (try n_heads in {_divisors(d_model)})"
            )
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be True or False, got {bias!r}")
        self.d_head = d_model // n_heads
        self.query = nn.Linear(d_model, d_model, bias=bias)  # all heads' queries at once
        self.key = nn.Linear(d_model, d_model, bias=bias)
        self.value = nn.Linear(d_model, d_model, bias=bias)
        self.out = nn.Linear(d_model, d_model, bias=bias)  # mixes the glued heads

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor | None = None,
        value: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        need_weights: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        key = query if key is None else key
        value = key if value is None else value
        for name, x in (("query", query), ("key", key), ("value", value)):
            validate.tensor(name, x, ndim=3, floating=True)
            if x.shape[-1] != self.d_model:
                raise ValueError(
                    f"{name} must have shape (B, length, d_model={self.d_model}), "
                    f"got {tuple(x.shape)}"
                )
            _same_dtype(name, x, self.query.weight)
        if key.shape[1] == 0:
            raise ValueError(
                f"key must hold at least one position to attend to, got shape {tuple(key.shape)}"
            )
        if key.shape[:2] != value.shape[:2]:
            raise ValueError(
                f"key and value must have the same batch size and length, got key "
                f"{tuple(key.shape)} and value {tuple(value.shape)}"
            )
        if query.shape[0] != key.shape[0]:
            raise ValueError(
                f"query and key must have the same batch size, got {query.shape[0]} and "
                f"{key.shape[0]}"
            )
        if not isinstance(need_weights, bool):
            raise TypeError(f"need_weights must be True or False, got {need_weights!r}")
        batch, length, source = query.shape[0], query.shape[1], key.shape[1]
        if mask is not None:
            _check_mask(mask, (batch, self.n_heads, length, source))
        q = split_heads(self.query(query), self.n_heads)  # (B, n_heads, L, d_head)
        k = split_heads(self.key(key), self.n_heads)  # (B, n_heads, S, d_head)
        v = split_heads(self.value(value), self.n_heads)
        if need_weights:
            heads, weights = scaled_dot_product_attention(q, k, v, mask)  # Chapter 4, per head
        else:
            heads, weights = F.scaled_dot_product_attention(q, k, v, attn_mask=mask), None
        return self.out(merge_heads(heads)), weights

    @classmethod
    def from_torch(cls, module: nn.MultiheadAttention) -> MultiHeadAttention:
        """A copy of a ``torch.nn.MultiheadAttention`` (batch_first=True) with the same weights.

        PyTorch stores the three input projections stacked in one matrix ``in_proj_weight``
        (queries, then keys, then values); this copies each third into its own layer. A module
        with dropout is refused: this class has none, so the copy would not behave the same.
        """
        if not isinstance(module, nn.MultiheadAttention):
            raise TypeError(
                f"module must be a torch.nn.MultiheadAttention, got {type(module).__name__}"
            )
        if not module.batch_first:
            raise ValueError("module must be built with batch_first=True, like this course's")
        if not module._qkv_same_embed_dim or module.bias_k is not None or module.add_zero_attn:
            raise ValueError(
                "module must use kdim = vdim = embed_dim, add_bias_kv=False and add_zero_attn=False"
            )
        if module.dropout:
            raise ValueError(
                f"module has dropout={module.dropout}, which MultiHeadAttention does not have: "
                "build the torch module with dropout=0.0 to copy it"
            )
        has_bias = module.in_proj_bias is not None
        copy = cls(module.embed_dim, module.num_heads, bias=has_bias)
        with torch.no_grad():
            weights = module.in_proj_weight.chunk(3)
            for layer, weight in zip((copy.query, copy.key, copy.value), weights, strict=True):
                layer.weight.copy_(weight)
            copy.out.weight.copy_(module.out_proj.weight)
            if has_bias:
                biases = module.in_proj_bias.chunk(3)
                for layer, b in zip((copy.query, copy.key, copy.value), biases, strict=True):
                    layer.bias.copy_(b)
                copy.out.bias.copy_(module.out_proj.bias)
        return copy.to(module.in_proj_weight.dtype)


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def parameter_count(d_model: int, n_heads: int, bias: bool = True) -> int:
    """How many numbers a :class:`MultiHeadAttention` learns: 4 d_model² (+ 4 d_model biases).

    ``n_heads`` only changes how the matrices are cut, not their size (Chapter 5).
    """
    return sum(p.numel() for p in MultiHeadAttention(d_model, n_heads, bias).parameters())


# ---- the experiment: "this year minus birth year" ---------------------------------------------------


@dataclass(frozen=True)
class TwoValueTask:
    """Sequences that hide two numbers; the answer needs both (Chapter 5's experiment).

    A sequence has ``2 * half`` slots and then a question mark. Value ``a`` (one of ``n_values``
    number tokens) appears 1 to ``max_repeat`` times in the first ``half`` slots, value ``b`` 1 to
    ``max_repeat`` times in the last ``half`` slots, the other slots hold filler tokens. The target
    is ``(b - a) mod n_values``: with 10 values, the last digit of someone's age from the last
    digits of their birth year (a) and of this year (b).
    Tokens: 0..n_values-1 are numbers, then the fillers, then the question mark.
    """

    n_values: int = 10
    half: int = 4
    n_fillers: int = 4
    max_repeat: int = 3

    def __post_init__(self) -> None:
        validate.positive_int("n_values", self.n_values, minimum=2)
        validate.positive_int("half", self.half)
        validate.positive_int("n_fillers", self.n_fillers)
        validate.positive_int("max_repeat", self.max_repeat)
        if self.max_repeat > self.half:
            raise ValueError(f"max_repeat={self.max_repeat} must be <= half={self.half}")

    @property
    def vocab_size(self) -> int:
        return self.n_values + self.n_fillers + 1

    @property
    def length(self) -> int:
        return 2 * self.half + 1

    @property
    def question(self) -> int:
        """The question-mark token, always last: its query asks for the two values."""
        return self.n_values + self.n_fillers

    def token_names(self) -> list[str]:
        """Printable names: '0', '1', ... for numbers, '·a', '·b'... for fillers, '?' (Chapter 5)."""
        fillers = [f"·{chr(ord('a') + i)}" for i in range(self.n_fillers)]
        return [str(v) for v in range(self.n_values)] + fillers + ["?"]

    def sample(
        self, n: int, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` random sequences (n, length) and their targets (n,), both int64."""
        n = validate.positive_int("n", n)
        g = generator
        a = torch.randint(self.n_values, (n,), generator=g)
        b = torch.randint(self.n_values, (n,), generator=g)
        halves = [self._half(a, n, g), self._half(b, n, g)]
        question = torch.full((n, 1), self.question)
        return torch.cat([*halves, question], dim=1), (b - a) % self.n_values

    def make(self, a: int, b: int, slots_a: Sequence[int], slots_b: Sequence[int]) -> torch.Tensor:
        """One hand-made sequence (length,): ``a`` in ``slots_a`` (0-based, within the first half),
        ``b`` in ``slots_b`` (within the second half), filler ``·a`` elsewhere."""
        for name, v in (("a", a), ("b", b)):
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < self.n_values:
                raise ValueError(f"{name} must be an int in 0..{self.n_values - 1}, got {v!r}")
        tokens = torch.full((self.length,), self.n_values)
        tokens[-1] = self.question
        for name, slots, v, offset in (("slots_a", slots_a, a, 0), ("slots_b", slots_b, b, 1)):
            slots = list(slots)
            if not 1 <= len(slots) <= self.half or any(
                not isinstance(s, int) or not 0 <= s < self.half for s in slots
            ):
                raise ValueError(
                    f"{name} must list 1 to {self.half} slot numbers in 0..{self.half - 1}, "
                    f"got {slots!r}"
                )
            tokens[[s + offset * self.half for s in slots]] = v
        return tokens

    def _half(self, value: torch.Tensor, n: int, g: torch.Generator | None) -> torch.Tensor:
        repeats = torch.randint(1, self.max_repeat + 1, (n, 1), generator=g)
        rank = torch.rand(n, self.half, generator=g).argsort(dim=1).argsort(dim=1)
        fillers = self.n_values + torch.randint(self.n_fillers, (n, self.half), generator=g)
        return torch.where(rank < repeats, value[:, None], fillers)


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


class TwoValueEnsemble(nn.Module):
    """Many :class:`TwoValueModel` s trained at once (Chapter 5): one member per (head count,
    seed). Every weight gets a leading "member" dimension, and one batched matrix product runs
    all members; only the attention step cuts each member's queries, keys and values into its
    own number of heads.

    Member (h, s) starts from the weights that seed ``s`` draws, whatever ``h`` is: the weight
    matrices have the same shapes at every head count, so the head counts start equal.
    """

    def __init__(
        self,
        task: TwoValueTask,
        heads: Sequence[int],
        seeds: Sequence[int],
        d_model: int = 32,
        d_mlp: int = 64,
    ) -> None:
        super().__init__()
        self.task = task
        if not isinstance(heads, (list, tuple)) or not isinstance(seeds, (list, tuple)):
            raise TypeError(
                f"heads and seeds must be lists of ints, got {type(heads).__name__} and "
                f"{type(seeds).__name__}"
            )
        self.heads = [validate.positive_int("n_heads", h) for h in heads]
        self.seeds = [validate.seed("seed", s) for s in seeds]
        if not self.heads or not self.seeds:
            raise ValueError("heads and seeds must each list at least one value")
        for name, values in (("heads", self.heads), ("seeds", self.seeds)):
            if len(set(values)) != len(values):
                raise ValueError(
                    f"{name} must not repeat a value (each one is a member of the ensemble), "
                    f"got {values}"
                )
        self.d_model = validate.positive_int("d_model", d_model)
        self.d_mlp = validate.positive_int("d_mlp", d_mlp)
        for h in self.heads:
            if d_model % h:
                raise ValueError(
                    f"d_model={d_model} must be divisible by every head count, not {h}"
                )
        # Build one ordinary model per seed, then stack their weights: heads-major order.
        start = {}
        with torch.random.fork_rng():  # leave the caller's random state as it was
            for seed in self.seeds:
                torch.manual_seed(seed)
                start[seed] = dict(TwoValueModel(task, d_model, 1, d_mlp).named_parameters())
        for name in start[self.seeds[0]]:
            stacked = torch.stack([start[s][name].detach() for _ in self.heads for s in self.seeds])
            self.register_parameter(name.replace(".", "_"), nn.Parameter(stacked))

    def index(self, n_heads: int, seed: int) -> int:
        """The member number of (``n_heads``, ``seed``)."""
        if n_heads not in self.heads or seed not in self.seeds:
            raise ValueError(
                f"(n_heads, seed) must come from heads {self.heads} and seeds {self.seeds}, "
                f"got ({n_heads!r}, {seed!r})"
            )
        return self.heads.index(n_heads) * len(self.seeds) + self.seeds.index(seed)

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
        """tokens (members, B, length) -> logits (members, B, n_values) and, per head count,
        the question's weights (seeds, B, n_heads, 1, length)."""
        p = dict(self.named_parameters())
        members = torch.arange(tokens.shape[0])[:, None, None]
        x = p["tokens_weight"][members, tokens] + p["positions"][:, None]  # (E, B, T, D)

        def linear(x: torch.Tensor, layer: str) -> torch.Tensor:  # x @ Wᵀ + bias, per member
            w, b = p[f"{layer}_weight"], p[f"{layer}_bias"]  # (E, out, in), (E, out)
            flat = x.reshape(x.shape[0], -1, x.shape[-1])  # (E, everything else, in)
            out = torch.baddbmm(b[:, None], flat, w.transpose(1, 2))
            return out.reshape(*x.shape[:-1], w.shape[1])

        q = linear(x[:, :, -1:], "attention_query")  # only the question mark asks
        k, v = linear(x, "attention_key"), linear(x, "attention_value")
        mixed, weights, n = [], {}, len(self.seeds)
        for g, h in enumerate(self.heads):  # the one step where the head count matters
            part = slice(g * n, (g + 1) * n)
            out, weights[h] = scaled_dot_product_attention(
                split_heads(q[part], h), split_heads(k[part], h), split_heads(v[part], h)
            )  # Chapter 4's function, all heads of all seeds at once
            mixed.append(merge_heads(out))
        h = x[:, :, -1] + linear(torch.cat(mixed), "attention_out")[:, :, 0]
        h = h + linear(torch.relu(linear(F.layer_norm(h, h.shape[-1:]), "mlp_0")), "mlp_2")
        return linear(h, "unembed"), weights

    def member(self, n_heads: int, seed: int) -> TwoValueModel:
        """Member (``n_heads``, ``seed``) as an ordinary :class:`TwoValueModel`, built on
        :class:`MultiHeadAttention` (same weights, same answers)."""
        i = self.index(n_heads, seed)
        model = TwoValueModel(self.task, self.d_model, n_heads, self.d_mlp)
        with torch.no_grad():
            for name, param in model.named_parameters():
                param.copy_(getattr(self, name.replace(".", "_"))[i])
        return model.eval()


@dataclass
class TwoValueResult:
    """The curves of one :func:`run_two_value_experiment` run (Chapter 5)."""

    heads: list[int]
    seeds: list[int]
    steps: list[int]  # the steps at which accuracy was measured
    accuracy: dict[int, torch.Tensor] = field(default_factory=dict)  # heads -> (seeds, evals)
    model: TwoValueEnsemble | None = None
    seconds: float = 0.0  # how long the training took on this machine

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


class _Adam:
    """Adam, in a few lines: each number keeps running averages of its gradient and squared
    gradient and steps by their ratio. (``torch.optim.Adam`` does the same; it is written out
    here because importing ``torch.optim`` costs seconds on a laptop.)"""

    def __init__(self, params: list[nn.Parameter], lr: float, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.mean = [torch.zeros_like(p) for p in params]
        self.square = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self) -> None:
        (b1, b2), self.t = self.betas, self.t + 1
        size = self.lr * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for p, m, v in zip(self.params, self.mean, self.square, strict=True):
            m.lerp_(p.grad, 1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            p.addcdiv_(m, v.sqrt().add_(self.eps * math.sqrt(1 - b2**self.t)), value=-size)


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
    right = (logits.argmax(-1) == targets).float()

    def mean(x: torch.Tensor) -> float:
        return float(x.float().mean()) if x.numel() else float("nan")

    return {
        "decisive": mean(first | second),
        "decisive_by_head": [mean(column) for column in (first | second).T],
        "first": mean(first),
        "first_by_head": [mean(column) for column in first.T],
        "both": mean(both),
        "accuracy": mean(right),
        "accuracy_both": mean(right[both]),
        "accuracy_other": mean(right[~both]),
    }


def run_two_value_experiment(
    heads: Sequence[int] = (1, 2, 4),
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    steps: int = 1200,
    batch_size: int = 32,
    lr: float = 6e-3,
    eval_every: int = 50,
    n_eval: int = 512,
    task: TwoValueTask | None = None,
    d_model: int = 32,
    d_mlp: int = 64,
    progress: bool = True,
) -> TwoValueResult:
    """Train every (head count, seed) pair at once as one :class:`TwoValueEnsemble` (Chapter 5).

    Seed ``s`` gives the same starting weights, training batches and test set at every head
    count, so the head count is the only difference. Accuracy is measured on ``n_eval`` fresh
    sequences every ``eval_every`` steps.
    """
    import time

    from tqdm.auto import tqdm

    task = TwoValueTask() if task is None else task
    steps = validate.positive_int("steps", steps)
    batch_size = validate.positive_int("batch_size", batch_size)
    eval_every = validate.positive_int("eval_every", eval_every)
    n_eval = validate.positive_int("n_eval", n_eval)
    lr = validate.positive_number("lr", lr)
    start = time.perf_counter()
    if isinstance(seeds, (list, tuple)):
        seeds = [shift_seed(s) for s in seeds]  # + ATTNLAB_SEED_OFFSET
    model = TwoValueEnsemble(task, heads, seeds, d_model, d_mlp)
    heads, seeds = model.heads, model.seeds

    def per_member(data: list[torch.Tensor]) -> torch.Tensor:  # one per seed -> every member
        return torch.stack(data * len(heads))

    # Every training batch of every seed, drawn up front: (members, steps * batch, length).
    train = [
        task.sample(steps * batch_size, torch.Generator().manual_seed(10_000 + s)) for s in seeds
    ]
    train_x, train_y = per_member([t[0] for t in train]), per_member([t[1] for t in train])
    test = [task.sample(n_eval, torch.Generator().manual_seed(20_000 + s)) for s in seeds]
    test_x, test_y = per_member([t[0] for t in test]), per_member([t[1] for t in test])
    adam = _Adam(list(model.parameters()), lr)
    result = TwoValueResult(list(heads), list(seeds), [])
    curves: list[torch.Tensor] = []

    def evaluate(step: int) -> None:
        result.steps.append(step)
        with torch.no_grad():
            logits, _ = model(test_x)
            curves.append((logits.argmax(-1) == test_y).float().mean(-1))

    evaluate(0)
    for step in tqdm(range(1, steps + 1), desc="training", disable=not progress):
        batch = slice((step - 1) * batch_size, step * batch_size)
        logits, _ = model(train_x[:, batch])
        loss = F.cross_entropy(logits.flatten(0, 1), train_y[:, batch].flatten(), reduction="none")
        # Sum the members' mean losses: each member's gradient is its own, as if trained alone.
        loss = loss.view(len(logits), -1).mean(-1).sum()
        model.zero_grad()
        loss.backward()
        adam.step()
        if step % eval_every == 0:
            evaluate(step)
    table = torch.stack(curves, dim=1).view(len(heads), len(seeds), -1)
    result.accuracy = {h: table[g] for g, h in enumerate(heads)}
    result.model = model
    result.seconds = time.perf_counter() - start
    return result
