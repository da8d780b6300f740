"""Looking inside TinyGPT (Chapter 7): where each head looks, which heads copy, what breaks without.

The probe is Chapter 6's, on the sentences this model learned from: name sentences with a trained
name at a middle distance. A *previous-token head*, at each piece of the name where it first
stands, puts its weight on the token just before; an *induction head*, at each position where the
model writes the next piece, puts its weight on that piece where the name first stood. (Chapter 6
used a random run of tokens repeated; this model, trained on text, gives such runs flat scores.)
"""

from __future__ import annotations

import random
from contextlib import contextmanager

import torch

from attnlab.ch07_name.experiment import is_piece, lead_in, name_accuracy, write_name
from attnlab.ch07_name.model import TinyGPT
from attnlab.ch07_name.sentences import clause, course_tokenizer, make_split, name_sentence
from attnlab.core import validate

__all__ = [
    "attention_patterns",
    "copy_sentences",
    "head_scores",
    "switched_off",
    "ablation",
    "copy_steps",
    "circuit_heads",
    "copy_views",
]


def _check_model(model: object) -> TinyGPT:
    if not isinstance(model, TinyGPT):
        raise TypeError(f"model must be a TinyGPT, got {type(model).__name__}")
    return model


@torch.no_grad()
def attention_patterns(model: TinyGPT, tokens: list[int] | torch.Tensor) -> torch.Tensor:
    """Every head's weights on one token sequence: (n_layers, n_heads, L, L)."""
    model = _check_model(model)
    tokens = torch.as_tensor(tokens, dtype=torch.long)
    validate.tensor("tokens", tokens, ndim=1, floating=False)
    for block in model.blocks:
        block.keep_weights = True
    try:
        model(tokens[None, -model.context_length :])
        return torch.stack([block.weights[0] for block in model.blocks])
    finally:
        for block in model.blocks:
            block.keep_weights, block.weights = False, None


def _find(ids: list[int], pieces: list[int], start: int = 0) -> int:
    return next(i for i in range(start, len(ids)) if ids[i : i + len(pieces)] == pieces)


def copy_sentences(
    window: int, n: int = 16, seed: int = 0
) -> list[tuple[list[int], list[tuple[int, int]]]]:
    """``n`` name sentences of trained names at a middle distance, each after story text and cut
    to ``window`` tokens, with its copy steps: (the position that writes a piece of the name, the
    position where that piece first stood)."""
    window = validate.positive_int("window", window, minimum=48)
    tokenizer, rng = course_tokenizer(), random.Random(validate.seed("seed", seed))
    names = make_split().train["middle"]
    sentences = []
    for _ in range(validate.positive_int("n", n)):
        name = rng.choice(names)
        prompt, answer = name_sentence(name, clause("middle", rng))
        sentence, pieces = tokenizer.encode(" " + prompt + answer), tokenizer.encode(name)
        first = _find(sentence, pieces)
        second = _find(sentence, pieces, first + len(pieces))
        ids = (lead_in(window, rng) + sentence)[-window:]
        shift = len(ids) - len(sentence)  # where the sentence starts in the window
        steps = [(shift + second + j - 1, shift + first + j) for j in range(len(pieces))]
        sentences.append((ids, steps))
    return sentences


def head_scores(model: TinyGPT, n: int = 16, seed: int = 0) -> dict[str, torch.Tensor]:
    """Previous-token and induction score of every head, (n_layers, n_heads), mean over ``n`` name
    sentences (:func:`copy_sentences`). Previous-token: at each piece of the name where it first
    stands, the weight on the token just before it (*called*, or the piece before). Induction: at
    each position that writes a piece, the weight on that piece where it first stood."""
    model = _check_model(model)
    previous = torch.zeros(len(model.blocks), model.blocks[0].attention.n_heads)
    induction = torch.zeros_like(previous)
    sentences = copy_sentences(model.context_length, n, seed)
    for ids, steps in sentences:
        patterns = attention_patterns(model, ids)  # (n_layers, n_heads, L, L)
        writes, sources = (torch.tensor(column) for column in zip(*steps, strict=True))
        induction += patterns[..., writes, sources].mean(-1) / len(sentences)
        previous += patterns[..., sources, sources - 1].mean(-1) / len(sentences)
    return {"previous_token": previous, "induction": induction}


