"""attnlab: the shared code of the course "From a Line to Attention".

One folder per chapter, named like the chapter's notebook, plus ``core`` for what they share:

- ``core``                argument checks, seeds, the claims of the prose, THE training loop,
                          the exercise-check runner, the explorable page machinery, ``doctor``
- ``ch01_line``           a line, its loss and gradient descent
- ``ch02_hinge``          hinges (ReLU), the MLP, XOR and the handwritten digits
- ``ch03_next_token``     a tokenizer, next-token windows, the copy task and the MLP that fails it
- ``ch04_attention``      scaled dot-product attention and the one-layer model that copies
- ``ch05_multi_head``     multi-head attention, the two-value task and what attention costs
- ``ch06_copying_names``  two layers that copy a whole name: the induction head

Each chapter folder has a README that says what is where. A chapter imports only ``core`` and
earlier chapters. ``attnlab.checks`` and ``attnlab.explorables`` gather every chapter's exercise
checks and explorables in one place.
"""

from __future__ import annotations

from attnlab.core.threads import wait_quietly

wait_quietly()  # before PyTorch is imported, where it can be: attnlab.core.threads says why

from attnlab.core.seeds import (  # noqa: E402
    SEED_OFFSET_VARIABLE,
    keeps_global_rng,
    seed_offset,
    set_seed,
    shift_seed,
)

__version__ = "0.1.0"

__all__ = [
    "SEED_OFFSET_VARIABLE",
    "__version__",
    "keeps_global_rng",
    "seed_offset",
    "set_seed",
    "shift_seed",
]
