"""Hand-built word vectors whose every number means something (Chapter 4).

A trained model learns its queries, keys and values, and nobody can read them. Here we build them
by hand, so that every score of the chapter can be checked by eye. Every dimension has a name.

Every word of the small lexicon holds three vectors:

- ``query`` "what I am looking for" (it: a noun that can get tired), over ``FEATURES``;
- ``key``   "what I offer for matching", my profile (robot: a noun, mechanical, can get tired),
  over the same ``FEATURES``, so that a query and a key can be multiplied feature by feature;
- ``value`` "what I hand over" when someone attends to me: my content, over ``VALUE_FEATURES``
  (robot: made of metal, runs on a battery, gets tired). The value is a different vector from
  the key, in its own feature space: the key is only used to be found, the value is what the
  finder takes away. A word with nothing to hand over in this small world (the, on, sat, and the
  stand-ins "it", "we", "she") has a zero value; "bank" hands over an ambiguous meaning (half
  water, half money) and lets the context decide.

A word that looks for nothing in particular has a zero query (it spreads its attention evenly).
The "noun" feature is +1 for nouns, -1 for words that are clearly not nouns and 0 for the
stand-ins "it" and "she", so a query that wants a noun also turns away from the small words.

``LEXICON`` has the shape the web book's explorer reads: ``{word: {"query", "key", "value"}}``,
plain lists of floats (JSON-ready).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch

from attnlab.core import validate

__all__ = [
    "FEATURES",
    "VALUE_FEATURES",
    "LEXICON",
    "ROBOT_SENTENCE",
    "RIVER_SENTENCE",
    "MONEY_SENTENCE",
    "vector",
    "vectors",
    "lexicon_with",
]

#: The names of the query and key dimensions, in order (d_k = 8): what words match on.
FEATURES: tuple[str, ...] = (
    "noun",
    "verb",
    "mechanical",
    "can get tired",
    "flat surface",
    "describes",
    "water",
    "money",
)

#: The names of the value dimensions, in order (d_v = 8): what words hand over.
VALUE_FEATURES: tuple[str, ...] = (
    "metal",
    "battery",
    "alive",
    "furry",
    "gets tired",
    "surface",
    "water",
    "money",
)

ROBOT_SENTENCE: tuple[str, ...] = tuple("the robot sat on the floor because it was tired".split())
RIVER_SENTENCE: tuple[str, ...] = tuple("we sat by the river bank".split())
MONEY_SENTENCE: tuple[str, ...] = tuple("she put money in the bank".split())

_NOT_A_NOUN = {"noun": -1.0}
_NOTHING: dict[str, float] = {}  # no value: nothing to hand over in this small world

# Only the non-zero features are written; the rest are 0. A missing query means "I look for
# nothing in particular"; every word says what it hands over (its value) separately from its key.
_WORDS: dict[str, dict[str, dict[str, float]]] = {
    # the robot sentence
    "the": {"key": _NOT_A_NOUN, "value": _NOTHING},
    "robot": {
        "key": {"noun": 1, "mechanical": 1, "can get tired": 1},
        "value": {"metal": 1, "battery": 1, "gets tired": 1},
    },
    "sat": {"key": {"noun": -1, "verb": 1}, "value": _NOTHING},
    "on": {"key": _NOT_A_NOUN, "value": _NOTHING},
    "floor": {"key": {"noun": 1, "flat surface": 1}, "value": {"surface": 1}},
    "because": {"key": _NOT_A_NOUN, "value": _NOTHING},
    "it": {"key": {}, "query": {"noun": 4, "can get tired": 4}, "value": _NOTHING},
    "was": {"key": {"noun": -1, "verb": 1}, "value": _NOTHING},
    "tired": {"key": {"noun": -1, "describes": 1}, "value": {"gets tired": 1}},
    # words to swap in
    "cat": {
        "key": {"noun": 1, "can get tired": 1},
        "value": {"alive": 1, "furry": 1, "gets tired": 1},
    },
    "dog": {
        "key": {"noun": 1, "can get tired": 1},
        "value": {"alive": 1, "furry": 1, "gets tired": 1},
    },
    "box": {"key": {"noun": 1}, "value": _NOTHING},
    "table": {"key": {"noun": 1, "flat surface": 1}, "value": {"surface": 1}},
    "mat": {"key": {"noun": 1, "flat surface": 1}, "value": {"surface": 1}},
    "car": {"key": {"noun": 1, "mechanical": 1}, "value": {"metal": 1, "battery": 1}},
    "lay": {"key": {"noun": -1, "verb": 1}, "value": _NOTHING},
    # river bank and money bank
    "we": {"key": {}, "value": _NOTHING},
    "she": {"key": {}, "value": _NOTHING},
    "by": {"key": _NOT_A_NOUN, "value": _NOTHING},
    "in": {"key": _NOT_A_NOUN, "value": _NOTHING},
    "put": {"key": {"noun": -1, "verb": 1}, "value": _NOTHING},
    "river": {"key": {"noun": 1, "water": 1}, "value": {"water": 1}},
    "money": {"key": {"noun": 1, "money": 1}, "value": {"money": 1}},
    "bank": {
        "key": {"noun": 1},
        "query": {"water": 4, "money": 4},
        "value": {"water": 0.5, "money": 0.5},
    },
}


def _names(part: str) -> tuple[str, ...]:
    return VALUE_FEATURES if part == "value" else FEATURES


def _dense(features: Mapping[str, float], part: str = "key") -> list[float]:
    names = _names(part)
    unknown = set(features) - set(names)
    if unknown:
        raise ValueError(
            f"unknown feature(s) {sorted(unknown)} for a {part}; the {part} features are "
            f"{list(names)}"
        )
    return [float(features.get(name, 0.0)) for name in names]


def _entry(spec: Mapping[str, Mapping[str, float]]) -> dict[str, list[float]]:
    return {part: _dense(spec.get(part) or {}, part) for part in ("query", "key", "value")}


#: ``{word: {"query": [...], "key": [...], "value": [...]}}``, 8 numbers each: the query and the
#: key over ``FEATURES``, the value over ``VALUE_FEATURES``.
LEXICON: dict[str, dict[str, list[float]]] = {word: _entry(s) for word, s in _WORDS.items()}


def _check_words(words: object, lexicon: Mapping[str, Mapping[str, list[float]]]) -> list[str]:
    if isinstance(words, str):
        words = words.split()
    if not isinstance(words, Sequence) or not words or not all(isinstance(w, str) for w in words):
        raise TypeError(f"words must be a non-empty list of words (or a sentence), got {words!r}")
    missing = [w for w in words if w not in lexicon]
    if missing:
        raise ValueError(
            f"words {missing} are not in the lexicon; known words: {', '.join(sorted(lexicon))}"
        )
    return list(words)


def vector(word: str, part: str = "key") -> torch.Tensor:
    """One word's ``"query"``, ``"key"`` or ``"value"`` vector, shape (8,), float64 (Chapter 4)."""
    validate.one_of("part", part, ["query", "key", "value"])
    (word,) = _check_words([word], LEXICON)
    return torch.tensor(LEXICON[word][part], dtype=torch.float64)


