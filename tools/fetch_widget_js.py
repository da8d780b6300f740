"""Put the ipywidgets JavaScript into the book itself, so pages never need a CDN.

The HTML book embeds the state of the chapters' ipywidgets; the browser needs require.js and
@jupyter-widgets/html-manager to draw them. MyST-NB loads both from cdnjs/jsdelivr by default,
which fails on a classroom network that blocks CDNs. This script takes the two packages from the
npm registry (with ``npm pack`` when npm is installed, else a plain HTTPS download of the same
tarball), checks each against the sha512 pinned below, and unpacks what the pages need into

    _build/widget-js/widgets/require.js
    _build/widget-js/widgets/widgets-config.js (where the files below live)
    _build/widget-js/widgets/html-manager/embed-amd.js (+ its font files)

``_config.yml`` copies that folder into the site (``html_extra_path``) and points
``nb_ipywidgets_js`` at it. Run by ``make book`` / ``make build-book``; a second run is a no-op.

    python tools/fetch_widget_js.py [--dest _build/widget-js]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# name, version, the registry's sha512 integrity, {file in the package: where it goes}
PACKAGES = [
    (
        "requirejs",
        "2.3.8",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        {"package/require.js": "widgets/require.js"},
    ),
    (
        "@jupyter-widgets/html-manager",
        "1.0.15",  # the manager of ipywidgets 8.1 (widget state schema 2)
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        {
            "package/dist/embed-amd.js": "widgets/html-manager/embed-amd.js",
            "package/package.json": "widgets/html-manager/package.json",  # name, version, licence
            # the icon fonts the widgets' CSS asks for, next to the script that asks
            "package/dist/*.woff2": "widgets/html-manager/",
            "package/dist/*.woff": "widgets/html-manager/",
            "package/dist/*.ttf": "widgets/html-manager/",
            "package/dist/*.eot": "widgets/html-manager/",
            "package/dist/*.svg": "widgets/html-manager/",
        },
    ),
]


def _tarball(name: str, version: str, integrity: str) -> bytes:
    """The package's tarball from the npm registry, checked against ``integrity``."""
    spec = f"{name}@{version}"
    data = None
    if shutil.which("npm"):
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run(
                ["npm", "pack", spec, "--silent", "--pack-destination", tmp],
                capture_output=True,
                text=True,
            )
            tgz = list(Path(tmp).glob("*.tgz"))
            if result.returncode == 0 and tgz:
                data = tgz[0].read_bytes()
            else:
                print(f"npm pack {spec} failed ({result.stderr.strip()[:200]}); trying HTTPS")
    if data is None:
        bare = name.split("/")[-1]
        url = f"https://registry.npmjs.org/{name}/-/{bare}-{version}.tgz"
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed https URL)
            data = response.read()
    algo, _, expected = integrity.partition("-")
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != expected:
        raise SystemExit(f"{spec}: the download does not match its pinned {algo} (got {got})")
    return data


def _unpack(data: bytes, files: dict[str, str], dest: Path) -> list[str]:
    written = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        for pattern, target in files.items():
            names = [n for n in members if Path(n).match(pattern)] if "*" in pattern else [pattern]
            if not names or any(n not in members for n in names):
                raise SystemExit(f"{pattern} is missing from the package")
            for n in names:
                out = dest / (target + Path(n).name if target.endswith("/") else target)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(tar.extractfile(members[n]).read())
                written.append(out.relative_to(dest).as_posix())
    return written


# Loaded between require.js and embed-amd.js: tells both where the widget files live, so the icon
# fonts of the widgets' CSS come from this site too (by default they resolve next to the page).
CONFIG_JS = """// Written by tools/fetch_widget_js.py: the ipywidgets files live next to this one.
(function () {
  var base = new URL("html-manager/", document.currentScript.src).href;
  window.__jupyter_widgets_assets_path__ = base;
  if (window.require && window.require.config) {
    // modules are named like "@jupyter-widgets/controls": their files (and fonts) are here
    var here = base.slice(0, -1);
    window.require.config({paths: {"@jupyter-widgets": here,
                                   "@jupyter-widgets/html-manager/dist": here}});
  }
  // ipywidgets typesets widget labels with MathJax 2's MathJax.Hub.Queue; the book loads
  // MathJax 3, which has no Hub ("Cannot read properties of undefined (reading 'Queue')").
  // Give every MathJax object a small Hub that hands the work to MathJax 3's typesetPromise.
  var current = window.MathJax;
  function withHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !mathjax.Hub) {
      mathjax.Hub = {Queue: function () {
        for (var i = 0; i < arguments.length; i++) {
          var job = arguments[i];
          if (Array.isArray(job) && job[0] === "Typeset" && current && current.typesetPromise) {
            current.typesetPromise(job[2] ? [job[2]] : undefined).catch(function () {});
          }
        }
      }};
    }
    return mathjax;
  }
  try {
    Object.defineProperty(window, "MathJax", {
      configurable: true,
      get: function () { return current; },
      set: function (value) { current = withHub(value); }
    });
    withHub(current);
  } catch (error) { /* a page that fixed window.MathJax itself keeps it */ }
})();
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=ROOT / "_build" / "widget-js")
    args = parser.parse_args(argv)
    dest: Path = args.dest
    wanted = {f"{n}@{v}": i for n, v, i, _ in PACKAGES}
    stamp = dest.parent / f"{dest.name}.fetched.json"  # outside what gets published
    (dest / "widgets").mkdir(parents=True, exist_ok=True)
    (dest / "widgets" / "widgets-config.js").write_text(CONFIG_JS)
    if stamp.exists() and json.loads(stamp.read_text()).get("packages") == wanted:
        if all((dest / f).exists() for f in json.loads(stamp.read_text())["files"]):
            return 0
    shutil.rmtree(dest / "widgets" / "html-manager", ignore_errors=True)
    files: list[str] = []
    for name, version, integrity, layout in PACKAGES:
        files += _unpack(_tarball(name, version, integrity), layout, dest)
        print(f"fetched {name}@{version} from the npm registry", flush=True)
    stamp.write_text(json.dumps({"packages": wanted, "files": files}, indent=1))
    print(
        f"ipywidgets JavaScript ready in {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
