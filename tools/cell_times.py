"""Print how long each chapter and its slowest cells took in the last book build.

Usage: python tools/cell_times.py [_build/.jupyter_cache] [--top 15]

The book build times every cell (tools/sphinx_book_fixes.py turns on nbclient's
``record_timing``), and keeps the executed notebooks in its jupyter-cache. This reads them back:
one row per chapter (its time, its budget from the notebook's metadata, the ratio) and then the
slowest cells of all chapters, slowest first, with the first line of each.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from jupyter_cache import get_cache


def _seconds(cell: dict) -> float | None:
    timing = cell.get("metadata", {}).get("execution", {})
    start = timing.get("iopub.status.busy") or timing.get("iopub.execute_input")
    end = timing.get("shell.execute_reply") or timing.get("iopub.status.idle")
    if not (start and end):
        return None
    parse = datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def _budget(uri: str) -> float | None:
    path = Path(uri)
    if not path.exists():
        return None
    meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    value = meta.get("attnlab", {}).get("budget_seconds")
    return None if value is None else float(value)


def table(cache_folder: str, top: int = 15) -> str:
    cache = get_cache(cache_folder)
    latest: dict[str, object] = {}
    for record in cache.list_cache_records():
        if record.uri not in latest or record.created > latest[record.uri].created:
            latest[record.uri] = record
    lines, cells = [], []
    lines.append(f"{'chapter':<28} {'seconds':>8} {'budget':>7} {'ratio':>6}")
    for uri, record in sorted(latest.items()):
        nb = cache.get_cache_bundle(record.pk).nb
        name = Path(uri).stem
        total = record.data.get("execution_seconds") if record.data else None
        budget = _budget(uri)
        ratio = f"{total / budget:6.2f}" if total and budget else f"{'-':>6}"
        shown = f"{total:8.1f}" if total else f"{'-':>8}"
        lines.append(f"{name:<28} {shown} {budget or '-':>7} {ratio}")
        for index, cell in enumerate(nb.cells):
            seconds = _seconds(cell)
            if cell.get("cell_type") == "code" and seconds is not None:
                first = (cell.get("source") or "").strip().splitlines()[:1]
                cells.append((seconds, name, index, first[0][:60] if first else ""))
    if cells:
        lines.append("")
        lines.append(f"the {min(top, len(cells))} slowest cells:")
        for seconds, name, index, first in sorted(cells, reverse=True)[:top]:
            lines.append(f"{seconds:8.1f} s  {name} cell {index:<3} {first}")
    else:
        lines.append("(no cell timings recorded: build the book with tools/sphinx_book_fixes.py)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache", nargs="?", default="_build/.jupyter_cache")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    if not Path(args.cache).exists():
        raise SystemExit(f"no jupyter-cache at {args.cache}: build the book first (make book)")
    print(table(args.cache, args.top))


if __name__ == "__main__":
    main()
