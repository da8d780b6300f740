"""Chapter 7's data: the names, the split of names x distances, the training stream (fast)."""

from __future__ import annotations

import random
import re

import pytest

from attnlab.ch07_name import sentences as s


@pytest.fixture(scope="module")
def tok():
    return s.course_tokenizer()


def test_keyvan_is_three_pieces_and_a_name_of_the_list(tok):
    assert tok.pieces(s.KEYVAN) == [" Key", "v", "an"]
    names = s.make_names()
    assert s.KEYVAN in names and len(names) > 3000
    for name, ids in list(names.items())[::97]:
        assert tok.encode(name) == list(ids)  # each name cuts back into its own pieces


def test_the_split_keeps_its_promises():
    split = s.make_split()
    trained_short, trained_middle = set(split.train["short"]), set(split.train["middle"])
    trained_far = set(split.train["far"])
    assert s.KEYVAN not in trained_short | trained_middle | trained_far
    assert trained_middle | trained_far <= trained_short
    assert trained_far == set(split.not_middle)  # the first group: close and far, never middle
    assert not trained_middle & trained_far
    assert all(n.startswith(s.NOT_MIDDLE) for n in trained_far)
    tests = split.tests
    assert {n for n, d in tests["names_x_distances"]} <= set(split.not_middle)
    assert {d for n, d in tests["names_x_distances"]} == {"middle"}
    assert not {n for n, d in tests["new_names"]} & trained_short  # never trained
    # new names are asked at the same distances as the seen ones, so the two compare
    assert (
        {d for n, d in tests["new_names"]} == {d for n, d in tests["seen"]} == {"short", "middle"}
    )
    assert not any(n.startswith(s.NOT_MIDDLE) for n, d in tests["new_names"] + tests["seen"])
    assert all(n.startswith(s.UNSEEN_FIRST) for n, d in tests["new_first"])
    assert not any(n.startswith(s.UNSEEN_FIRST) for n in trained_short)
    assert {d for n, d in tests["far"]} == {"far"}  # names that never stood far back
    assert {n for n, d in tests["far"]} <= trained_middle


def test_clause_lengths_follow_the_distance():
    rng = random.Random(0)
    for distance, (low, high) in s.DISTANCES.items():
        for _ in range(20):
            text = s.clause(distance, rng)
            words = len(text.replace(", and", "", 1).split()) + (1 if text else 0)
            assert low <= words <= high
    with pytest.raises(ValueError, match="distance must be one of"):
        s.clause("near", rng)


def test_the_stream_never_holds_keyvan_nor_a_first_group_name_in_the_middle(tok):
    text = tok.decode(s.training_stream(300, seed=1).tolist())
    assert "Keyvan" not in text
    split = s.make_split()
    sentences = re.findall(r"I'm called( \w+)(.*?), so my name is( \w+)\.", text)
    assert len(sentences) == 300
    far = s.DISTANCES["far"]
    lengths = {"not middle": set(), "others": set()}
    for first, between, second in sentences:
        assert first == second
        words = len(between.replace(", and", "", 1).split()) + (1 if between else 0)
        group = "not middle" if first in split.not_middle else "others"
        lengths[group].add(words)
    low, high = s.DISTANCES["middle"]
    assert not {n for n in lengths["not middle"] if low <= n <= high}  # never in the middle
    assert {n for n in lengths["not middle"] if far[0] <= n <= far[1]}  # but far back
    assert not {n for n in lengths["others"] if n >= far[0]}  # the others never far back


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="n_sentences"):
        s.training_stream(0, seed=0)
    with pytest.raises(TypeError, match="n_test"):
        s.make_split(2.5)
