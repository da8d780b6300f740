"""Exercise checks for the line chapter."""

from __future__ import annotations

__all__: list[str] = []
