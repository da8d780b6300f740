"""Handwritten digits, shipped with the course (Chapter 2).

1,797 images of the digits 0-9, each 8x8 pixels: the UCI "Optical Recognition of Handwritten
Digits" set (Alpaydin & Kaynak, 1998; CC BY 4.0; see ``data/digits_LICENSE.md``). The file is part
of the package, so loading never touches the network.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from importlib import resources

import numpy as np
import torch

from attnlab.ch02_hinge.fit import class_scores, train
from attnlab.ch02_hinge.hinge import MLP
from attnlab.core import training, validate
from attnlab.core.seeds import keeps_global_rng, shift_seed

__all__ = [
    "Digits",
    "DigitSplit",
    "load_digits",
    "split_digits",
    "train_digit_mlp",
    "confusion_matrix",
]

N_IMAGES = 1797
SIDE = 8


@dataclass(frozen=True)
class Digits:
    """The whole set: ``images`` (1797, 8, 8) float32 in [0, 1] and ``labels`` (1797,) int64."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class DigitSplit:
    """A train/test split. ``x_*`` are flattened images (N, 64); ``y_*`` the digits (N,)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    test_index: torch.Tensor  # which of the 1,797 images are in the test part, in order


def load_digits() -> Digits:
    """Load the 1,797 digits from the file inside the package (no network). Pixels are /16."""
    path = resources.files("attnlab") / "data" / "digits.csv.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.int64)
    if table.shape != (N_IMAGES, SIDE * SIDE + 1):
        raise ValueError(f"digits.csv.gz has shape {table.shape}, expected {(N_IMAGES, 65)}")
    images = torch.tensor(table[:, :-1] / 16.0, dtype=torch.float32).reshape(-1, SIDE, SIDE)
    labels = torch.tensor(table[:, -1], dtype=torch.int64)
    return Digits(images=images, labels=labels)


def split_digits(
    digits: Digits | None = None, test_fraction: float = 0.2, seed: int = 0
) -> DigitSplit:
    """Shuffle with ``seed`` and hold out ``test_fraction`` of the images for testing.

    The same seed always gives the same split. The model never sees the test images while it
    trains, so the test accuracy measures how well it does on handwriting it has never seen.
    """
    if digits is None:
        digits = load_digits()
    if not isinstance(digits, Digits):
        raise TypeError(
            f"digits must be a Digits (from load_digits()), got {type(digits).__name__}"
        )
    test_fraction = validate.positive_number("test_fraction", test_fraction)
    if test_fraction >= 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    n = len(digits)
    n_test = max(1, round(n * test_fraction))
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    test, train = order[:n_test].sort().values, order[n_test:].sort().values
    flat = digits.images.reshape(n, -1)
    return DigitSplit(
        x_train=flat[train],
        y_train=digits.labels[train],
        x_test=flat[test],
        y_test=digits.labels[test],
        test_index=test,
    )


def confusion_matrix(
    truth: torch.Tensor, predicted: torch.Tensor, n_classes: int = 10
) -> torch.Tensor:
    """Count how often digit ``i`` (row) was predicted as digit ``j`` (column)."""
    validate.tensor("truth", truth, ndim=1, floating=False)
    validate.tensor("predicted", predicted, ndim=1, floating=False)
    validate.same_shape("truth", truth, "predicted", predicted)
    n_classes = validate.positive_int("n_classes", n_classes)
    for name, t in (("truth", truth), ("predicted", predicted)):
        if t.numel() and (t.min() < 0 or t.max() >= n_classes):
            raise ValueError(f"{name} must hold class numbers 0..{n_classes - 1}, got {t.tolist()}")
    matrix = torch.zeros(n_classes, n_classes, dtype=torch.int64)
    matrix.index_put_((truth, predicted), torch.ones_like(truth), accumulate=True)
    return matrix


@keeps_global_rng
def train_digit_mlp(
    split: DigitSplit,
    *,
    seed: int = 0,
    n_hidden: int = 64,
    steps: int = 300,
    lr: float = 0.01,
    weight_decay: float = 3e-3,
    progress: bool = True,
) -> tuple[MLP, float]:
    """Train an MLP(64, n_hidden, 10) on ``split``'s training images; return it and its test
    accuracy (Chapter 2). Full-batch Adam; a small weight decay keeps the weight images clean."""
    if not isinstance(split, DigitSplit):
        raise TypeError(
            f"split must be a DigitSplit (from split_digits()), got {type(split).__name__}"
        )
    seed = shift_seed(seed)  # + ATTNLAB_SEED_OFFSET
    torch.manual_seed(seed)
    model = MLP(SIDE * SIDE, n_hidden, 10)
    train(
        model,
        split.x_train,
        split.y_train,
        loss="cross_entropy",
        steps=steps,
        lr=lr,
        weight_decay=weight_decay,
        progress=progress,
        desc="digits MLP",
    )
    return model, training.accuracy(class_scores(model, split.x_test), split.y_test)
