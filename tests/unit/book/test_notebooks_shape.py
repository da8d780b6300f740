"""Every chapter notebook is committed clean, names the course kernel and is in the table of contents."""

from __future__ import annotations

import pytest
import yaml

from notebook_cells import load, source
from paths import CHAPTERS, ROOT


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    for number, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {number} has outputs: clear them"
            assert cell.get("execution_count") is None, f"{path.name} cell {number} was executed"
    assert "widgets" not in load(path)["metadata"], f"{path.name} carries saved widget state"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_kernel_and_colab_cell(path):
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "google.colab" in source(code[0]), "the first code cell installs attnlab on Colab"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_imports_the_package(path):
    text = "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "code")
    assert "attnlab" in text, f"{path.name} should import the shared package attnlab"


def test_every_chapter_is_in_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {ch["file"] for part in toc["parts"] for ch in part["chapters"]}
    for path in CHAPTERS:
        assert f"book/{path.stem}" in files, f"{path.name} is missing from _toc.yml"
