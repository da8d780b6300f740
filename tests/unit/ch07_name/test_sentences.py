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
    assert s.KEYVAN not in trained_short | trained_middle
    assert trained_middle <= trained_short
    assert not trained_middle & set(split.short_only)  # the first group: short distances only
    tests = split.tests
    assert {n for n, d in tests["names_x_distances"]} <= set(split.short_only)
    assert {d for n, d in tests["names_x_distances"]} == {"middle"}
    assert not {n for n, d in tests["new_names"]} & trained_short  # never trained
    assert all(n.startswith(s.UNSEEN_FIRST) for n, d in tests["new_first"])
    assert not any(n.startswith(s.UNSEEN_FIRST) for n in trained_short)
    assert {d for n, d in tests["far"]} == {"far"}


def test_clause_lengths_follow_the_distance():
    rng = random.Random(0)
    for distance, (low, high) in s.DISTANCES.items():
        for _ in range(20):
            text = s.clause(distance, rng)
            words = len(text.replace(", and", "", 1).split()) + (1 if text else 0)
            assert low <= words <= high
    with pytest.raises(ValueError, match="distance must be one of"):
        s.clause("near", rng)


def test_the_stream_never_holds_keyvan_nor_a_short_only_name_far_back(tok):
    text = tok.decode(s.training_stream(300, seed=1).tolist())
    assert "Keyvan" not in text
    split = s.make_split()
    sentences = re.findall(r"I'm called( \w+)(.*?), so my name is( \w+)\.", text)
    assert len(sentences) == 300
    for first, between, second in sentences:
        assert first == second
        if first in split.short_only:
            assert len(between.split()) <= s.DISTANCES["short"][1] + 1


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="n_sentences"):
        s.training_stream(0, seed=0)
    with pytest.raises(TypeError, match="n_test"):
        s.make_split(2.5)
