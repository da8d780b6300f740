"""attnlab.core.claims: a claim that does not hold stops a strict build and only notes it elsewhere."""

from __future__ import annotations

import pytest

from attnlab.core.claims import ClaimNotMet, expect, glue, strict


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