@contextmanager
def switched_off(model: TinyGPT, layer: int, heads: tuple[int, ...]):
    """Inside the ``with``, the given heads of block ``layer`` (counted from 1) give nothing."""
    model = _check_model(model)
    layer = validate.positive_int("layer", layer)
    if layer > len(model.blocks):
        raise ValueError(f"layer must be 1 to {len(model.blocks)}, got {layer}")
    block = model.blocks[layer - 1]
    for head in heads:
        if not 0 <= head < block.attention.n_heads:
            raise ValueError(f"heads must be 0 to {block.attention.n_heads - 1}, got {head}")
    block.off_heads = tuple(heads)
    try:
        yield model
    finally:
        block.off_heads = ()


def ablation(model: TinyGPT, tests: tuple, heads: dict[str, tuple[int, int]]) -> dict[str, float]:
    """Whole-name accuracy on ``tests`` with nothing off, then with each named head off.

    ``heads`` maps a label to (layer, head), e.g. ``{"induction head": (2, 1)}``.
    """
    scores = {"nothing off": name_accuracy(model, tests, seed=99)}
    for label, (layer, head) in heads.items():
        with switched_off(model, layer, (head,)):
            scores[label] = name_accuracy(model, tests, seed=99)
    return scores


@torch.no_grad()
def copy_steps(
    model: TinyGPT, prompt: str, layer: int, head: int, max_pieces: int = 5
) -> tuple[list[torch.Tensor], list[str], list[str]]:
    """Write the name after ``prompt`` and record where head ``head`` of ``layer`` looks.

    Returns the weights of that head from the writing position at each step (over the sentence's
    tokens and the pieces written so far), those tokens as text, and the pieces written.
    """
    model = _check_model(model)
    tokenizer = course_tokenizer()
    sentence = tokenizer.encode(" " + prompt.strip())
    ids = lead_in(model.context_length, random.Random(0)) + sentence
    written = write_name(model, [ids], max_pieces)[0]
    weights = []
    for k in range(len(written)):
        seen = ids + written[:k]
        patterns = attention_patterns(model, seen)
        row = patterns[layer - 1, head, -1]
        shown = len(sentence) + len(written) - 1
        weights.append(torch.cat([row, torch.zeros(len(written) - 1 - k)])[-shown:])
    tokens = [
        tokenizer.token_string(t) for t in (sentence + written)[: len(sentence) + len(written) - 1]
    ]
    return weights, tokens, [tokenizer.token_string(t) for t in written]


def circuit_heads(model: TinyGPT, scores: dict[str, torch.Tensor] | None = None) -> dict:
    """The strongest previous-token head of layer 1 and induction head of the last layer,
    as {"previous-token head": (layer, head), "induction head": (layer, head)}."""
    scores = scores or head_scores(model)
    last = len(_check_model(model).blocks)
    return {
        "previous-token head": (1, int(scores["previous_token"][0].argmax())),
        "induction head": (last, int(scores["induction"][last - 1].argmax())),
    }


@torch.no_grad()
def copy_views(model: TinyGPT, prompt: str, max_pieces: int = 5) -> dict:
    """Every head's weights at each step of writing the name after ``prompt`` (no lead-in text).

    Returns ``tokens`` (per step: the sentence and the pieces written so far, as text),
    ``weights`` (per step: (n_layers * n_heads, L, L) nested lists), ``head_names`` and
    ``written``: the data of the chapter's head viewer.
    """
    model = _check_model(model)
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError('prompt must be a non-empty str, e.g. "I\'m called Keyvan, so my name is"')
    tokenizer = course_tokenizer()
    sentence = tokenizer.encode(" " + prompt.strip())
    written: list[int] = []
    for _ in range(max_pieces):  # greedy, on the sentence alone, until the name ends
        token = int(model(torch.tensor([sentence + written]))[0, -1].argmax())
        if written and not is_piece(token):
            break
        written.append(token)
    steps_tokens, steps_weights = [], []
    for k in range(len(written)):
        ids = sentence + written[:k]
        patterns = attention_patterns(model, ids)
        steps_tokens.append([tokenizer.token_string(t) for t in ids])
        steps_weights.append(patterns.flatten(0, 1).tolist())
    n_layers, n_heads = len(model.blocks), model.blocks[0].attention.n_heads
    names = [f"layer {layer + 1}, head {h}" for layer in range(n_layers) for h in range(n_heads)]
    pieces = [tokenizer.token_string(t) for t in written]
    return {
        "tokens": steps_tokens,
        "weights": steps_weights,
        "head_names": names,
        "written": pieces,
    }
