"""The environment check prints one OK/FAIL line per dependency."""

from __future__ import annotations

from attnlab.core import doctor


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


def test_a_package_that_is_installed_but_broken_fails(monkeypatch, capsys):
    real = doctor._import

    def broken_torch(module: str) -> None:
        if module == "torch":
            raise OSError("libtorch_cpu.so: cannot open shared object file")
        real(module)

    monkeypatch.setattr(doctor, "_import", broken_torch)
    ok, lines = doctor.report()
    assert not ok
    (torch_line,) = [
        line for line in lines if line.split()[1:3][0] == "torch" and "threads" not in line
    ]
    assert torch_line.startswith("FAIL") and "import torch` fails: OSError: libtorch" in torch_line
    assert doctor.main() == 1
    out = capsys.readouterr().out
    assert "All set." not in out and "missing" in out


def test_every_package_is_really_imported(monkeypatch):
    imported = []
    monkeypatch.setattr(doctor, "_import", imported.append)
    doctor.report()
    assert {"torch", "numpy", "matplotlib", "ipywidgets", "tqdm", "ipykernel"} <= set(imported)
