"""Exercise checks for the attention chapter."""

from __future__ import annotations

__all__: list[str] = []
