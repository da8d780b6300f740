"""Print every claim of the claims suite with its bound and its worst value over seeds x settings.

Usage: python tools/claims_table.py _build/claims   (the folder `make claims` writes, one
subfolder per numeric setting, one JSON file per pytest worker).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(folder: str) -> None:
    rows: dict[str, dict] = {}
    for path in sorted(Path(folder).glob("*/*.json")):
        setting = path.parent.name
        for entry in json.loads(path.read_text()):
            row = rows.setdefault(
                entry["claim"],
                {"at_least": entry["at_least"], "at_most": entry["at_most"], "worst": {}, "n": 0},
            )
            low = row["at_least"] is not None
            old = row["worst"].get(setting)
            new = entry["worst"]
            row["worst"][setting] = (
                new if old is None else (min(old, new) if low else max(old, new))
            )
            row["n"] += entry["n"]
    if not rows:
        print(f"no claims recorded under {folder}")
        return
    settings = sorted({s for row in rows.values() for s in row["worst"]})
    print(f"{'claim':<62} {'bound':>9} " + " ".join(f"{s:>8}" for s in settings) + "   runs")
    for name, row in rows.items():
        bound = (
            f">= {row['at_least']:g}" if row["at_least"] is not None else f"<= {row['at_most']:g}"
        )
        cells = " ".join(
            f"{row['worst'][s]:>8.3f}" if s in row["worst"] else f"{'-':>8}" for s in settings
        )
        print(f"{name[:62]:<62} {bound:>9} {cells}   {row['n']}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "_build/claims")
