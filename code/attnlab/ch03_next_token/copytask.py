"""The copy task: a name sits somewhere in the context and must be copied at the end (Chapters 3-6).

A context is ``n_slots`` slots, one holding a name token and the others filler words, then the
token "is"; the next token to predict is the name::

    slot:    0     1     2     3     4    5    6    (end)
    tokens:  the   old   Fam   and   so   my   we   is    ->  Fam

Which (name, slot) combinations the model may see in training is decided by the split:

- ``"systematic"`` (the default): names come in groups (name ``i`` is in group ``i % n_groups``)
  and each group is seen in training only in its own block of slots. With two groups: even names
  only at slots 0-3, odd names only at slots 4-6. The held-out test asks for the crossed
  combinations (an even name at slot 5). Every name still occurs as an answer in training.
- ``"random"``: each name misses one slot chosen at random; those holes are the held-out test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from attnlab.core import validate

__all__ = ["CopyTask", "FILLER_WORDS", "MARKER", "name_tokens"]

MARKER = "is"

FILLER_WORDS = (
    "the a and so my we you they it was to of in on at for with from but or not all this that "
    "old new big small red blue good bad day night way home work time then now here there very "
    "just also when what who how well much more most"
).split()

_ONSETS = ["B", "D", "F", "G", "K", "L", "M", "N", "P", "R", "S", "T", "V", "Z", "J", "H"]
_VOWELS = ["a", "e", "i", "o", "u"]
_CODAS = ["b", "d", "f", "g", "k", "l", "m", "n", "r", "s", "v", "x", "z"]


def name_tokens(n_names: int) -> list[str]:
    """``n_names`` made-up, rare-looking name tokens ("Bab", "Zev", ...), always the same ones."""
    n_names = validate.positive_int("n_names", n_names, minimum=2)
    names = [o + v + c for c in _CODAS for o in _ONSETS for v in _VOWELS]
    if n_names > len(names):
        raise ValueError(f"n_names must be at most {len(names)}, got {n_names}")
    # Interleave so that neighbouring names look different (Bab, Deb, Fib, ...).
    step = 7  # coprime with len(names) = 1040, so this visits every name once
    return [names[(i * step) % len(names)] for i in range(n_names)]


@dataclass
class CopyTask:
    """The copy-a-name data set with its training/held-out split (Chapters 3, 4 and 6).

    Token ids: fillers first, then the marker "is", then the names. ``seen[name, slot]`` is True
    for the combinations that may appear in training; the rest is the held-out test.
    ``seed`` only matters for the random split (which slot each name misses).
    """

    n_names: int = 200
    n_slots: int = 7
    n_fillers: int = 50
    split: str = "systematic"
    n_groups: int = 2
    seed: int = 0
    vocab: list[str] = field(init=False, repr=False)
    seen: torch.Tensor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.n_names = validate.positive_int("n_names", self.n_names, minimum=2)
        self.n_slots = validate.positive_int("n_slots", self.n_slots, minimum=2)
        self.n_fillers = validate.positive_int("n_fillers", self.n_fillers, minimum=1)
        if self.n_fillers > len(FILLER_WORDS):
            raise ValueError(f"n_fillers must be at most {len(FILLER_WORDS)}, got {self.n_fillers}")
        validate.one_of("split", self.split, ["systematic", "random"])
        self.n_groups = validate.positive_int("n_groups", self.n_groups, minimum=2)
        if self.n_groups > self.n_slots or self.n_groups > self.n_names:
            raise ValueError(
                f"n_groups must be at most n_slots={self.n_slots} and n_names={self.n_names}, "
                f"got {self.n_groups}"
            )
        self.seed = validate.seed("seed", self.seed)
        self.vocab = FILLER_WORDS[: self.n_fillers] + [MARKER] + name_tokens(self.n_names)
        self.seen = self._make_split()

    # ---- the split -----------------------------------------------------------------------------
    def slot_group(self, slot: int) -> int:
        """The name group that is seen at ``slot`` in the systematic split (slots in blocks)."""
        return slot * self.n_groups // self.n_slots

    def _make_split(self) -> torch.Tensor:
        seen = torch.zeros(self.n_names, self.n_slots, dtype=torch.bool)
        if self.split == "systematic":
            for slot in range(self.n_slots):
                seen[self.groups == self.slot_group(slot), slot] = True
        else:
            generator = torch.Generator().manual_seed(self.seed)
            holes = torch.randint(0, self.n_slots, (self.n_names,), generator=generator)
            seen[:] = True
            seen[torch.arange(self.n_names), holes] = False
        return seen

    # ---- ids and names -------------------------------------------------------------------------
    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def context_length(self) -> int:
        """Tokens in one context: the slots plus the final "is"."""
        return self.n_slots + 1

    @property
    def marker_id(self) -> int:
        return self.n_fillers

    @property
    def first_name_id(self) -> int:
        return self.n_fillers + 1

    @property
    def groups(self) -> torch.Tensor:
        """The group of every name (name ``i`` is in group ``i % n_groups``)."""
        return torch.arange(self.n_names) % self.n_groups

    @property
    def chance(self) -> float:
        """The accuracy of guessing a name at random: 1 / n_names."""
        return 1.0 / self.n_names

    def decode(self, ids: torch.Tensor | list[int]) -> list[str]:
        """Token ids back to their strings."""
        return [self.vocab[int(i)] for i in ids]

    # ---- examples ------------------------------------------------------------------------------
    def pairs(self, heldout: bool = False) -> torch.Tensor:
        """All (name, slot) combinations of training (default) or of the held-out test, (n, 2)."""
        if not isinstance(heldout, bool):
            raise TypeError(f"heldout must be True or False, got {heldout!r}")
        return torch.nonzero(~self.seen if heldout else self.seen)

    def sample(
        self, n: int, generator: torch.Generator, heldout: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Draw ``n`` examples: ``(contexts, targets, names, slots)``.

        ``contexts`` is (n, context_length) token ids, ``targets`` the id of the name to predict,
        ``names`` and ``slots`` say which combination each example is (name index 0..n_names-1).
        """
        n = validate.positive_int("n", n)
        if not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
        pairs = self.pairs(heldout)
        pick = pairs[torch.randint(0, len(pairs), (n,), generator=generator)]
        names, slots = pick[:, 0], pick[:, 1]
        contexts = torch.randint(0, self.n_fillers, (n, self.context_length), generator=generator)
        contexts[:, -1] = self.marker_id
        targets = names + self.first_name_id
        contexts[torch.arange(n), slots] = targets
        return contexts, targets, names, slots
