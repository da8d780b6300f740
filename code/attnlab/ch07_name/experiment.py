"""Chapter 7's experiment: three models read the same text and must finish the sentence.

``run(SentenceConfig(model="tinygpt"), seed)`` trains one model on random windows cut from
:func:`~attnlab.ch07_name.sentences.training_stream` and measures *exact whole-name completion*
on each test set of :func:`~attnlab.ch07_name.sentences.make_split`: the model writes greedily,
token by token, and is right only if it writes every piece of the name and then stops (its next
token is not another piece of a name).

The three models: ``"mlp"`` with ``window=5`` (Chapter 3's window, too short to see the name),
``"mlp"`` with ``window=24`` (wide enough), and ``"tinygpt"`` (:class:`~.model.TinyGPT`).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from attnlab.ch03_next_token.model import WindowMLP, count_parameters
from attnlab.ch07_name.model import TinyGPT
from attnlab.ch07_name.sentences import (
    KEYVAN,
    clause,
    corpus_sentences,
    course_tokenizer,
    make_split,
    name_sentence,
    training_stream,
)
from attnlab.core import validate
from attnlab.core.seeds import keeps_global_rng, shift_seed
from attnlab.core.training import train

__all__ = [
    "MODELS",
    "SentenceConfig",
    "SentenceResult",
    "make_model",
    "run",
    "write_name",
    "name_accuracy",
    "wrong_answers",
    "first_piece_probability",
    "lead_in",
    "warm_then_cosine",
    "name_positions",
    "is_piece",
    "sample",
]


@dataclass(frozen=True)
class SentenceConfig:
    """The settings of one of Chapter 7's models and its training."""

    model: str = "tinygpt"
    """``"tinygpt"`` or ``"mlp"`` (Chapter 3's window MLP)."""
    window: int = 64
    """Tokens the model reads: TinyGPT's context length, or the MLP's window."""
    d_model: int = 64
    """TinyGPT: numbers per token in the residual stream; the MLP: per token embedding."""
    n_heads: int = 4
    """TinyGPT: attention heads per block."""
    n_layers: int = 2
    """TinyGPT: blocks."""
    width: int = 128
    """Hidden units (hinges): of the MLP, or of each TinyGPT block's MLP."""
    steps: int = 1500
    """Training steps (one Adam step on one batch of windows each)."""
    batch_size: int = 32
    """Windows per step."""
    lr: float = 6e-3
    """Adam's top learning rate: it climbs there over the first 100 steps, then falls to 0."""
    n_sentences: int = 4000
    """Course sentences in the training stream."""
    names_each: int = 1
    """Name sentences after each course sentence."""
    middle_share: float = 0.5
    """The share of name sentences at a middle distance (the rest are short)."""
    close_first: int = 500
    """Steps at the start that read only close names: the model learns to copy before it meets
    names further back (0: the whole text from the first step)."""
    weight_decay: float = 0.2
    """AdamW's weight decay: each step shrinks the linear layers' matrices a little, so what
    training stops using fades (0 for none)."""
    names_only: bool = False
    """Train only on the steps that write a name (the MLPs: all their training goes to copying)."""
    progress: bool = False
    """Show a progress bar while training."""

    def __post_init__(self) -> None:
        validate.one_of("model", self.model, ["tinygpt", "mlp"])
        for name in ("window", "d_model", "n_heads", "n_layers", "width", "steps", "batch_size"):
            validate.positive_int(name, getattr(self, name))
        validate.positive_int("n_sentences", self.n_sentences)
        validate.positive_int("names_each", self.names_each)
        validate.positive_number("lr", self.lr)
        if not (isinstance(self.close_first, int) and 0 <= self.close_first < self.steps):
            raise ValueError(
                f"close_first must be a whole number of steps from 0 to steps - 1 = "
                f"{self.steps - 1}, got {self.close_first!r}"
            )
        if not (isinstance(self.middle_share, (int, float)) and 0 <= self.middle_share <= 1):
            raise ValueError(f"middle_share must be a share from 0 to 1, got {self.middle_share!r}")
        for name in ("progress", "names_only"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if self.model == "tinygpt" and self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} must be divisible by n_heads={self.n_heads}")

    @property
    def label(self) -> str:
        return "TinyGPT" if self.model == "tinygpt" else f"MLP, {self.window}-token window"


@dataclass
class SentenceResult:
    """One trained model of Chapter 7 and what it wrote."""

    config: SentenceConfig
    seed: int
    model: nn.Module
    history: dict[str, list]
    accuracy: dict[str, float]
    """Exact whole-name completion on each test set of the split."""
    keyvan: dict[str, bool]
    """Did it finish "Keyvan": in the course's sentence (``"sentence"``), and further back."""
    seconds: float
    parameters: int = field(default=0)


