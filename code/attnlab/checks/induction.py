"""Exercise checks for the induction chapter."""

from __future__ import annotations

__all__: list[str] = []
