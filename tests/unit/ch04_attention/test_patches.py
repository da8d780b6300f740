"""Attention over image patches (Chapter 4): the cut, the weights, the figure, bad input."""

from __future__ import annotations

import matplotlib
import pytest
import torch

from attnlab.ch04_attention import patches

matplotlib.use("Agg")


def test_cut_into_patches_reads_squares_left_to_right_top_to_bottom():
    image = torch.arange(16.0).reshape(4, 4)
    cut = patches.cut_into_patches(image, 2)
    assert cut.shape == (4, 4)
    assert cut[0].tolist() == [0.0, 1.0, 4.0, 5.0]  # the top-left square
    assert cut[1].tolist() == [2.0, 3.0, 6.0, 7.0]  # the square to its right
    assert cut[3].tolist() == [10.0, 11.0, 14.0, 15.0]


def test_a_patch_attends_to_patches_that_look_like_it():
    image = torch.zeros(4, 4)
    image[0:2, 0:2] = 1.0  # top-left square inked
    image[2:4, 2:4] = 1.0  # bottom-right square inked the same way
    weights = patches.patch_attention(image, query=0, patch=2)
    assert weights.shape == (2, 2)
    assert torch.isclose(weights.sum(), torch.tensor(1.0))
    assert weights[1, 1] == pytest.approx(weights[0, 0].item())  # far, but alike: same weight
    assert weights[1, 1] > weights[0, 1]  # more than the blank square next door


def test_the_figure_draws_two_panels():
    fig = patches.plot_image_patches(torch.rand(8, 8), query=5, patch=2)
    assert len(fig.axes) == 3  # two panels and the colour bar
    assert "16 patches" in fig._suptitle.get_text()


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: patches.cut_into_patches(torch.rand(5, 4), 2), ValueError, "divide"),
        (lambda: patches.cut_into_patches(torch.rand(4), 2), ValueError, "image"),
        (lambda: patches.patch_attention(torch.rand(4, 4), 4), ValueError, "query"),
        (lambda: patches.patch_attention(torch.rand(4, 4), True), ValueError, "query"),
        (lambda: patches.patch_attention(torch.rand(4, 4), 0, sharpness=0), ValueError, "sharp"),
    ],
)
def test_bad_input_is_named(call, error, words):
    with pytest.raises(error, match=words):
        call()
