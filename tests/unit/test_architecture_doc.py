"""docs/ARCHITECTURE.md names every module, and every path it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text()


def _modules(package: str) -> list[str]:
    return sorted(p.name for p in (ROOT / package).iterdir()
                  if (p.suffix == ".py" and p.name != "__init__.py") or (p.is_dir() and not p.name.startswith("__")))


def test_every_server_module_is_described() -> None:
    missing = [name for name in _modules("server") if f"`server/{name}" not in DOC and f"server/{name}`" not in DOC]
    assert missing == []


def test_every_moderation_module_is_described() -> None:
    # The moderation section names its files relative to moderation/.
    missing = [name for name in _modules("moderation") if f"moderation/{name}" not in DOC and f"`{name}" not in DOC]
    assert missing == []


def test_every_path_it_names_exists() -> None:
    named = set(re.findall(r"`((?:server|moderation|client|migrations|tests|scripts|docs)/[^`\s]*)`", DOC))
    assert named, "the doc names the code's paths"
    stale = sorted(path for path in named if not list(ROOT.glob(path.rstrip("/"))))
    assert stale == []
