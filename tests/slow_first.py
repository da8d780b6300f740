"""A pytest plugin for `make test` (``-p slow_first``): Chapter 7's tests start first.

Chapter 7 trains a whole transformer, the longest job of a run. With two workers, starting it first
lets the other chapters run beside it instead of after it.
"""

from __future__ import annotations

import pytest

SLOW = ("ch07",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # sort is stable: within each group the tests keep their order
    items.sort(key=lambda item: not any(name in item.nodeid for name in SLOW))
