"""Chapter 4's "called" task (used again in Chapter 6): layout, split, vocabulary, bad input."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch04_attention import names as nt


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_sample_layout_and_targets():
    task = nt.NameTask()
    tokens, targets, names, slots = task.sample(200, _gen())
    assert tokens.shape == (200, task.length) and targets.shape == tokens.shape
    for row in range(200):
        s = int(slots[row])
        assert tokens[row, s] == nt.CALLED
        assert tokens[row, s + 1] == names[row, 0] == targets[row, task.answer_position]
        assert nt.COMMA not in tokens[row].tolist()  # only "called" marks a one-token name
        assert nt.decode(tokens[row, task.context_length :]) == "so my name is"
        assert (targets[row] != -100).sum() == 1  # one answer: the name after "is"
    # "called" appears exactly once; the name comes from the same pool as the fillers
    assert ((tokens == nt.CALLED).sum(1) == 1).all()


def test_whole_name_layout_teacher_forcing():
    task = nt.NameTask(context_length=10, name_length=(2, 3))
    tokens, targets, names, slots = task.sample(100, _gen(1))
    a = task.answer_position
    for row in range(100):
        size = int((names[row] != 0).sum())
        assert size in (2, 3)
        name = names[row, :size].tolist()
        s = int(slots[row])
        assert tokens[row, s + 1 : s + 1 + size].tolist() == name
        assert tokens[row, s + 1 + size] == nt.COMMA
        # after "is" the name is fed back one token at a time, and each next token is the target
        assert tokens[row, a + 1 : a + 1 + size].tolist() == name
        assert targets[row, a : a + size + 1].tolist() == name + [nt.COMMA]


def test_systematic_split_never_shows_heldout_combinations_in_training():
    task = nt.NameTask()
    first = len(nt.SPECIALS)
    for part, crossed in (("train", False), ("heldout", True)):
        _, _, names, slots = task.sample(3000, _gen(2), part)
        group = (names[:, 0] - first) % nt.GROUPS
        region = task.region(slots)
        assert bool(((group == region) == crossed).all()), part
        assert set(region.tolist()) == set(range(nt.GROUPS))  # every region is used
    # every name is still an answer in training, and every slot is used
    _, _, names, slots = task.sample(5000, _gen(3), "train")
    assert len(set(names[:, 0].tolist())) == len(nt.POOL)
    assert set(slots.tolist()) == set(range(task.n_slots))


def test_whole_name_split_goes_by_the_first_token_only():
    # Chapter 6: a group-g token can still stand in region g as the second or third piece of a name
    task = nt.NameTask(context_length=10, name_length=(2, 3), unseen=6)
    _, _, names, slots = task.sample(2000, _gen(0), "train")
    later_group = (names[:, 1:] - len(nt.SPECIALS)) % nt.GROUPS
    for g in range(nt.GROUPS):
        later = ((later_group == g) & (names[:, 1:] != nt.PAD)).any(1)
        assert bool((later & (task.region(slots) == g)).any()), g


def test_unseen_tokens_never_occur_in_training():
    task = nt.NameTask(unseen=8)
    tokens, _, _, _ = task.sample(3000, _gen(4), "train")
    unseen_ids = set(range(len(nt.VOCAB) - 8, len(nt.VOCAB)))
    assert not unseen_ids & set(tokens.flatten().tolist())
    _, _, names, _ = task.sample(100, _gen(4), "unseen")
    assert set(names[:, 0].tolist()) <= unseen_ids


def test_encode_decode_round_trip():
    text = "rose sky called key v an , hill so my name is"
    assert nt.decode(nt.encode(text)) == text
    with pytest.raises(ValueError, match="outside the vocabulary"):
        nt.encode("called Keyvan")
    with pytest.raises(TypeError, match="text"):
        nt.encode(3)
    with pytest.raises(ValueError, match="ids"):
        nt.decode([999])


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"context_length": 3}, ValueError, "context_length"),
        ({"name_length": (2, 4)}, ValueError, "name_length"),
        ({"name_length": "long"}, TypeError, "name_length"),
        ({"split": "random"}, ValueError, "split"),
        ({"unseen": 40}, ValueError, "unseen"),
        ({"context_length": 5, "name_length": (3, 3)}, ValueError, "context_length"),
    ],
)
def test_task_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        nt.NameTask(**kwargs)


def test_sample_bad_part():
    with pytest.raises(ValueError, match="part"):
        nt.NameTask().sample(4, _gen(), "test")
    with pytest.raises(ValueError, match="unseen"):
        nt.NameTask().sample(4, _gen(), "unseen")


def test_part_of_names_the_test_set_of_a_prompt():
    single = nt.NameTask()  # 7 slots: regions 0-1, 2-3, 4-6
    assert single.part_of("rose called key hill rain sky star lake so my name is") == "heldout"
    assert single.part_of("rose hill called key rain sky star lake so my name is") == "train"
    whole = nt.NameTask(10, (2, 3), unseen=6)  # 6 slots: regions 0-1, 2-3, 4-5
    assert whole.part_of("called key v an , rain sky star hill lake so my name is") == "heldout"
    assert whole.part_of("rose hill called key v an , star hill lake so my name is") == "train"
    assert whole.part_of("hope star king called sa mi ra , lily page so my name is") == "unseen"
    # it agrees with the sampler on every part
    for part in ("train", "heldout", "unseen"):
        tokens, _, _, _ = whole.sample(100, _gen(4), part)
        prompts = [nt.decode(t[: whole.answer_position + 1]) for t in tokens]
        assert {whole.part_of(p) for p in prompts} == {part}


@pytest.mark.parametrize(
    "prompt,match",
    [
        ("rose called key so my name is", "context tokens"),
        ("rose called key hill rain sky star lake so my name", "context tokens"),
        ("rose hill key hill rain sky star lake so my name is", "exactly once"),
        ("called hill called hill rain sky star lake so my name is", "exactly once"),
        ("rose hill key hill rain sky star called so my name is", "slot"),
        ("rose called so hill rain sky star lake so my name is", "pool token"),
    ],
)
def test_part_of_bad_input(prompt, match):
    task = nt.NameTask()
    with pytest.raises(ValueError, match=match):
        task.part_of(prompt)
