"""How the course's processes use the CPU's threads (every chapter, through ``import attnlab``).

PyTorch's OpenMP threads wait for work by spinning, by default. With two threads on two cores and
any other process busy (a second notebook, a browser), a spinning thread takes the core its
partner needs, and a training loop of the course's size ran 15 times slower (60 TinyGPT steps:
8 s with one thread, 126 s with two, 8 s with two threads that sleep instead). ``OMP_WAIT_POLICY=
PASSIVE`` makes them sleep. OpenMP reads it once, when PyTorch is first imported, so it is set:

- by ``import attnlab`` (for scripts such as ``python -m attnlab.complete``, which import the
  course before PyTorch);
- in the environment of the course's Jupyter kernel (``make setup`` writes it into the kernel
  spec with :func:`add_to_kernelspec`), for notebooks, which import PyTorch first;
- by the Makefile, for everything ``make`` runs.

A value the user has set is kept.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["WAIT_POLICY", "wait_quietly", "add_to_kernelspec"]

#: The OpenMP wait policy the course runs with.
WAIT_POLICY = "PASSIVE"


def wait_quietly() -> str:
    """Set ``OMP_WAIT_POLICY`` to ``PASSIVE`` unless it is set already; return the value in force
    for OpenMP runtimes started from now on."""
    return os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)


def add_to_kernelspec(path: str | Path) -> dict:
    """Add ``OMP_WAIT_POLICY=PASSIVE`` to the ``env`` of the Jupyter kernel spec at ``path``
    (a kernel.json) and return the spec; an ``env`` entry already there is kept."""
    path = Path(path)
    if path.name != "kernel.json" or not path.is_file():
        raise ValueError(f"path must be an existing kernel.json, got {str(path)!r}")
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec.setdefault("env", {}).setdefault("OMP_WAIT_POLICY", WAIT_POLICY)
    path.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    return spec
