"""Figures, one module per topic (line, hinge, copy, attention, heads, induction)."""