def vectors(
    words: Sequence[str] | str,
    lexicon: Mapping[str, Mapping[str, list[float]]] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The queries, keys and values of a sentence: three (len(words), 8) float64 tensors.

    ``words`` is a list of words or a space-separated sentence; ``lexicon`` defaults to
    ``LEXICON`` (pass :func:`lexicon_with`'s result to try a changed vector).
    """
    lexicon = LEXICON if lexicon is None else lexicon
    if not isinstance(lexicon, Mapping):
        raise TypeError(
            f"lexicon must be a dict {{word: {{'query', 'key', 'value'}}}}, got {lexicon!r}"
        )
    words = _check_words(words, lexicon)
    return tuple(  # type: ignore[return-value]
        torch.tensor([lexicon[w][part] for w in words], dtype=torch.float64)
        for part in ("query", "key", "value")
    )


def lexicon_with(
    word: str, part: str, features: Mapping[str, float]
) -> dict[str, dict[str, list[float]]]:
    """A copy of ``LEXICON`` where ``word``'s ``part`` vector is replaced (Chapter 4's exercise).

    ``features`` names the non-zero features, e.g. ``{"noun": 4, "flat surface": 4}``: names of
    ``FEATURES`` for a query or a key, of ``VALUE_FEATURES`` for a value.
    """
    validate.one_of("part", part, ["query", "key", "value"])
    (word,) = _check_words([word], LEXICON)
    if not isinstance(features, Mapping):
        raise TypeError(f"features must be a dict {{feature name: number}}, got {features!r}")
    for name, number in features.items():
        validate.finite_number(f"features[{name!r}]", number)
    changed = {w: {p: list(v) for p, v in entry.items()} for w, entry in LEXICON.items()}
    changed[word][part] = _dense(features, part)
    return changed
