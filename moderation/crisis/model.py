"""The vocabulary of the detector: severities, categories and the result types."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES: tuple[str, ...] = ("none", "concern", "high", "imminent")

CATEGORIES: tuple[str, ...] = (
    "suicidal",
    "self_harm",
    "medical",
    "harm_to_others",
    "danger_at_home",
    "relapse",
    "concern_for_other",
)

_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """Order of a severity name ("none" is 0); raises ValueError for unknown names."""
    try:
        return _RANK[severity]
    except KeyError:
        raise ValueError(f"unknown severity {severity!r}; expected one of {SEVERITIES}") from None


def _json_safe(text: str) -> str:
    # Lone surrogates survive in Python strings but not in UTF-8 JSON encoders
    # such as orjson; replace them so to_dict() is always serialisable.
    return text.encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One rule that matched, and where.

    `start`/`end` index the original text (or, when `context_index` is set, the
    context message with that index). `weight` is the effective weight after
    scope adjustments; `base_weight` is the rule's own weight. `scope` lists the
    adjustments applied ("negated", "past", "reported", "question", ...).
    """

    rule: str
    category: str
    phrase: str
    start: int
    end: int
    weight: float
    base_weight: float = 0.0
    kind: str = "signal"
    scope: tuple[str, ...] = ()
    context_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "phrase": _json_safe(self.phrase),
            "start": self.start,
            "end": self.end,
            "weight": round(self.weight, 3),
            "base_weight": round(self.base_weight, 3),
            "kind": self.kind,
            "scope": list(self.scope),
            "context_index": self.context_index,
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    severity: str
    categories: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = field(default=())
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "categories": list(self.categories),
            "evidence": [item.to_dict() for item in self.evidence],
            "score": round(self.score, 3),
        }


NO_CONCERN = Assessment(severity="none")
