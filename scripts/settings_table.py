#!/usr/bin/env python3
"""Rewrite the settings table in README.md from server/config.py's SETTINGS."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.config import SETTINGS  # noqa: E402

START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def table() -> str:
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default is not None else "(unset)"
        rows.append(f"| `{s.env}` | {default} | {s.help.replace('|', '/')} |")
    return "\n".join(rows)


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    block = f"{START}\n{table()}\n{END}"
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = re.sub(r"\| variable \| default \| what it does \|\n(?:\|.*\|\n)+", block + "\n", text)
    readme.write_text(text)


if __name__ == "__main__":
    main()
