"""The byte-level BPE tokenizer of Chapter 3."""

from __future__ import annotations

import json
import random
import re

import pytest

from attnlab.ch03_next_token.tokenizer import (
    BPETokenizer,
    chunk_classes,
    count_pairs,
    load_corpus,
    merge_pair,
    split_chunks,
)

N_MERGES = 300  # the chapter's setting


@pytest.fixture(scope="module")
def tokenizer() -> BPETokenizer:
    return BPETokenizer.train(load_corpus(), N_MERGES)


def _random_text(rng: random.Random, n: int) -> str:
    alphabet = "abcKey vn,.!?\n\t  'é漢字😀ßΩ\u200b\r"
    return "".join(rng.choice(alphabet) for _ in range(n))


def test_corpus_ships_and_never_contains_the_name():
    text = load_corpus()
    assert 5_000 < len(text.encode("utf-8")) < 20_000
    assert "keyvan" not in text.lower()
    assert text.lower().count("key") >= 50


def test_keyvan_splits_into_key_v_an(tokenizer):
    assert tokenizer.pieces("Keyvan") == ["Key", "v", "an"]
    assert tokenizer.pieces(" key") == [" key"]  # a common word stays whole


@pytest.mark.parametrize("seed", range(5))
def test_round_trip_on_any_text(tokenizer, seed):
    rng = random.Random(seed)
    for n in (0, 1, 7, 200):
        text = _random_text(rng, n)
        assert tokenizer.decode(tokenizer.encode(text)) == text
        assert "".join(split_chunks(text)) == text


def test_round_trip_on_unicode_outside_the_corpus(tokenizer):
    text = "Grüße, 世界! Keyvan 🙂 naïve café\n"
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    assert all(0 <= i < tokenizer.vocab_size for i in ids)


def test_merges_are_deterministic_and_compress():
    text = load_corpus()
    a = BPETokenizer.train(text, 50)
    b = BPETokenizer.train(text, 50)
    assert a.merges == b.merges and a.history == b.history
    assert len(a.encode(text)) < len(text.encode("utf-8"))
    assert a.vocab_size == 256 + 50
    # The first merge is the most frequent pair of the text.
    words: dict = {}
    for chunk in split_chunks(text):
        key = tuple(chunk.encode("utf-8"))
        words[key] = words.get(key, 0) + 1
    ((pair, count),) = count_pairs(words).most_common(1)
    assert a.merges[0] == pair and a.history[0][2] == count


def test_ties_go_to_the_pair_with_the_smaller_ids():
    """Chapter 3's toy text: five pairs tie at 4 and " " + "k" (ids 32, 107) wins."""
    toy = "the key, the keys, they keep the key"
    tokenizer = BPETokenizer.train(toy, 6)
    assert [h[:2] for h in tokenizer.history] == [
        (" ", "k"),
        ("e", "y"),
        ("t", "h"),
        (" ", "th"),
        (" k", "ey"),
        (" th", "e"),
    ]
    assert tokenizer.merges[0] == (32, 107) and tokenizer.history[0][2] == 4
    assert BPETokenizer.train("ba,ab", 1).merges == [(97, 98)]  # "a"+"b" before "b"+"a"


def test_rebuilt_from_merges_encodes_the_same(tokenizer):
    copy = BPETokenizer(tokenizer.merges)
    text = load_corpus()[:2000]
    assert copy.encode(text) == tokenizer.encode(text)


def test_merge_pair():
    assert merge_pair([1, 2, 2, 1, 2], (1, 2), 9) == [9, 2, 9]
    assert merge_pair([2, 2, 2], (2, 2), 9) == [9, 2]
    assert merge_pair([], (1, 2), 9) == []


def test_training_stops_when_nothing_is_left_to_merge():
    tok = BPETokenizer.train("ab ab", 100)
    assert tok.pieces("ab ab") == ["ab", " ab"]
    assert len(tok.merges) < 100


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda t: t.encode(b"bytes"), TypeError, "text must be a str"),
        (lambda t: t.encode(None), TypeError, "text must be a str"),
        (lambda t: t.decode("abc"), TypeError, "ids"),
        (lambda t: t.decode([10**6]), ValueError, "ids must be token ids"),
        (lambda t: t.decode([-1]), ValueError, "ids must be token ids"),
        (lambda t: BPETokenizer.train("", 5), ValueError, "text must not be empty"),
        (lambda t: BPETokenizer.train("abc", -1), ValueError, "n_merges"),
        (lambda t: BPETokenizer.train("abc", 2.5), TypeError, "n_merges"),
        (lambda t: BPETokenizer.train(["abc"], 2), TypeError, "text must be a str"),
        (lambda t: BPETokenizer([(1, 999)]), ValueError, "merges[0]"),
    ],
)
def test_bad_input(tokenizer, call, error, words):
    with pytest.raises(error, match=words.replace("[", r"\[")):
        call(tokenizer)


def test_the_character_classes_are_pythons():
    """chunk_classes() holds exactly the characters re's \\w and \\s match (the web book's
    tokenizer cuts chunks with them)."""
    classes = chunk_classes()

    def members(ranges):
        out, after = set(), 0
        for gap, extra in zip(ranges[::2], ranges[1::2], strict=True):
            low = after + gap
            out |= set(range(low, low + extra + 1))
            after = low + extra + 1
        return out

    word, space = members(classes["word"]), members(classes["space"])
    for c in [0x41, 0x5F, 0xE9, 0x416, 0x65E5, 0x1D400, 0x20, 0x0A, 0x1C, 0xA0, 0x3000, 0xFEFF]:
        assert (c in word) == bool(re.match(r"\w", chr(c))), hex(c)
        assert (c in space) == bool(re.match(r"\s", chr(c))), hex(c)
    assert not word & space
    assert split_chunks("a\u00a0b") == ["a", "\u00a0", "b"]  # what the ranges must reproduce


def test_the_spec_is_the_tokenizer_as_json():
    tokenizer = BPETokenizer.train("the key, the keys; the kettle", 5)
    spec = tokenizer.spec()
    assert spec["merges"] == [list(pair) for pair in tokenizer.merges]
    assert spec["strings"] == [tokenizer.token_string(i) for i in range(tokenizer.vocab_size)]
    assert spec["word"] == chunk_classes()["word"] and spec["space"] == chunk_classes()["space"]
    json.dumps(spec, allow_nan=False)
