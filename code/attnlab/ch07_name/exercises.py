"""What Chapter 7's exercises expect: one list of cases per exercise, in one place.

The book's checks (``checks.py``) and the assignment's hidden tests
(``assignments/source/ch07_name``: ``block_forward`` and ``strongest_induction_head``) both draw
their inputs from here; the right answers come from the chapter's own code (``Block.forward`` in
``model.py``, Chapter 6's ``induction_score``). Inputs are plain nested lists and numbers, so the
grader can hand them to a sandboxed notebook as JSON.
"""

from __future__ import annotations

import numpy as np

from attnlab.core.exercises import pick_cases

__all__ = ["CASES", "cases", "patterns"]


def patterns(
    n_layers: int, n_heads: int, length: int, period: int, special: dict[tuple[int, int], tuple]
) -> list:
    """Attention patterns (n_layers, n_heads, length, length) as nested lists, on a sequence that
    repeats after ``period`` tokens.

    Every row is uniform over the positions it may see (causal), except for the heads in
    ``special``: ``{(layer from 1, head from 0): (kind, share)}`` moves ``share`` of each row's
    weight onto one position: ``"induction"`` i - period + 1 (the rows of the repeat),
    ``"duplicate"`` i - period (the earlier copy of the same token), ``"previous"`` i - 1."""
    rows = np.tril(np.ones((length, length)))
    uniform = rows / rows.sum(axis=1, keepdims=True)
    out = np.broadcast_to(uniform, (n_layers, n_heads, length, length)).copy()
    shift = {"induction": period - 1, "duplicate": period, "previous": 1}
    for (layer, head), (kind, share) in special.items():
        for i in range(shift[kind], length):
            row = (1 - share) * uniform[i]
            row[i - shift[kind]] += share
            out[layer - 1, head, i] = row
    return out.tolist()


CASES: dict[str, list[tuple[str, tuple]]] = {
    # block_forward: a TinyGPT Block(d_model, n_heads, width) made with torch.manual_seed(seed),
    # its LayerNorms given random scales and shifts, on torch.randn(2, length, d_model) drawn from
    # a generator seeded with seed (see checks.block_parts)
    "block_forward": [
        (
            f"d_model={d}, {h} head(s), MLP width {w}, {n} tokens, seed {s}",
            (d, h, w, n, s),
        )
        for d, h, w, n, s in (
            (4, 1, 8, 3, 0),
            (8, 2, 16, 5, 1),
            (12, 3, 24, 6, 2),
            (16, 4, 32, 8, 3),
        )
    ],
    # strongest_induction_head(patterns, period) -> (layer counted from 1, head counted from 0)
    "strongest_induction_head": [
        (
            "1 layer, 2 heads, period 3: head 1 copies, head 0 is uniform",
            (patterns(1, 2, 6, 3, {(1, 1): ("induction", 0.7)}), 3),
        ),
        (
            "2 layers, 2 heads, period 4: a previous-token head in layer 1, the induction head in "
            "layer 2",
            (patterns(2, 2, 8, 4, {(1, 0): ("previous", 0.9), (2, 1): ("induction", 0.6)}), 4),
        ),
        (
            "2 layers, 3 heads, period 4: a head on the earlier copy of the SAME token (layer 2, "
            "head 0) beside the induction head (layer 1, head 2)",
            (
                patterns(2, 3, 8, 4, {(2, 0): ("duplicate", 0.9), (1, 2): ("induction", 0.5)}),
                4,
            ),
        ),
        (
            "3 layers, 2 heads, period 3, 9 tokens (a third copy begins): a weak induction head "
            "in layer 3, a strong one in layer 2",
            (
                patterns(
                    3,
                    2,
                    9,
                    3,
                    {
                        (1, 1): ("previous", 0.8),
                        (2, 0): ("induction", 0.8),
                        (3, 1): ("induction", 0.4),
                    },
                ),
                3,
            ),
        ),
    ],
}


def cases(name: str) -> list[tuple[str, tuple]]:
    """A fresh copy of the cases of exercise ``name`` (a student's code cannot change the list)."""
    return pick_cases(CASES, name)
