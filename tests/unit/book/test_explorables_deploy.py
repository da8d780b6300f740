"""The web book's wiring stays consistent: the ipywidgets JavaScript is served locally, Binder
gets the CPU build of PyTorch at the tested versions, and the deploy workflow builds, tests and
publishes the book."""

from __future__ import annotations

import importlib.util
import re

import yaml

from paths import ROOT


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def _fetch_tool():
    spec = importlib.util.spec_from_file_location(
        "fetch_widget_js", ROOT / "tools/fetch_widget_js.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_widget_javascript_is_local_and_fetched_where_the_config_looks():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    scripts = config["nb_ipywidgets_js"]
    assert scripts, "nb_ipywidgets_js must be set, or MyST-NB loads the widgets from CDNs"
    assert not any("://" in src for src in scripts), "the widget JavaScript must not use a CDN"
    tool = _fetch_tool()
    extra = ROOT / config["html_extra_path"][0]
    assert extra.resolve() == (ROOT / "_build" / "widget-js").resolve()
    produced = {"widgets/widgets-config.js"} | {
        target for _, _, _, layout in tool.PACKAGES for target in layout.values()
    }
    for src in scripts:  # "../widgets/x.js" is relative to _static/: the site's widgets/x.js
        assert src.startswith("../widgets/") and src[3:] in produced, src
    names = [src.rsplit("/", 1)[-1] for src in scripts]
    assert names == ["require.js", "widgets-config.js", "embed-amd.js"], "load order matters"
    for name, version, integrity, _ in tool.PACKAGES:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly"
        assert integrity.startswith("sha512-"), f"{name} must be checked against its sha512"


def test_html_manager_matches_ipywidgets_8():
    tool = _fetch_tool()
    versions = {name: version for name, version, _, _ in tool.PACKAGES}
    assert versions["@jupyter-widgets/html-manager"].startswith("1."), "ipywidgets 8 needs 1.x"
    assert _constraints()["ipywidgets"].startswith("8.")


def test_binder_gets_cpu_torch_at_the_tested_versions():
    lines = [
        line.strip()
        for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    pins = dict(line.split("==", 1) for line in lines if "==" in line)
    constraints = _constraints()
    assert pins["torch"] == constraints["torch"] + "+cpu", "Binder must get the CPU wheel"
    for name, version in pins.items():
        if name != "torch":
            assert constraints[name.lower().replace("_", "-")] == version, name
    post_build = ROOT / "binder" / "postBuild"
    assert "-e code" in post_build.read_text()
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"


def test_deploy_workflow_builds_tests_and_publishes():
    workflow = yaml.safe_load((ROOT / ".github/workflows/deploy-book.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    text = "\n".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in steps)
    assert "download.pytorch.org/whl/cpu" in text, "CI must not download CUDA wheels"
    assert "make build-book" in text and "pytest -q tests/built" in text
    assert "actions/upload-pages-artifact" in text
    deploy = workflow["jobs"]["deploy"]
    assert "refs/heads/main" in deploy["if"]
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages")


def test_launch_buttons_and_colab_cell():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["url"].startswith("https://github.com/")
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
