"""The claims suite: what the chapters say about training runs, on seeds the chapters do not run.

Each test calls the same ``attnlab`` functions as its chapter, with the chapter's settings, on
``claim_seeds`` (default: 10 seeds, 5-14; the chapters run 0-4, which nbval checks through their
``expect`` lines). ``ATTNLAB_CLAIM_SEEDS=0-19`` widens the set; ``ATTNLAB_SEED_OFFSET`` shifts all of
them. ``make claims`` runs the suite under every numeric setting and prints, for each claim, its bound
and the worst value over seeds x settings (tools/claims_table.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

_measured: list[dict] = []


def _parse_seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            low, high = part.split("-")
            seeds += range(int(low), int(high) + 1)
        elif part:
            seeds.append(int(part))
    return seeds


@pytest.fixture(scope="session")
def claim_seeds() -> list[int]:
    """The seeds every claim is checked on (before ATTNLAB_SEED_OFFSET)."""
    return _parse_seeds(os.environ.get("ATTNLAB_CLAIM_SEEDS", "5-14"))


@pytest.fixture(scope="session")
def ch7_seeds() -> list[int]:
    """Chapter 7's claim seeds: TinyGPT trains for about a minute per seed, so fewer by default
    ("5-6"); ``ATTNLAB_CH7_CLAIM_SEEDS=5-14`` checks as many as the other chapters."""
    return _parse_seeds(os.environ.get("ATTNLAB_CH7_CLAIM_SEEDS", "5-6"))


def check_claim(
    name: str,
    values: list[float],
    *,
    at_least: float | None = None,
    at_most: float | None = None,
) -> None:
    """Record what the runs measured against the bound the book states, and fail with every value
    when a run falls outside it."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError(
            f"{name}: no values to check. A claim over groups of seeds (a mean of 5, say) "
            "needs at least one whole group: give more seeds in ATTNLAB_CLAIM_SEEDS"
        )
    worst = min(values) if at_least is not None else max(values)
    _measured.append(
        {
            "claim": name,
            "at_least": at_least,
            "at_most": at_most,
            "worst": worst,
            "n": len(values),
        }
    )
    if at_least is not None:
        assert min(values) >= at_least, f"{name}: expected every value >= {at_least}, got {values}"
    if at_most is not None:
        assert max(values) <= at_most, f"{name}: expected every value <= {at_most}, got {values}"


@pytest.fixture(scope="session")
def claim():
    """``claim(name, values, at_least=..., at_most=...)``: :func:`check_claim`."""
    return check_claim


def pytest_sessionfinish(session: pytest.Session) -> None:
    folder = os.environ.get("ATTNLAB_CLAIMS_REPORT")
    if not folder or not _measured:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    path = Path(folder) / f"{worker}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_measured, indent=1))
