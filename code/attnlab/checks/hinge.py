"""Exercise checks for the hinge chapter."""

from __future__ import annotations

__all__: list[str] = []
