"""The "called" task: a name that only the word in front of it marks (Chapters 4 and 6).

A context of ordinary tokens holds ``called NAME`` somewhere, and ends with ``so my name is``; the
model must continue with the name. The name is drawn from the same pool as the filler tokens, so
nothing about the token itself says "I am a name": only the ``called`` in front of it does. A name
can be one token or, for whole-name copying (Chapter 6), 2-3 sub-word tokens ("key v an") followed
by a comma; the model copies the comma too, and that is how it knows to stop.

The split is systematic, in the style of Chapter 3: the pool is cut into three name groups (by the
first token's index modulo 3) and the slots of ``called`` into three regions (left, middle, right).
Names of group g never appear in region g during training; the held-out test puts them exactly
there. Every name is still an answer in training, in the two other regions. (With only two groups
and two halves, the slot alone would give away half the answer, and models lean on that.)

Chapter 4 shows that one attention layer cannot solve it; Chapter 6 stacks two.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlab.core import validate

__all__ = [
    "POOL",
    "SPECIALS",
    "VOCAB",
    "PAD",
    "CALLED",
    "COMMA",
    "SUFFIX",
    "GROUPS",
    "NameTask",
    "encode",
    "decode",
]

# Ordinary words and sub-word pieces. Fillers and names are drawn from the same pool.
POOL: tuple[str, ...] = (
    "key", "rose", "hope", "bill", "mark", "sky", "will", "grace",
    "dawn", "ivy", "ruby", "sage", "june", "rock", "brook", "hunter",
    "baker", "cook", "king", "page", "hill", "lake", "holly", "daisy",
    "lily", "iris", "rain", "star", "frank", "pat", "rich", "victor",
    "v", "an", "el", "ra", "o", "ie", "ta", "ne",
    "li", "sa", "mi", "on", "ka", "er", "y", "us",
)  # fmt: skip
SPECIALS: tuple[str, ...] = ("<pad>", "called", ",", "so", "my", "name", "is")
VOCAB: tuple[str, ...] = SPECIALS + POOL
PAD, CALLED, COMMA = 0, 1, 2
SUFFIX: tuple[int, ...] = (3, 4, 5, 6)  # "so my name is"
GROUPS = 3  # name groups and slot regions of the systematic split
_INDEX = {token: i for i, token in enumerate(VOCAB)}


def encode(text: str | list[str]) -> list[int]:
    """Token ids of a space-separated string (or list) of course tokens, e.g. ``"called key ,"``."""
    if isinstance(text, str):
        words = text.split()
    elif isinstance(text, list) and all(isinstance(w, str) for w in text):
        words = text
    else:
        raise TypeError(f"text must be a string or a list of strings, got {type(text).__name__}")
    unknown = [w for w in words if w not in _INDEX]
    if unknown:
        raise ValueError(f"text has tokens outside the vocabulary: {unknown}; see names.VOCAB")
    return [_INDEX[w] for w in words]


def decode(ids: list[int] | torch.Tensor) -> str:
    """The space-separated text of a list of token ids (padding left out)."""
    if isinstance(ids, torch.Tensor):
        ids = ids.tolist()
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise TypeError("ids must be a list of ints or a 1-D integer tensor")
    bad = [i for i in ids if not 0 <= i < len(VOCAB)]
    if bad:
        raise ValueError(f"ids must lie in 0..{len(VOCAB) - 1}, got {bad}")
    return " ".join(VOCAB[i] for i in ids if i != PAD)


# ---------------------------------------------------------------------------------------------
# The task
# ---------------------------------------------------------------------------------------------


@dataclass
class NameTask:
    """The "called" task: how long the context is, how long names are and how they are split.

    ``name_length`` is ``(shortest, longest)`` in tokens. ``unseen`` pool tokens (the last ones) never
    occur in training at all, neither as filler nor in a name; they let us test copying of tokens the
    model has never seen. ``split`` is ``"systematic"`` (the crossed name-group x slot test) or
    ``"none"`` (every combination in training; the held-out set is then just fresh examples).
    """

    context_length: int = 8
    name_length: tuple[int, int] = (1, 1)
    unseen: int = 0
    split: str = "systematic"

    def __post_init__(self) -> None:
        validate.positive_int("context_length", self.context_length, minimum=4)
        if (
            not isinstance(self.name_length, (tuple, list))
            or len(self.name_length) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in self.name_length)
        ):
            raise TypeError(f"name_length must be a pair of ints, got {self.name_length!r}")
        short, long = self.name_length
        if not 1 <= short <= long <= 3:
            raise ValueError(
                f"name_length must satisfy 1 <= shortest <= longest <= 3, got {(short, long)}"
            )
        self.name_length = (short, long)
        validate.positive_int("unseen", self.unseen, minimum=0)
        if self.unseen > len(POOL) // 2:
            raise ValueError(f"unseen must be at most {len(POOL) // 2}, got {self.unseen}")
        validate.one_of("split", self.split, ("systematic", "none"))
        if self.n_slots < GROUPS:
            raise ValueError(
                f"context_length={self.context_length} leaves fewer than {GROUPS} slots for 'called' with "
                f"names of up to {long} tokens; use context_length >= {long + 1 + GROUPS}"
            )

    @property
    def has_comma(self) -> bool:
        """Names of several tokens end with a comma, which the model copies as its signal to stop."""
        return self.name_length != (1, 1)

    @property
    def n_slots(self) -> int:
        """How many positions ``called`` can take: it, the name (and the comma) must fit."""
        return self.context_length - self.name_length[1] - int(self.has_comma)

    @property
    def length(self) -> int:
        """Tokens in a training sequence: context, ``so my name is``, then the name and a comma."""
        extra = self.name_length[1] + 1 if self.has_comma else 0
        return self.context_length + len(SUFFIX) + extra

    @property
    def answer_position(self) -> int:
        """The position of ``is``: the model's prediction there should be the name's first token."""
        return self.context_length + len(SUFFIX) - 1

    def region(self, slot: torch.Tensor) -> torch.Tensor:
        """The region (0, 1 or 2) of a slot: the slots cut into three runs, left to right."""
        bounds = torch.tensor([r * self.n_slots // GROUPS for r in range(1, GROUPS)])
        return torch.bucketize(slot, bounds, right=True)

    def part_of(self, prompt: str | list[str]) -> str:
        """Which test set a prompt belongs to: "train", "heldout" or "unseen" (Chapter 6).

        ``prompt`` is a context of ``context_length`` tokens holding one ``called``, followed by
        ``so my name is``. "unseen" if any of its tokens is one the task keeps out of training;
        otherwise "heldout" if the group of the name's first token equals the region of the slot of
        ``called`` (a crossed combination), else "train".
        """
        ids = encode(prompt)
        if len(ids) != self.context_length + len(SUFFIX) or tuple(ids[-len(SUFFIX) :]) != SUFFIX:
            raise ValueError(
                f"prompt must be {self.context_length} context tokens then 'so my name is', "
                f"got {len(ids)} tokens: {decode(ids)!r}"
            )
        context = ids[: self.context_length]
        if context.count(CALLED) != 1:
            raise ValueError(
                f"prompt must hold 'called' exactly once in its context: {decode(ids)!r}"
            )
        slot = context.index(CALLED)
        if slot >= self.n_slots:
            raise ValueError(
                f"prompt puts 'called' at slot {slot}; this task uses slots 0..{self.n_slots - 1}"
            )
        first = len(SPECIALS)
        if context[slot + 1] < first:
            raise ValueError(f"prompt must have a pool token right after 'called': {decode(ids)!r}")
        seen = len(POOL) - self.unseen
        if any(i >= first + seen for i in ids):
            return "unseen"
        if self.split == "none":
            return "train"
        group = (context[slot + 1] - first) % GROUPS
        region = int(self.region(torch.tensor(slot)))
        return "heldout" if group == region else "train"

    def sample(
        self, n: int, generator: torch.Generator, part: str = "train"
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """``n`` examples: ``(tokens, targets, names, slots)``.

        ``part`` is ``"train"`` (seen combinations), ``"heldout"`` (crossed combinations) or
        ``"unseen"`` (names made of tokens that never occur in training). ``targets`` holds the next
        token at every position that is part of the answer and -100 elsewhere; ``names`` is (n, 3),
        padded with 0.
        """
        validate.positive_int("n", n)
        validate.one_of("part", part, ("train", "heldout", "unseen"))
        short, long = self.name_length
        seen = len(POOL) - self.unseen
        first = len(SPECIALS)
        tokens = torch.randint(first, first + seen, (n, self.length), generator=generator)
        tokens[:, self.context_length :] = PAD
        tokens[:, self.context_length : self.context_length + len(SUFFIX)] = torch.tensor(SUFFIX)
        sizes = torch.randint(short, long + 1, (n,), generator=generator)
        if part == "unseen":
            if self.unseen == 0:
                raise ValueError("part='unseen' needs a task built with unseen > 0")
            low, high = first + seen, first + len(POOL)
        else:
            low, high = first, first + seen
        names = torch.randint(low, high, (n, 3), generator=generator)
        names[torch.arange(3).expand(n, 3) >= sizes[:, None]] = PAD
        slots = torch.randint(0, self.n_slots, (n,), generator=generator)
        if self.split == "systematic" and part != "unseen":
            group = (names[:, 0] - first) % GROUPS  # the name's group, from its first token
            # heldout: the slot lies in the region numbered like the group; train: any other region
            shift = torch.randint(1, GROUPS, (n,), generator=generator)
            region = group if part == "heldout" else (group + shift) % GROUPS
            low_slot = region * self.n_slots // GROUPS
            high_slot = (region + 1) * self.n_slots // GROUPS
            offset = torch.rand(n, generator=generator)
            slots = low_slot + (offset * (high_slot - low_slot)).long()
        rows = torch.arange(n)
        tokens[rows, slots] = CALLED
        for j in range(3):
            has = sizes > j
            tokens[rows[has], slots[has] + 1 + j] = names[has, j]
        if self.has_comma:
            tokens[rows, slots + 1 + sizes] = COMMA
        targets = torch.full_like(tokens, -100)
        answer = self.answer_position
        targets[:, answer] = names[:, 0]
        if self.has_comma:
            for j in range(3):
                has = sizes > j
                tokens[rows[has], answer + 1 + j] = names[has, j]
                targets[rows[has], answer + 1 + j] = torch.where(
                    sizes[has] > j + 1, names[has, (j + 1) % 3], torch.tensor(COMMA)
                )
        return tokens, targets, names, slots
