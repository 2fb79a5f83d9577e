"""Words the recovery tools say to members: a new start is recorded without
judgement ("new start", never "failed", "reset" or "back to zero"), and people
are named person-first. Read from the catalogue and from every string the
recovery actions and rules can send (error details, notices, shared posts)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = json.loads((ROOT / "client" / "i18n" / "en.json").read_text(encoding="utf-8"))
# The catalogue areas of the recovery tools and meetings, and the server modules behind them.
AREAS = ("recovery.", "days.", "milestone.", "checkin.", "goals.", "partners.", "warning.", "notice.", "data.",
         "meetings.", "meeting.", "meetingType.", "room.dayBadge.")
MODULES = [ROOT / "server" / "actions" / f"{name}.py" for name in (
    "day_counts", "check_ins", "goals", "partners", "partner_view", "early_warning", "recovery_data", "recovery_profile",
    "meetings", "meeting_mode")] + sorted((ROOT / "server" / "recovery").glob("*.py"))
SHAMING = re.compile(
    r"\b(fail(s|ed|ure)?|relapsed?|reset|broke(n)?|lost|slip(ped)?|start(ed)? over|back to (zero|day one)|"
    r"clean|dirty|addicts?|abusers?|junkies?|alcoholics?|setback)\b", re.IGNORECASE)


def _member_facing_strings(path: Path) -> list[str]:
    """Every string constant in a module except docstrings (words for developers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_the_recovery_words_in_the_catalogue_never_shame() -> None:
    words = {key: text for key, text in CATALOGUE.items() if key.startswith(AREAS) and isinstance(text, str)}
    assert len(words) > 100  # the areas are really there
    assert {key: text for key, text in words.items() if SHAMING.search(text)} == {}
    # A new start is called that, and keeps the past in view.
    assert "new start" in CATALOGUE["days.newStart"].lower() and "total" in CATALOGUE["days.newStartIntro"].lower()


def test_what_the_recovery_server_says_never_shames() -> None:
    found = {f"{path.name}: {text}" for path in MODULES for text in _member_facing_strings(path) if SHAMING.search(text)}
    assert found == set()


def test_the_check_catches_what_it_is_for() -> None:
    for bad in ("You failed, so your count was reset.", "Back to zero today.", "Relapsed on Monday", "Clean for 30 days",
                "A message for addicts", "You lost your streak"):
        assert SHAMING.search(bad), bad
    for fine in ("A new start takes courage. Your earlier days stay in your total.", "Celebrating 30 days in recovery today.",
                 "Check in for today", "in recovery"):
        assert not SHAMING.search(fine), fine
