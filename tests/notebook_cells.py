"""Read chapter notebooks as plain data, for tests that look inside them."""

from __future__ import annotations

import ast
import json
from pathlib import Path


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def tagged(path: Path, tag: str) -> list[dict]:
    return [c for c in load(path)["cells"] if tag in c.get("metadata", {}).get("tags", [])]


def run_cell(code: str) -> object:
    """Execute a self-contained cell in a fresh namespace and return its last expression's value."""
    tree = ast.parse(code)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    namespace: dict = {"__name__": "__exercise__"}
    exec(compile(tree, "<cell>", "exec"), namespace)
    return eval(compile(last, "<cell>", "eval"), namespace) if last else None
