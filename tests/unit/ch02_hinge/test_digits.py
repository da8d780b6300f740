"""attnlab.ch02_hinge.digits: the shipped handwritten-digits set, its split and the confusion matrix."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import attnlab
from attnlab.ch02_hinge import digits

DATA = Path(attnlab.__file__).parent / "data"


@pytest.fixture(scope="module")
def data():
    return digits.load_digits()


def test_the_file_and_its_licence_ship_with_the_package():
    assert (DATA / "digits.csv.gz").stat().st_size < 100_000
    licence = (DATA / "digits_LICENSE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in licence and "Alpaydin" in licence


def test_load_digits(data):
    assert len(data) == 1797
    assert data.images.shape == (1797, 8, 8) and data.images.dtype == torch.float32
    assert data.labels.dtype == torch.int64
    assert data.images.min() == 0 and data.images.max() == 1
    counts = torch.bincount(data.labels, minlength=10)
    assert counts.shape == (10,) and counts.min() >= 170  # roughly 180 of each digit
    assert data.labels[:10].tolist() == list(range(10))


def test_split_is_repeatable_and_disjoint(data):
    a = digits.split_digits(data, test_fraction=0.2, seed=0)
    b = digits.split_digits(data, test_fraction=0.2, seed=0)
    c = digits.split_digits(data, test_fraction=0.2, seed=1)
    assert torch.equal(a.test_index, b.test_index)
    assert not torch.equal(a.test_index, c.test_index)
    assert len(a.y_test) == 359 and len(a.y_train) == 1438
    assert a.x_train.shape == (1438, 64)
    assert torch.equal(a.x_test, data.images[a.test_index].reshape(-1, 64))
    all_rows = torch.cat([a.x_train, a.x_test])
    assert (
        torch.unique(all_rows, dim=0).shape[0]
        == torch.unique(data.images.reshape(-1, 64), dim=0).shape[0]
    )


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"test_fraction": 1.0}, ValueError, "between 0 and 1"),
        ({"test_fraction": 0}, ValueError, "test_fraction must be a positive"),
        ({"seed": "0"}, TypeError, "seed must be an int"),
        ({"digits": [1, 2]}, TypeError, "digits must be a Digits"),
    ],
)
def test_bad_split_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        digits.split_digits(**kwargs)


def test_train_digit_mlp_refuses_a_wrong_split():
    with pytest.raises(TypeError, match="split must be a DigitSplit"):
        digits.train_digit_mlp("train.csv")


def test_confusion_matrix():
    truth = torch.tensor([0, 1, 1, 2, 2, 2])
    guess = torch.tensor([0, 1, 2, 2, 2, 0])
    m = digits.confusion_matrix(truth, guess, n_classes=3)
    assert m.tolist() == [[1, 0, 0], [0, 1, 1], [1, 0, 2]]
    assert int(m.sum()) == 6 and int(m.trace()) == 4


@pytest.mark.parametrize(
    "truth, guess, error, words",
    [
        (torch.tensor([0, 1]), torch.tensor([0]), ValueError, "same shape"),
        (torch.tensor([0.0, 1.0]), torch.tensor([0, 1]), TypeError, "integer dtype"),
        (torch.tensor([0, 12]), torch.tensor([0, 1]), ValueError, "class numbers 0..9"),
        ([0, 1], torch.tensor([0, 1]), TypeError, "truth must be a torch.Tensor"),
    ],
)
def test_confusion_matrix_bad_input(truth, guess, error, words):
    with pytest.raises(error, match=words):
        digits.confusion_matrix(truth, guess)
