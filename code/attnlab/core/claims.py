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

__all__ = ["ClaimNotMet", "between", "count_of", "expect", "glue", "number_word", "span", "strict"]

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


def _ends(values: object, spec: str) -> tuple[str, str]:
    values = list(values)  # type: ignore[call-overload]
    if not values:
        raise ValueError("values must hold at least one number")
    return format(min(values), spec), format(max(values), spec)


def span(values: object, spec: str = ".0%", sep: str = "-") -> str:
    """The range of a few measured values as text: "97%-100%", or "100%" when both ends agree.

    ``sep`` joins the ends ("97% to 100%" with ``sep=" to "``). The ends are compared as printed,
    so 0.9996 and 1.0 give "100%", never "100%-100%".
    """
    low, high = _ends(values, spec)
    return low if low == high else f"{low}{sep}{high}"


def between(values: object, spec: str = ".0%", unit: str = "", single: str = "{}") -> str:
    """The range of a few measured values as a phrase: "between 97% and 100%".

    When both ends print the same, one value: ``single`` with it filled in ("100%", or "at 100%"
    with ``single="at {}"``), never "between 100% and 100%". ``unit`` follows the number(s):
    ``between([12, 40], ".0f", " points")`` is "between 12 and 40 points".
    """
    low, high = _ends(values, spec)
    if low == high:
        return single.format(f"{low}{unit}")
    return f"between {low} and {high}{unit}"


_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def number_word(n: int) -> str:
    """A small count in words ("five"), larger ones in digits ("12"); used in the prose."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"n must be a count (an int >= 0), got {n!r}")
    return _WORDS[n] if n < len(_WORDS) else str(n)


def count_of(count: int, total: int, noun: str = "seeds", singular: str | None = None) -> str:
    """How many of a few things as a phrase whose words agree with its numbers.

    ``count_of(3, 5)`` is "three of the five seeds", ``count_of(5, 5)`` "all five seeds",
    ``count_of(0, 5)`` "none of the five seeds", ``count_of(2, 2)`` "both seeds" and
    ``count_of(1, 1)`` "the one seed" (never "5 of the five seeds" or "1 of 1").
    """
    count, total = int(count), int(total)
    if total < 1 or not 0 <= count <= total:
        raise ValueError(f"count must lie between 0 and total >= 1, got {count} of {total}")
    one = singular or (noun[:-1] if noun.endswith("s") else noun)
    if total == 1:
        return f"the one {one}" if count == 1 else f"not the one {one}"
    if count == total:
        return f"both {noun}" if total == 2 else f"all {number_word(total)} {noun}"
    if count == 0:
        return f"neither {one}" if total == 2 else f"none of the {number_word(total)} {noun}"
    return f"{number_word(count)} of the {number_word(total)} {noun}"
