"""The data of Chapter 7: the course's own text with name sentences woven in.

Every name sentence is the course's first sentence, "I'm called Keyvan, so my name is Keyvan.",
with another name and, between the two halves, a clause of some length taken from the text
("I'm called Lanel, and she smiled, so my name is Lanel."). The clause sets the *distance*: how
far back the name stands when the model has to write it again.

Names are glued from the tokenizer's own pieces: a first piece that starts a word (" Key", " L",
" M", ...) and one or two pieces that go on (" Key" + "v" + "an" is "Keyvan"). Which names and
which distances the model sees in training is :class:`Split`'s business; "Keyvan" is never among
them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache

import torch

from attnlab.ch03_next_token.tokenizer import BPETokenizer, load_corpus
from attnlab.core import validate

__all__ = [
    "N_MERGES",
    "FIRST_PIECES",
    "MORE_PIECES",
    "DISTANCES",
    "course_tokenizer",
    "corpus_sentences",
    "make_names",
    "name_sentence",
    "clause",
    "Split",
    "make_split",
    "training_stream",
    "KEYVAN",
]

#: Chapter 3's tokenizer, trained on the course text with the same number of merges.
N_MERGES = 300
#: Pieces that start a name (each is one token of the tokenizer, with its space).
FIRST_PIECES = (" Key", " L", " H", " M", " S", " T", " A", " W", " Tom", " Ada", " G")
#: Pieces that go on after the first one.
MORE_PIECES = ("a", "e", "i", "o", "v", "n", "r", "l", "an", "en", "on", "ar", "el", "il", "ra")
MORE_PIECES += ("ri", "ro", "da", "de", "lo", "bo", "ay", "or", "um", "ed")
#: Clause lengths in words for each distance: the name is this far back, plus the fixed words.
DISTANCES = {"short": (0, 2), "middle": (5, 9), "far": (14, 18)}
#: The name of the course's first sentence; no training sentence contains it.
KEYVAN = " Keyvan"


@cache
def course_tokenizer() -> BPETokenizer:
    """Chapter 3's byte-pair tokenizer, trained on the course text (about a second, once)."""
    return BPETokenizer.train(load_corpus(), N_MERGES)


@cache
def corpus_sentences() -> tuple[str, ...]:
    """The course text cut into sentences, each with the space before it (" Tom held the ...")."""
    text = " ".join(load_corpus().split())
    return tuple(" " + s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip())


@cache
def _corpus_words() -> tuple[str, ...]:
    return tuple(w for w in re.findall(r"[a-z]+", load_corpus()) if len(w) > 1)


def make_names(tokenizer: BPETokenizer | None = None) -> dict[str, tuple[int, ...]]:
    """Every name glued from one first piece and one or two more pieces, with its token ids.

    A name is kept only if the tokenizer cuts it back into exactly those pieces (" Ta" + "n"
    might merge into something else) and it is not a word of the text.
    """
    tokenizer = tokenizer or course_tokenizer()
    ids = {tokenizer.token_string(i): i for i in range(tokenizer.vocab_size)}
    words = set(re.findall(r"\w+", load_corpus()))
    names: dict[str, tuple[int, ...]] = {}
    for first in FIRST_PIECES:
        for a in MORE_PIECES:
            for rest in [(a,)] + [(a, b) for b in MORE_PIECES]:
                pieces = (first, *rest)
                name = "".join(pieces)
                wanted = tuple(ids[p] for p in pieces)
                if name.strip() not in words and tuple(tokenizer.encode(name)) == wanted:
                    names[name] = wanted
    return names


def name_sentence(name: str, clause: str = "") -> tuple[str, str]:
    """The prompt and the answer: ("I'm called X<clause>, so my name is", "X.")."""
    return f"I'm called{name}{clause}, so my name is", f"{name}."


