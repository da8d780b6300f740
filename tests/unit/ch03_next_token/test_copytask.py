"""The copy task and its held-out splits (Chapters 3, 4 and 6)."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch03_next_token.copytask import MARKER, CopyTask, name_tokens


@pytest.mark.parametrize("split", ["systematic", "random"])
@pytest.mark.parametrize("seed", range(3))
def test_heldout_pairs_never_appear_in_training(split, seed):
    task = CopyTask(split=split, seed=seed)
    generator = torch.Generator().manual_seed(seed)
    contexts, targets, names, slots = task.sample(5000, generator)
    heldout = {tuple(p) for p in task.pairs(heldout=True).tolist()}
    seen = {(int(n), int(s)) for n, s in zip(names, slots, strict=True)}
    assert heldout and not (seen & heldout)
    # The name really is where the example says, and nowhere else.
    name_ids = contexts >= task.first_name_id
    assert (name_ids.sum(dim=1) == 1).all()
    assert torch.equal(name_ids.float().argmax(dim=1), slots)
    assert torch.equal(contexts[torch.arange(5000), slots], targets)
    assert torch.equal(targets, names + task.first_name_id)
    assert (contexts[:, -1] == task.marker_id).all()
    assert task.vocab[task.marker_id] == MARKER
    # Every name is an answer in training.
    assert task.seen.any(dim=1).all()


def test_heldout_examples_are_the_crossed_combinations():
    task = CopyTask()
    contexts, targets, names, slots = task.sample(2000, torch.Generator().manual_seed(0), True)
    assert not task.seen[names, slots].any()
    # Systematic: even names are seen at slots 0-3, odd names at 4-6.
    assert task.seen[0, :4].all() and not task.seen[0, 4:].any()
    assert task.seen[1, 4:].all() and not task.seen[1, :4].any()
    assert ((names % 2 == 0) == (slots >= 4)).all()


def test_random_split_misses_one_slot_per_name():
    task = CopyTask(split="random", seed=3)
    assert ((~task.seen).sum(dim=1) == 1).all()
    assert not torch.equal(task.seen, CopyTask(split="random", seed=4).seen)


def test_sampling_is_deterministic():
    task = CopyTask()
    a = task.sample(64, torch.Generator().manual_seed(7))
    b = task.sample(64, torch.Generator().manual_seed(7))
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_vocab_and_names():
    task = CopyTask(n_names=20, n_fillers=10)
    assert task.vocab_size == 10 + 1 + 20 == len(set(task.vocab))
    assert task.context_length == task.n_slots + 1
    assert task.chance == pytest.approx(1 / 20)
    assert name_tokens(5) == name_tokens(200)[:5]
    assert task.decode([task.marker_id]) == ["is"]


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"split": "holes"}, ValueError, "split must be one of"),
        ({"n_names": 1}, ValueError, "n_names"),
        ({"n_names": 10**6}, ValueError, "n_names"),
        ({"n_slots": 1.5}, TypeError, "n_slots"),
        ({"n_groups": 9}, ValueError, "n_groups"),
        ({"n_fillers": 0}, ValueError, "n_fillers"),
        ({"n_fillers": 1000}, ValueError, "n_fillers"),
        ({"seed": "0"}, TypeError, "seed"),
    ],
)
def test_bad_options(kwargs, error, words):
    with pytest.raises(error, match=words):
        CopyTask(**kwargs)


def test_bad_sample_arguments():
    task = CopyTask()
    with pytest.raises(TypeError, match="generator"):
        task.sample(4, 0)
    with pytest.raises(ValueError, match="n must be"):
        task.sample(0, torch.Generator())
    with pytest.raises(TypeError, match="heldout"):
        task.pairs(heldout="yes")
