"""The environment check prints one OK/FAIL line per dependency."""

from __future__ import annotations

from attnlab import doctor


def test_report_lists_every_requirement():
    ok, lines = doctor.report()
    text = "\n".join(lines)
    for name, _, _ in doctor.REQUIREMENTS:
        assert name in text
    assert ok, text


def test_missing_and_old_packages_fail():
    ok, line = doctor.check_package("surely-not-a-real-package-xyz", "1.0")
    assert not ok and line.startswith("FAIL") and "not installed" in line
    ok, line = doctor.check_package("pytest", "999.0")
    assert not ok and "need >= 999.0" in line


def test_version_parsing():
    assert doctor._version_tuple("2.13.0+cpu") == (2, 13, 0)
    assert doctor._version_tuple("1.0.4.post1") == (1, 0, 4)
