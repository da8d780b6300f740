"""What the book says about a run, checked against what the run measured (all chapters).

A chapter states a result in its prose ("attention copies more than 90% of the held-out names")
and backs it with one hidden line::

    expect(min(heldout) > 0.9, "attention copies more than 90% of the held-out names", heldout)

Under ``ATTNLAB_STRICT=1`` (set by ``make test`` and ``make book``) a claim that does not hold
stops the build: the prose would be wrong. Anywhere else, a student's notebook prints one kind
sentence and goes on, because training results differ a little from one processor to the next.

``glue(name, value)`` hands a measured number to the web book's prose (myst-nb's ``glue``) and
returns the value; outside the book build it only returns the value.
"""

from __future__ import annotations

import os

__all__ = ["ClaimNotMet", "expect", "glue", "span", "strict"]

#: The environment variable that turns a claim that does not hold into an error.
STRICT_VARIABLE = "ATTNLAB_STRICT"


class ClaimNotMet(Exception):
    """A chapter's prose says something this run did not measure (raised only when strict)."""


def strict() -> bool:
    """True when ``ATTNLAB_STRICT`` is set to something other than "", "0" or "false"."""
    return os.environ.get(STRICT_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


def _short(value: object, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def expect(condition: object, claim: str, measured: object = None) -> bool:
    """Check one statement of the prose against this run; return whether it holds.

    ``claim`` is what the text says, in the text's words; ``measured`` is what the run gave, shown
    when the claim does not hold.
    """
    if not isinstance(claim, str) or not claim.strip():
        raise TypeError(f"claim must be a non-empty str saying what the text claims, got {claim!r}")
    if bool(condition):
        return True
    shown = "" if measured is None else f" This run measured: {_short(measured)}."
    if strict():
        raise ClaimNotMet(f"The text says: {claim}.{shown} ({STRICT_VARIABLE} is set.)")
    print(
        f"Note: the text says {claim}, but this run came out differently.{shown} Training results "
        "differ a little between processors (the last digits of every sum depend on the "
        "hardware), so now and then a run lands outside what the text describes. Nothing is "
        "broken; the chapter goes on from here."
    )
    return False


def glue(name: str, value: object) -> object:
    """Hand ``value`` to the book's prose as ``{glue:text}`name``` and return it.

    Print the value in the same cell too: a reader of the notebook sees the role as raw text.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a plain identifier (letters, digits, _), got {name!r}")
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        value = value.item()  # a NumPy or PyTorch scalar: its repr would not format as a number
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # a notebook outside the book (Colab): nothing to hand over
        return value
    myst_glue(name, value, display=False)
    return value


def span(values: object, spec: str = ".0%") -> str:
    """The range of a few measured values as text: "97%-100%", or "100%" when both ends agree."""
    values = list(values)  # type: ignore[call-overload]
    if not values:
        raise ValueError("values must hold at least one number")
    low, high = format(min(values), spec), format(max(values), spec)
    return low if low == high else f"{low}-{high}"
