"""Chapter 3's first language model: a window MLP that predicts the next token of a text.

``make_windows`` turns a token list into (context, target) pairs; ``run(TextConfig(), seed,
ids=..., vocab_size=...)`` trains a :class:`~attnlab.ch03_next_token.model.WindowMLP` on the first
part of the text through :func:`attnlab.core.training.train` and measures it on the rest;
``top_next_tokens`` shows its likeliest guesses after a prompt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from attnlab.ch03_next_token.model import WindowMLP
from attnlab.core import validate
from attnlab.core.seeds import keeps_global_rng, shift_seed
from attnlab.core.training import accuracy, train

__all__ = ["make_windows", "TextConfig", "TextResult", "run", "top_next_tokens"]


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


@dataclass(frozen=True)
class TextConfig:
    """The settings of Chapter 3's next-token run on a text."""

    window: int = 5
    """Tokens the model reads before the one it predicts."""
    steps: int = 800
    """Training steps (one Adam step on one batch each)."""
    batch_size: int = 64
    """Random (context, target) pairs per training step."""
    d_embed: int = 24
    """Numbers per token embedding."""
    width: int = 128
    """Hidden units (hinges) of the MLP."""
    lr: float = 0.01
    """Adam's learning rate (size of a step; no unit)."""
    heldout_fraction: float = 0.1
    """The last part of the text kept apart for measuring (a fraction of the pairs, below 1)."""
    eval_every: int = 100
    """Training steps between two points of the accuracy curves."""
    progress: bool = False
    """Show a progress bar while training."""

    def __post_init__(self) -> None:
        for name in ("window", "steps", "batch_size", "d_embed", "width", "eval_every"):
            validate.positive_int(name, getattr(self, name))
        validate.positive_number("lr", self.lr)
        if not isinstance(self.progress, bool):
            raise TypeError(f"progress must be True or False, got {self.progress!r}")
        fraction = validate.positive_number("heldout_fraction", self.heldout_fraction)
        if fraction >= 1:
            raise ValueError(f"heldout_fraction must be below 1, got {fraction}")


@dataclass
class TextResult:
    """The window MLP trained on text (Chapter 3): the model, its curves and its accuracies.

    ``baseline`` is the held-out accuracy of always answering the most common training target.
    """

    config: TextConfig
    seed: int
    net: WindowMLP
    history: dict[str, list[float]]
    train_accuracy: float
    heldout_accuracy: float
    baseline: float
    seconds: float


@keeps_global_rng
def run(
    config: TextConfig = TextConfig(),
    seed: int = 0,
    *,
    ids: list[int] | torch.Tensor,
    vocab_size: int,
) -> TextResult:
    """Train a :class:`WindowMLP` to predict the next token of a text (Chapter 3).

    ``ids`` is the text as token ids (the data, not a setting), ``vocab_size`` the tokenizer's.
    The last ``config.heldout_fraction`` of the text is kept apart to measure on text never
    trained on. Accuracy is "the model's first guess is the true next token".
    """
    if not isinstance(config, TextConfig):
        raise TypeError(f"config must be a TextConfig, got {type(config).__name__}")
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    vocab_size = validate.positive_int("vocab_size", vocab_size, minimum=2)
    fraction = config.heldout_fraction
    contexts, targets = make_windows(ids, config.window)
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
    net = WindowMLP(vocab_size, config.window, config.d_embed, config.width)
    data = torch.Generator().manual_seed(seed + 1000)

    def next_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        pick = torch.randint(0, cut, (config.batch_size,), generator=data)
        return contexts[pick], targets[pick]

    @torch.no_grad()
    def evaluate() -> dict[str, float]:
        return {
            "train_accuracy": accuracy(net(contexts[:cut]), targets[:cut]),
            "heldout_accuracy": accuracy(net(contexts[cut:]), targets[cut:]),
        }

    history = train(
        net,
        next_batch,
        config.steps,
        config.lr,
        evaluate=evaluate,
        eval_every=config.eval_every,
        progress=config.progress,
        description="window MLP",
    )
    # The simplest rival: always answer the token that follows most often in the training part.
    most_common = torch.bincount(targets[:cut]).argmax()
    baseline = (targets[cut:] == most_common).float().mean().item()
    return TextResult(
        config=config,
        seed=seed,
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