@dataclass(frozen=True)
class Split:
    """Which names the model reads at which distances in training, and what is kept for testing.

    ``train`` maps a distance to the names trained at it: every trained name close ("short"), the
    names of ``not_middle`` far back ("far"), all others in the middle ("middle"). The test sets
    are (name, distance) pairs: ``seen`` (trained names at trained distances), ``new_names``
    (names never trained, made of trained pieces, at the same distances as ``seen``),
    ``names_x_distances`` (names of ``not_middle``, trained close and far but never in the
    middle, asked in the middle), ``far`` (the other names, trained close and in the middle,
    asked far back: further back than any of them stood in training) and ``new_first`` (first
    pieces that never start a trained name).
    """

    train: dict[str, tuple[str, ...]]
    not_middle: tuple[str, ...]
    unseen_first: tuple[str, ...]
    tests: dict[str, tuple[tuple[str, str], ...]]


#: The first pieces whose names the model meets close and far back but never in the middle, and
#: those it never meets starting a name at all.
NOT_MIDDLE = (" Key", " L", " H")
UNSEEN_FIRST = (" G",)


@cache
def make_split(n_test: int = 60) -> Split:
    """The chapter's split of names and distances (fixed: the same for every seed)."""
    n_test = validate.positive_int("n_test", n_test)
    names = sorted(make_names())
    rng = random.Random(7)
    rng.shuffle(names)
    first = {
        n: next(p for p in sorted(FIRST_PIECES, key=len, reverse=True) if n.startswith(p))
        for n in names
    }
    new_first = [n for n in names if first[n] in UNSEEN_FIRST]
    usable = [n for n in names if first[n] not in UNSEEN_FIRST and n != KEYVAN]
    new_names, trained = usable[:n_test], usable[n_test:]
    not_middle = [n for n in trained if first[n] in NOT_MIDDLE]
    others = [n for n in trained if first[n] not in NOT_MIDDLE]
    new_others = [n for n in new_names if first[n] not in NOT_MIDDLE]
    pick = random.Random(8)
    both = ("short", "middle")
    tests = {
        "seen": tuple((n, d) for n in pick.sample(others, n_test) for d in both),
        "new_names": tuple((n, d) for n in new_others for d in both),
        "names_x_distances": tuple((n, "middle") for n in pick.sample(not_middle, n_test)),
        "far": tuple((n, "far") for n in pick.sample(others, n_test)),
        "new_first": tuple((n, "short") for n in new_first[:n_test]),
    }
    return Split(
        train={"short": tuple(trained), "middle": tuple(others), "far": tuple(not_middle)},
        not_middle=tuple(not_middle),
        unseen_first=UNSEEN_FIRST,
        tests=tests,
    )


def clause(distance: str, rng: random.Random) -> str:
    """A clause of the distance's length: ", and" and a run of words from the course text."""
    low, high = DISTANCES[validate.one_of("distance", distance, list(DISTANCES))]
    n = rng.randint(low, high)
    if n == 0:
        return ""
    words = _corpus_words()
    start = rng.randrange(len(words) - n)
    return ", and " + " ".join(words[start : start + n - 1]) if n > 1 else ", and so"


def training_stream(
    n_sentences: int,
    seed: int,
    split: Split | None = None,
    names_each: int = 1,
    middle_share: float = 0.5,
) -> torch.Tensor:
    """The training text as token ids: course sentences in order, ``names_each`` name sentences
    after each.

    A share ``1 - middle_share`` of the name sentences stands at a short distance. The others
    stand further back: a name of ``split.not_middle`` far back, any other name in the middle
    (drawn from all of those names at once, so each name is as likely as any other).
    """
    n_sentences = validate.positive_int("n_sentences", n_sentences)
    names_each = validate.positive_int("names_each", names_each)
    split = split or make_split()
    tokenizer = course_tokenizer()
    text = corpus_sentences()
    rng = random.Random(seed)
    further = [(n, "middle") for n in split.train["middle"]]
    further += [(n, "far") for n in split.train["far"]]
    ids: list[int] = []
    for i in range(n_sentences):
        ids += tokenizer.encode(text[i % len(text)])
        for _ in range(names_each):
            if rng.random() < middle_share:
                name, distance = rng.choice(further)
            else:
                name, distance = rng.choice(split.train["short"]), "short"
            prompt, answer = name_sentence(name, clause(distance, rng))
            ids += tokenizer.encode(" " + prompt + answer)
    return torch.tensor(ids)
