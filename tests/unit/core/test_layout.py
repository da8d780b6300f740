"""The package's shape, read from its imports (ast): one folder per chapter, no cycles.

- ``core`` imports no chapter; a chapter imports only ``core`` and earlier chapters;
- only notebooks import a chapter's ``widgets`` (ipywidgets); the package never does;
- no import cycle between the package's modules (lazy imports inside functions count too);
- the grader's in-sandbox runner (``attnlab.grading.runner``) imports nothing of the package: it is
  copied into each sandbox and runs there on its own, with the course folder hidden;
- no module over 400 lines, in the package and in ``assignments/`` (the course's scripts).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import attnlab

PACKAGE = Path(attnlab.__file__).parent
MODULES = {
    ".".join(("attnlab", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
        ".__init__"
    ): path
    for path in sorted(PACKAGE.rglob("*.py"))
}
CHAPTER = re.compile(r"^attnlab\.ch(\d\d)_\w+")
MAX_LINES = 400
ASSIGNMENTS = PACKAGE.parents[1] / "assignments"
# what nbgrader and the students put in assignments/ while a course runs (kept out of git)
STUDENT_WORK = {"release", "submitted", "autograded", "feedback", "downloaded", "exchange"}
COURSE_SCRIPTS = sorted(
    path
    for path in ASSIGNMENTS.rglob("*.py")
    if not STUDENT_WORK & set(path.relative_to(ASSIGNMENTS).parts)
)


def _imports(name: str, path: Path) -> set[str]:
    """Every attnlab module that ``name`` imports, at the top or inside a function."""
    found = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("attnlab"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            if not base.startswith("attnlab"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return found - {name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _where(name: str) -> str:
    if name.startswith("attnlab.core"):
        return "core"
    match = CHAPTER.match(name)
    return f"ch{match.group(1)}" if match else "top"


def test_the_layout_is_one_folder_per_chapter():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    chapters = {p.stem for p in (PACKAGE.parents[1] / "book").glob("ch*.ipynb")}
    assert chapters <= folders, f"a chapter without its folder: {sorted(chapters - folders)}"
    for folder in sorted(folders - {"data"}):
        assert (PACKAGE / folder / "__init__.py").exists(), folder
        readme = PACKAGE / folder / "README.md"
        assert readme.exists(), f"{folder} has no README.md"
        text = readme.read_text(encoding="utf-8")
        for module in sorted((PACKAGE / folder).glob("*.py")):
            if module.name != "__init__.py":
                assert f"`{module.name}`" in text, (
                    f"{folder}/README.md does not say what {module.name} is"
                )


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_imports_only_core_and_earlier_chapters(name):
    where = _where(name)
    for target in sorted(GRAPH[name]):
        there = _where(target)
        if where == "core":  # the package root itself holds only the seeds of core
            assert there == "core" or target == "attnlab", f"{name} (core) imports {target}"
        elif where.startswith("ch"):
            assert there == "core" or (there.startswith("ch") and there <= where), (
                f"{name} imports {target}: a chapter imports only core and earlier chapters"
            )
        assert not target.endswith(".widgets"), (
            f"{name} imports {target}: only notebooks import widgets (put logic in state.py)"
        )


def test_the_package_root_imports_only_core():
    assert all(_where(target) == "core" for target in GRAPH["attnlab"]), GRAPH["attnlab"]


def test_no_import_cycle():
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = trail[trail.index(name) :] + [name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if name in done or name not in GRAPH:
            return
        for target in sorted(GRAPH[name]):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(GRAPH):
        visit(name, [])


def test_the_sandbox_runner_stands_alone():
    runner = "attnlab.grading.runner"
    assert GRAPH[runner] == set(), f"{runner} imports {sorted(GRAPH[runner])}"
    tree = ast.parse(MODULES[runner].read_text(encoding="utf-8"))
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
    assert not relative, f"{runner} must not import its siblings: it runs alone in the sandbox"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_long(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it (at most {MAX_LINES})"


def test_the_course_scripts_are_found():
    names = {path.name for path in COURSE_SCRIPTS}
    assert {"course.py", "nbgrader_config.py"} <= names, names


@pytest.mark.parametrize("path", COURSE_SCRIPTS, ids=lambda p: str(p.relative_to(ASSIGNMENTS)))
def test_no_course_script_is_long(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"assignments/{path.relative_to(ASSIGNMENTS)} has {lines} lines"
