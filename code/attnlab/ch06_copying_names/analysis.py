"""Looking inside a trained model of Chapter 6: attention, ablation, probes and generation.

Every function takes a :class:`~attnlab.ch04_attention.name_model.NameResult` and works on its
seed's trained plain model, ``result.model``, which reads a batch of (batch, L) token ids.
"""

from __future__ import annotations

import torch

from attnlab.ch04_attention.name_model import NameResult
from attnlab.ch04_attention.names import COMMA, PAD, POOL, SPECIALS, VOCAB, decode, encode
from attnlab.core import validate
from attnlab.core.training import accuracy

__all__ = [
    "attention_patterns",
    "evaluate",
    "ablate_accuracy",
    "previous_token_score",
    "induction_score",
    "repeated_sequence",
    "generate",
    "whole_name_accuracy",
    "circuit_summary",
    "induction_probe",
    "probe_tokens",
    "previous_token_probe",
]


def _check_result(result: object) -> NameResult:
    if not isinstance(result, NameResult):
        raise TypeError(
            f"result must be a NameResult from run or run_seeds, got {type(result).__name__}"
        )
    return result


def _layers(result: NameResult) -> int:
    return getattr(result.model, "n_layers", 0)


def _check_layer(result: NameResult, layer: object) -> None:
    layers = _layers(result)
    if isinstance(layer, bool) or layer not in range(1, layers + 1):
        raise ValueError(f"layer must be one of 1..{layers} for a {result.kind}, got {layer!r}")


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


def _prompts(result: NameResult, part: str, n: int, seed: int) -> tuple:
    """``n`` fresh sentences of ``part`` cut after "is", with their names and slots."""
    task = result.task
    tokens, targets, names, slots = task.sample(n, torch.Generator().manual_seed(seed), part)
    return tokens[:, : task.answer_position + 1], targets, names, slots


def attention_patterns(result: NameResult, tokens: str | list | torch.Tensor) -> list[torch.Tensor]:
    """The attention weights of each layer for one sequence: a list of (L, L) tensors (Chapter 6).

    Row i is what position i attends to; entries above the diagonal are 0 (causal).
    """
    result = _check_result(result)
    if result.kind == "mlp":
        raise ValueError("an MLP has no attention: pass a result of 'one_layer' or 'two_layer'")
    ids = _as_ids("tokens", tokens)
    if len(ids) > result.model.length:
        raise ValueError(f"tokens can hold at most {result.model.length} tokens, got {len(ids)}")
    with torch.no_grad():
        _, patterns = result.model(ids[None])
    return [p[0] for p in patterns]


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
    for layer in ablate:
        if isinstance(layer, bool) or layer not in range(1, _layers(result) + 1):
            raise ValueError(
                f"ablate must name layers in 1..{_layers(result)} of a {result.kind}, got {layer}"
            )
    prompts, targets, _, _ = _prompts(result, part, n, seed)
    answer = result.task.answer_position
    with torch.no_grad():
        logits, _ = result.model(prompts, ablate=tuple(ablate), start=answer)
    return accuracy(logits[:, 0], targets[:, answer])


def ablate_accuracy(result: NameResult, part: str = "heldout", n: int = 512) -> dict[str, float]:
    """Accuracy with every head on, and with each layer's head switched off in turn (Chapter 6)."""
    result = _check_result(result)
    if _layers(result) == 0:
        raise ValueError("an MLP has no heads to ablate")
    scores = {"none": evaluate(result, part, (), n)}
    for layer in range(1, _layers(result) + 1):
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


def _generate(model: torch.nn.Module, tokens: torch.Tensor, max_new: int) -> torch.Tensor:
    """Greedy continuation of (batch, L) prompts; stops growing at the model's length."""
    out = tokens
    for _ in range(max_new):
        if out.shape[1] >= model.length:
            break
        with torch.no_grad():
            logits, _ = model(out, start=out.shape[1] - 1)
        out = torch.cat([out, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
    return out


def generate(result: NameResult, prompt: str | list | torch.Tensor, max_new: int = 4) -> str:
    """Greedy completion of a prompt such as "... called key v an , rain so my name is"."""
    result = _check_result(result)
    ids = _as_ids("prompt", prompt)
    max_new = validate.positive_int("max_new", max_new)
    if len(ids) >= result.model.length:
        raise ValueError(
            f"prompt must be shorter than {result.model.length} tokens, got {len(ids)}"
        )
    new = _generate(result.model, ids[None], max_new)[0, len(ids) :].tolist()
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
    prompts, _, names, _ = _prompts(result, part, n, seed)
    new = _generate(result.model, prompts, task.name_length[1] + 1)[:, task.answer_position + 1 :]
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
    if _layers(result) != 2 or result.task.has_comma:
        raise ValueError("circuit_summary needs a two_layer result trained on single-token names")
    validate.one_of("part", part, ("train", "heldout"))
    validate.positive_int("n", n)
    prompts, _, _, slots = _prompts(result, part, n, seed)
    with torch.no_grad():
        _, (first, second) = result.model(prompts)
    rows = torch.arange(n)
    marks = first[rows, slots + 1].argmax(-1) == slots
    finds = second[rows, result.task.answer_position].argmax(-1) == slots + 1
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
    _check_layer(result, layer)
    n = validate.positive_int("n", n)
    period = validate.positive_int("period", period)
    if 2 * period > result.model.length:
        raise ValueError(
            f"period must be at most {result.model.length // 2} for this model, got {period}"
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
    _check_layer(result, layer)
    n = validate.positive_int("n", n)
    seed = validate.seed("seed", seed)
    validate.one_of("part", part, ("train", "heldout", "unseen"))
    prompts, _, _, _ = _prompts(result, part, n, seed)
    with torch.no_grad():
        _, patterns = result.model(prompts)
    pattern = patterns[layer - 1]  # (n, L, L)
    return float(pattern.diagonal(offset=-1, dim1=1, dim2=2).mean())
