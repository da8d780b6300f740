"""Exercise checks for the tokens chapter."""

from __future__ import annotations

__all__: list[str] = []
