"""attnlab: the shared code of the course "From a Line to Attention".

Every chapter of the book imports from here instead of copying code. Modules, one idea each:

- ``validate``   argument checks that turn bad input into clear errors (all chapters)
- ``line``       Chapter 1: a line, its loss and gradient descent
- ``hinge``      Chapter 2: hinges (ReLU), sums of hinges, the MLP, XOR
- ``digits``     Chapter 2: the handwritten-digits data set shipped with the course
- ``tokenizer``  Chapter 3: a small byte-pair-encoding tokenizer
- ``copytask``   Chapters 3-6: the copy-a-name data sets and their held-out splits
- ``models``     Chapters 3-6: the next-token models (MLP and attention)
- ``attention``  Chapters 4-5: scaled dot-product attention, SelfAttention, MultiHeadAttention
- ``train``      the training loop with a progress bar
- ``experiments`` Chapters 3-6: the experiments the book runs, as functions
- ``checks``     exercise checks with kind, precise messages
- ``widgets``    the logic behind each live widget (plain functions) and the ipywidgets wiring
- ``doctor``     ``python -m attnlab.doctor``: an environment check for bug reports
"""

from __future__ import annotations

import random

__version__ = "0.1.0"

__all__ = ["__version__", "set_seed"]


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and PyTorch so that a re-run gives the same numbers (all chapters)."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
