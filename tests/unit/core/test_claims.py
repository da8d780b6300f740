"""attnlab.core.claims: a claim that does not hold stops a strict build and only notes it elsewhere."""

from __future__ import annotations

import pytest

from attnlab.core.claims import (
    ClaimNotMet,
    between,
    count_of,
    expect,
    glue,
    number_word,
    span,
    strict,
)


def test_a_claim_that_holds_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert expect(0.95 > 0.9, "above 90% on every seed", [0.95]) is True
    assert capsys.readouterr().out == ""


def test_strict_raises_with_the_claim_and_the_measurement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTNLAB_STRICT", "1")
    assert strict()
    with pytest.raises(ClaimNotMet, match=r"above 90% on every seed.*\[0\.85, 0\.97\]"):
        expect(False, "above 90% on every seed", [0.85, 0.97])
    assert not isinstance(ClaimNotMet("x"), AssertionError)


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_elsewhere_a_kind_note_and_the_notebook_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.setenv("ATTNLAB_STRICT", value)
    assert expect(False, "above 90% on every seed", [0.85]) is False
    out = capsys.readouterr().out
    assert "above 90% on every seed" in out and "0.85" in out and "processors" in out
    assert "goes on" in out and "Traceback" not in out


def test_long_measurements_are_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTNLAB_STRICT", "1")
    with pytest.raises(ClaimNotMet) as error:
        expect(False, "short", list(range(10_000)))
    assert len(str(error.value)) < 500


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="claim"):
        expect(True, "")
    with pytest.raises(ValueError, match="name"):
        glue("not an identifier", 1)


def test_glue_returns_the_value() -> None:
    assert glue("accuracy", 0.5) == 0.5


def test_glue_hands_over_scalars_as_plain_numbers() -> None:
    """myst-nb formats a glued number from its text; np.float64(0.17) would not parse."""
    import numpy as np
    import torch

    for scalar in (np.float64(0.17), np.int64(3), torch.tensor(0.25)):
        value = glue("scalar", scalar)
        assert type(value) in (float, int) and repr(value) == repr(scalar.item())


def test_span_says_one_value_when_both_ends_print_the_same() -> None:
    assert span([0.97, 1.0]) == "97%-100%"
    assert span([0.9996, 1.0]) == "100%"  # compared as printed: never "100%-100%"
    assert span([0.5]) == "50%"
    assert span([0.1, 0.25], ".2f", sep=" to ") == "0.10 to 0.25"
    with pytest.raises(ValueError, match="at least one"):
        span([])


def test_between_never_says_between_a_value_and_itself() -> None:
    assert between([0.97, 1.0]) == "between 97% and 100%"
    assert between([1.0, 0.9999, 1.0]) == "100%"
    assert between([1.0, 1.0], single="at {}") == "at 100%"
    assert between([12.2, 40.0], ".0f", " points") == "between 12 and 40 points"
    assert between([40.0], ".0f", " points") == "40 points"


@pytest.mark.parametrize(
    ("count", "total", "phrase"),
    [
        (3, 5, "three of the five seeds"),
        (5, 5, "all five seeds"),
        (0, 5, "none of the five seeds"),
        (2, 2, "both seeds"),
        (0, 2, "neither seed"),
        (1, 2, "one of the two seeds"),
        (1, 1, "the one seed"),
        (12, 20, "12 of the 20 seeds"),
    ],
)
def test_count_of_words_agree_with_numbers(count: int, total: int, phrase: str) -> None:
    assert count_of(count, total) == phrase


def test_count_of_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="between 0 and total"):
        count_of(6, 5)
    with pytest.raises(ValueError, match="count"):
        number_word(-1)
