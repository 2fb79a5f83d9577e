"""Editing a message by its findings: swap watched words, or take identifying details out."""
from __future__ import annotations

from collections.abc import Iterable

from .finding import Finding

REMOVED = "[removed]"


def _rewrite(text: str, spans: list[tuple[int, int, str]]) -> str:
    # Overlapping spans would cut a word twice; the earliest (then longest) wins.
    spans.sort(key=lambda span: (span[0], -span[1]))
    pieces: list[str] = []
    cursor = 0
    for start, end, replacement in spans:
        if start < cursor or not 0 <= start < end <= len(text):
            continue
        pieces.append(text[cursor:start])
        pieces.append(replacement)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def apply_replacements(text: str, findings: Iterable[Finding]) -> str:
    """The text with every "replace" finding's span swapped for its replacement."""
    return _rewrite(text, [(item.start, item.end, item.replacement) for item in findings
                           if item.action == "replace" and item.replacement is not None])


def redact_identifying(text: str, findings: Iterable[Finding]) -> str:
    """The text with each identifying detail replaced by "[removed]" (moderators' edit-out action)."""
    spans = sorted((item.start, item.end) for item in findings if item.kind == "identifying" and item.start >= 0)
    merged: list[tuple[int, int, str]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end), REMOVED)
        else:
            merged.append((start, end, REMOVED))
    return _rewrite(text, merged)
