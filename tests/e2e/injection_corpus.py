"""The third-party attack corpora in ../shared/data, loaded once for the injection tests."""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import pytest

from tests.support import SHARED_DATA

# Ours, added to the corpora: each sets a sentinel a browser test can look for.
SENTINELS = (
    "<img src=x onerror=\"window.__xss=1\">",
    "<script>window.__xss=1</script>",
    "<svg onload=\"window.__xss=1\">",
    "\"><iframe srcdoc=\"<script>parent.__xss=1</script>\">",
    "[click me](javascript:window.__xss=1)",
    "<a href=\"javascript:window.__xss=1\">click me</a>",
    "<details open ontoggle=\"window.__xss=1\">",
)


def require_data() -> None:
    if not SHARED_DATA.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared corpora are missing at {SHARED_DATA}")
        pytest.skip("needs ../shared/data (CI has it)")


@lru_cache(maxsize=None)
def xss_payloads() -> tuple[str, ...]:
    lines = (SHARED_DATA / "xss-payloads.txt").read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    return tuple(line for line in lines if line.strip())


@lru_cache(maxsize=None)
def owasp_vectors() -> tuple[str, ...]:
    """The fenced code blocks of the OWASP filter-evasion sheet, multi-line vectors whole."""
    text = (SHARED_DATA / "xss-owasp-filter-evasion-cheatsheet.md").read_text(encoding="utf-8")
    return tuple(block.strip() for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S) if block.strip())


@lru_cache(maxsize=None)
def naughty_strings() -> tuple[str, ...]:
    return tuple(json.loads((SHARED_DATA / "naughty-strings.json").read_text(encoding="utf-8")))


def everything() -> tuple[str, ...]:
    return SENTINELS + owasp_vectors() + naughty_strings() + xss_payloads()


def packed(payloads: tuple[str, ...], max_chars: int, separator: str = "\n") -> Iterator[str]:
    """The payloads packed into values of at most `max_chars` (each payload whole, one per line)."""
    chunk: list[str] = []
    size = 0
    for payload in payloads:
        payload = payload[:max_chars]
        if chunk and size + len(separator) + len(payload) > max_chars:
            yield separator.join(chunk)
            chunk, size = [], 0
        size += len(payload) + (len(separator) if chunk else 0)
        chunk.append(payload)
    if chunk:
        yield separator.join(chunk)


@lru_cache(maxsize=None)
def sqli_payloads() -> dict[str, tuple[str, ...]]:
    found = {}
    for path in sorted((SHARED_DATA / "sqli").glob("*.txt")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        found[path.stem] = tuple(line for line in lines if line.strip() and not line.startswith("# "))
    return found


def shared_file(name: str) -> Path:
    return SHARED_DATA / name