_MLP = dict(
    model="mlp",
    d_model=32,
    width=212,
    steps=1500,
    batch_size=256,
    lr=1e-2,
    names_only=True,
    weight_decay=0.0,
)
#: The chapter's three models: Chapter 3's window MLP, the same with a wide window (about 300k
#: weights, about twice TinyGPT's), and TinyGPT.
MODELS = {
    "mlp5": SentenceConfig(**_MLP, window=5),
    "mlp24": SentenceConfig(**_MLP, window=24),
    "tinygpt": SentenceConfig(),
}


def make_model(config: SentenceConfig, vocab_size: int) -> nn.Module:
    """The untrained model a config describes."""
    if config.model == "tinygpt":
        return TinyGPT(
            vocab_size, config.window, config.d_model, config.n_heads, config.n_layers, config.width
        )
    return WindowMLP(vocab_size, config.window, config.d_model, config.width)


def _scores(model: nn.Module, windows: torch.Tensor) -> torch.Tensor:
    """The model's scores for the token after each window, (N, vocab)."""
    scores = model(windows)
    return scores[:, -1] if scores.dim() == 3 else scores


def _window(model: nn.Module) -> int:
    return model.context_length


def lead_in(n_tokens: int, rng: random.Random) -> list[int]:
    """Course sentences, from a random one on, as token ids: at least ``n_tokens`` of them.

    A prompt is put after a lead-in, so that the model reads it where it stands in training: in
    the middle of the text, not at the start of a window.
    """
    tokenizer, text = course_tokenizer(), corpus_sentences()
    i, ids = rng.randrange(len(text)), []
    while len(ids) < n_tokens:
        ids += tokenizer.encode(text[i % len(text)])
        i += 1
    return ids


def is_piece(token: int) -> bool:
    """True for a token that can go on a name ("v", "an"); False for " is", ".", " Key"."""
    text = course_tokenizer().token_string(token)
    return text.isalpha() and text.islower()


@torch.no_grad()
def write_name(model: nn.Module, prompts: list[list[int]], max_pieces: int = 5) -> list[list[int]]:
    """Greedy completion of each prompt until the name ends: the pieces each model wrote.

    The first token written is the name's first piece; after it, writing stops at the first token
    that is not a piece that goes on a name (".", ",", a new word).
    """
    window = _window(model)
    rows = torch.tensor([p[-window:] for p in prompts])
    if rows.shape[1] != window:
        raise ValueError(f"every prompt must hold at least {window} tokens (use lead_in)")
    written = []
    for _ in range(max_pieces + 1):
        token = _scores(model, rows).argmax(-1)
        written.append(token)
        rows = torch.cat([rows[:, 1:], token[:, None]], dim=1)
    names = []
    for row in torch.stack(written, 1).tolist():
        end = next((k for k in range(1, len(row)) if not is_piece(row[k])), len(row))
        names.append(row[:end])
    return names


def _prompts(tests: tuple, seed: int, window: int) -> tuple[list[list[int]], list[list[int]]]:
    if not isinstance(tests, (tuple, list)) or not tests:
        raise ValueError("tests must be a non-empty list of (name, distance) pairs")
    if not all(isinstance(t, (tuple, list)) and len(t) == 2 for t in tests):
        raise ValueError("tests must hold (name, distance) pairs, e.g. (' Keyvan', 'middle')")
    tokenizer, rng = course_tokenizer(), random.Random(seed)
    prompts, answers = [], []
    for name, distance in tests:
        prompt, _ = name_sentence(name, clause(distance, rng))
        prompts.append(lead_in(window, rng) + tokenizer.encode(" " + prompt))
        answers.append(tokenizer.encode(name))
    return prompts, answers


def name_accuracy(model: nn.Module, tests: tuple, seed: int = 0) -> float:
    """Exact whole-name completion over (name, distance) pairs; the clauses drawn with ``seed``."""
    prompts, answers = _prompts(tests, seed, _window(model))
    written = write_name(model, prompts)
    return sum(w == a for w, a in zip(written, answers, strict=True)) / len(answers)


@torch.no_grad()
def first_piece_probability(model: nn.Module, tests: tuple, seed: int = 0) -> float:
    """The model's mean probability for the right first piece of each name, after "is"."""
    prompts, answers = _prompts(tests, seed, _window(model))
    window = _window(model)
    scores = _scores(model, torch.tensor([p[-window:] for p in prompts]))
    right = torch.tensor([a[0] for a in answers])
    return float(torch.softmax(scores, -1)[torch.arange(len(right)), right].mean())


def wrong_answers(model: nn.Module, tests: tuple, seed: int = 0) -> list[tuple[str, str]]:
    """The (name, what the model wrote) pairs it got wrong, as text; clauses drawn with ``seed``."""
    prompts, answers = _prompts(tests, seed, _window(model))
    tokenizer = course_tokenizer()
    return [
        (tokenizer.decode(a), tokenizer.decode(w))
        for w, a in zip(write_name(model, prompts), answers, strict=True)
        if w != a
    ]


