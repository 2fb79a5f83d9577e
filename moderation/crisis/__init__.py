"""Crisis-language detector: `from moderation.crisis import assess`.

Rules live in data files (moderation/crisis/rules/*.yaml, plus any listed in
HEARTH_CRISIS_RULES_EXTRA); they are loaded and compiled once, when this
package is imported, so `assess` itself does no I/O. See docs/moderation.md.
"""
from __future__ import annotations

from collections.abc import Sequence

from .detector import Detector
from .model import CATEGORIES, SEVERITIES, Assessment, Evidence, severity_rank
from .ruleset import EXTRA_RULES_ENV, RuleFileError, RuleSet, load_default_ruleset, load_ruleset

__all__ = [
    "CATEGORIES", "EXTRA_RULES_ENV", "SEVERITIES", "Assessment", "Detector", "Evidence", "FirstLook", "RuleFileError",
    "RuleSet", "assess", "default_detector", "load_default_ruleset", "load_ruleset", "reload_default_rules",
    "severity_rank",
]

_default = Detector(load_default_ruleset())


def default_detector() -> Detector:
    return _default


def reload_default_rules() -> Detector:
    """Re-read the shipped and extra rule files (after an admin edits them)."""
    global _default
    _default = Detector(load_default_ruleset())
    return _default


def assess(text: str, context: Sequence[str] = ()) -> Assessment:
    """Assess one message; `context` is the same author's recent messages there, oldest first."""
    return _default.assess(text, context)


def may_be_urgent(text: str) -> bool:
    """Whether these words alone rate high or imminent: such a write takes the
    urgent lane to the database (`server.db.WriteGate`). The full assessment,
    with the author's context, still runs in the write itself."""
    return FirstLook(text).urgent()


class FirstLook:
    """The words-alone assessment of one message, made at most once.

    A chat message is assessed on its own twice: by the write gate when writes
    queue (`urgent`: may it go first?) and by the flag check inside the write,
    before the author's context is read (moderation/flags.py). On a busy room the
    gate is nearly always queued, and the second run was 2-3 % of a message's CPU.
    Held only for the one message's write, never kept beyond it."""

    __slots__ = ("text", "_assessment")

    def __init__(self, text: str) -> None:
        self.text = text
        self._assessment: Assessment | None = None

    def assess(self, text: str) -> Assessment:
        """`text` alone; the remembered assessment when it is this message's text
        (screening may have changed the words before they are stored)."""
        if text != self.text:
            return assess(text)
        if self._assessment is None:
            self._assessment = assess(text)
        return self._assessment

    def urgent(self) -> bool:
        return severity_rank(self.assess(self.text).severity) >= severity_rank("high")
