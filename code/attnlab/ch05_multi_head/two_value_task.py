"""Chapter 5's two-value task, "this year minus birth year": sequences that hide two numbers, whose
answer needs both (the data of the experiment in :mod:`attnlab.ch05_multi_head.two_value`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from attnlab.core import validate

__all__ = ["TwoValueTask"]


@dataclass(frozen=True)
class TwoValueTask:
    """Sequences that hide two numbers; the answer needs both (Chapter 5's experiment).

    A sequence has ``2 * half`` slots and then a question mark. Value ``a`` (one of ``n_values``
    number tokens) appears 1 to ``max_repeat`` times in the first ``half`` slots, value ``b`` 1 to
    ``max_repeat`` times in the last ``half`` slots, the other slots hold filler tokens. The target
    is ``(b - a) mod n_values``: with 10 values, the last digit of someone's age from the last
    digits of their birth year (a) and of this year (b).
    Tokens: 0..n_values-1 are numbers, then the fillers, then the question mark.
    """

    n_values: int = 10
    half: int = 4
    n_fillers: int = 4
    max_repeat: int = 3

    def __post_init__(self) -> None:
        validate.positive_int("n_values", self.n_values, minimum=2)
        validate.positive_int("half", self.half)
        validate.positive_int("n_fillers", self.n_fillers)
        validate.positive_int("max_repeat", self.max_repeat)
        if self.max_repeat > self.half:
            raise ValueError(f"max_repeat={self.max_repeat} must be <= half={self.half}")

    @property
    def vocab_size(self) -> int:
        return self.n_values + self.n_fillers + 1

    @property
    def length(self) -> int:
        return 2 * self.half + 1

    @property
    def question(self) -> int:
        """The question-mark token, always last: its query asks for the two values."""
        return self.n_values + self.n_fillers

    def token_names(self) -> list[str]:
        """Printable names: '0', '1', ... for numbers, '·a', '·b'... for fillers, '?' (Chapter 5)."""
        fillers = [f"·{chr(ord('a') + i)}" for i in range(self.n_fillers)]
        return [str(v) for v in range(self.n_values)] + fillers + ["?"]

    def sample(
        self, n: int, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` random sequences (n, length) and their targets (n,), both int64."""
        n = validate.positive_int("n", n)
        g = generator
        a = torch.randint(self.n_values, (n,), generator=g)
        b = torch.randint(self.n_values, (n,), generator=g)
        halves = [self._half(a, n, g), self._half(b, n, g)]
        question = torch.full((n, 1), self.question)
        return torch.cat([*halves, question], dim=1), (b - a) % self.n_values

    def make(self, a: int, b: int, slots_a: Sequence[int], slots_b: Sequence[int]) -> torch.Tensor:
        """One hand-made sequence (length,): ``a`` in ``slots_a`` (0-based, within the first half),
        ``b`` in ``slots_b`` (within the second half), filler ``·a`` elsewhere."""
        for name, v in (("a", a), ("b", b)):
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < self.n_values:
                raise ValueError(f"{name} must be an int in 0..{self.n_values - 1}, got {v!r}")
        tokens = torch.full((self.length,), self.n_values)
        tokens[-1] = self.question
        for name, slots, v, offset in (("slots_a", slots_a, a, 0), ("slots_b", slots_b, b, 1)):
            slots = list(slots)
            if not 1 <= len(slots) <= self.half or any(
                not isinstance(s, int) or not 0 <= s < self.half for s in slots
            ):
                raise ValueError(
                    f"{name} must list 1 to {self.half} slot numbers in 0..{self.half - 1}, "
                    f"got {slots!r}"
                )
            tokens[[s + offset * self.half for s in slots]] = v
        return tokens

    def _half(self, value: torch.Tensor, n: int, g: torch.Generator | None) -> torch.Tensor:
        repeats = torch.randint(1, self.max_repeat + 1, (n, 1), generator=g)
        rank = torch.rand(n, self.half, generator=g).argsort(dim=1).argsort(dim=1)
        fillers = self.n_values + torch.randint(self.n_fillers, (n, self.half), generator=g)
        return torch.where(rank < repeats, value[:, None], fillers)
