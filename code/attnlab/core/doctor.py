"""``python -m attnlab.core.doctor``: check the environment, one line per dependency (for bug reports).

Prints OK or FAIL for Python, each package the course needs (with its version and the lower bound
from requirements.txt), the Jupyter kernel the notebooks name, and Chromium for the browser tests.
Each package is imported for real, not only looked up: a broken install (an OSError or ImportError
on import) is a FAIL with its error. Exits 1 if anything the chapters need is missing or broken.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import os
import platform
import shutil
import sys

# (distribution name, lower bound, needed to run the chapters?)
REQUIREMENTS: list[tuple[str, str, bool]] = [
    ("torch", "2.2", True),
    ("numpy", "1.24", True),
    ("matplotlib", "3.7", True),
    ("ipywidgets", "8.1", True),
    ("tqdm", "4.66", True),
    ("ipykernel", "6.25", True),
    ("jupyter-book", "1.0.4", False),
    ("sphinx-exercise", "1.0", False),
    ("nbval", "0.11", False),
    ("nbgrader", "0.9.5", False),
    ("pytest", "8", False),
    ("playwright", "1.45", False),
]


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("+")[0].split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:  # "0rc1", "post1": the number part ends here
            break
    return tuple(parts)


#: The module to import for a distribution whose import name is not its name with "_" for "-".
MODULES: dict[str, str] = {}


def _import(module: str) -> None:
    importlib.import_module(module)


def check_package(name: str, minimum: str) -> tuple[bool, str]:
    """Return (ok, line) for one installed distribution against its lower bound; the package is
    imported, so an install that is there but broken fails with its error."""
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        return False, f"FAIL  {name:<16} not installed (need >= {minimum})"
    if _version_tuple(version) < _version_tuple(minimum):
        return False, f"FAIL  {name:<16} {version} (need >= {minimum})"
    module = MODULES.get(name, name.replace("-", "_"))
    try:
        _import(module)
    except Exception as error:  # the doctor reports, never crashes
        text = " ".join(str(error).split())[:200]
        return False, (
            f"FAIL  {name:<16} {version} is installed but `import {module}` fails: "
            f"{type(error).__name__}: {text} (reinstall it: make setup)"
        )
    return True, f"OK    {name:<16} {version} (need >= {minimum})"


def report() -> tuple[bool, list[str]]:
    """All lines of the report, and whether everything the chapters need is there."""
    lines = [f"attnlab doctor on {platform.platform()}"]
    py_ok = sys.version_info >= (3, 10)
    lines.append(
        f"{'OK  ' if py_ok else 'FAIL'}  {'python':<16} {platform.python_version()} (need >= 3.10)"
    )
    all_ok = py_ok
    for name, minimum, needed in REQUIREMENTS:
        ok, line = check_package(name, minimum)
        lines.append(line + ("" if needed else "   [book/tests only]"))
        all_ok = all_ok and (ok or not needed)
    try:
        import attnlab

        lines.append(f"OK    {'attnlab':<16} {attnlab.__version__} from {attnlab.__file__}")
    except Exception as error:  # pragma: no cover - the doctor reports, never crashes
        lines.append(f"FAIL  {'attnlab':<16} cannot be imported: {error}")
        all_ok = False
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec("python3")
        lines.append(f"OK    {'kernel python3':<16} {spec.argv[0]}")
    except Exception as error:
        lines.append(f"FAIL  {'kernel python3':<16} not found ({error}); run `make setup`")
    try:
        import torch

        lines.append(
            f"OK    {'torch threads':<16} {torch.get_num_threads()} (GPU: {torch.cuda.is_available()})"
        )
    except Exception:
        pass
    chromium = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )
    lines.append(
        f"OK    {'chromium':<16} {chromium}"
        if chromium
        else f"FAIL  {'chromium':<16} not found (only the browser tests need it: apt-get install chromium)"
    )
    return all_ok, lines


def main() -> int:
    ok, lines = report()
    print("\n".join(lines))
    print(
        "All set." if ok else "Something the chapters need is missing or broken (see FAIL above)."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