def name_positions(stream: torch.Tensor) -> torch.Tensor:
    """The positions of ``stream`` that hold a piece of a name being written again (after "is"),
    and the position just after each such name (the full stop that ends it)."""
    tokenizer = course_tokenizer()
    is_, name = tokenizer.encode(" is"), tokenizer.encode(" name")
    found, ids = [], stream.tolist()
    for i in range(1, len(ids) - 1):
        if ids[i] == is_[0] and ids[i - 1] == name[0]:
            k = i + 1
            while k < len(ids) and (k == i + 1 or is_piece(ids[k])):
                found.append(k)
                k += 1
            if k < len(ids):
                found.append(k)  # the token after the name: writing stops there
    return torch.tensor(found)


def _next_token_loss(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    windows, targets = batch
    scores = model(windows)
    if scores.dim() == 3:  # TinyGPT learns the next token at every position at once
        return F.cross_entropy(scores.flatten(0, 1), targets.flatten())
    return F.cross_entropy(scores, targets[:, -1])  # the MLP: only after the whole window


def warm_then_cosine(steps: int, warmup: int = 100) -> Callable[[int], float]:
    """The learning rate's multiplier at each step: it climbs from 0 to 1 over ``warmup`` steps,
    then falls to 0 along half a cosine by step ``steps``."""
    steps = validate.positive_int("steps", steps)
    warmup = validate.positive_int("warmup", warmup)
    return lambda step: min(1.0, step / warmup) * 0.5 * (1 + math.cos(math.pi * step / steps))


@keeps_global_rng
def run(config: SentenceConfig = SentenceConfig(), seed: int = 0) -> SentenceResult:
    """Train the model of ``config`` on seed ``seed`` and measure it on every test set."""
    if not isinstance(config, SentenceConfig):
        raise TypeError(f"config must be a SentenceConfig, got {type(config).__name__}")
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    start = time.perf_counter()
    tokenizer, split = course_tokenizer(), make_split()
    # two texts: close names only, read for the first ``close_first`` steps, then the text with
    # close and middle names (another draw of names and clauses)
    texts = [
        training_stream(
            config.n_sentences, seed + 500, names_each=config.names_each, middle_share=0.0
        ),
        training_stream(
            config.n_sentences, seed, names_each=config.names_each, middle_share=config.middle_share
        ),
    ]
    torch.manual_seed(seed)
    model = make_model(config, tokenizer.vocab_size)
    data = torch.Generator().manual_seed(seed + 1000)
    width = config.window + 1

    def window_starts(stream: torch.Tensor) -> torch.Tensor:
        """Where windows may start: anywhere, or (names_only) so that the last token is a piece of
        a name the model must write."""
        if not config.names_only:
            return torch.arange(len(stream) - width)
        starts = name_positions(stream) - width + 1
        return starts[starts >= 0]

    starts = [window_starts(text) for text in texts]

    def next_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        k = 0 if step <= config.close_first else 1  # close names first, then all of them
        pick = starts[k][torch.randint(0, len(starts[k]), (config.batch_size,), generator=data)]
        windows = texts[k][pick[:, None] + torch.arange(width)]  # random windows of the text
        return windows[:, :-1], windows[:, 1:]

    history = train(
        model,
        next_batch,
        config.steps,
        config.lr,
        loss=_next_token_loss,
        progress=config.progress,
        description=config.label,
        lr_schedule=warm_then_cosine(config.steps),
        weight_decay=config.weight_decay,
        decoupled=True,
    )
    seconds = time.perf_counter() - start
    accuracy = {part: name_accuracy(model, tests, seed=99) for part, tests in split.tests.items()}
    keyvan = {
        "sentence": keyvan_written(model, "") == tokenizer.encode(KEYVAN),
        "middle": name_accuracy(model, ((KEYVAN, "middle"),) * 5, seed=5) == 1.0,
    }
    return SentenceResult(
        config, seed, model, history, accuracy, keyvan, seconds, count_parameters(model)
    )


def keyvan_written(model: nn.Module, clause_text: str = "") -> list[int]:
    """The pieces the model writes after "I'm called Keyvan<clause>, so my name is"."""
    prompt, _ = name_sentence(KEYVAN, clause_text)
    ids = lead_in(_window(model), random.Random(0)) + course_tokenizer().encode(" " + prompt)
    return write_name(model, [ids])[0]


@torch.no_grad()
def sample(
    model: nn.Module, prompt: str, n_tokens: int = 40, temperature: float = 0.8, seed: int = 0
) -> str:
    """Continue ``prompt`` by drawing each next token from the model's softmax at ``temperature``."""
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str, got {type(prompt).__name__}")
    n_tokens = validate.positive_int("n_tokens", n_tokens)
    temperature = validate.positive_number("temperature", temperature)
    tokenizer, window = course_tokenizer(), _window(model)
    ids = lead_in(window, random.Random(seed)) + tokenizer.encode(prompt)
    start, generator = len(ids), torch.Generator().manual_seed(validate.seed("seed", seed))
    for _ in range(n_tokens):
        scores = _scores(model, torch.tensor([ids[-window:]]))[0]
        probabilities = torch.softmax(scores / temperature, dim=-1)
        ids.append(int(torch.multinomial(probabilities, 1, generator=generator)))
    return prompt + tokenizer.decode(ids[start:])
