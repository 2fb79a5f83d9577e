"""A casefolded, compatibility-normalised view of a text that still points back at it.

Detectors match on the folded view (so "０５５５", "𝐨𝐱𝐲", "Ｏｘｙ" and "óxy" look like
"0555" and "oxy") but every finding must name a span of what the member actually
typed: that is what the moderator sees highlighted and what "[removed]" replaces.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Final

# Look-alike letters from other scripts that NFKC leaves alone. A short list of
# the ones used to dodge word filters, not a full confusables table.
_CONFUSABLES: Final = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s",
    "к": "k", "м": "m", "т": "t", "н": "h", "в": "b", "ԁ": "d", "ɡ": "g", "ο": "o", "α": "a", "ε": "e",
    "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
})
# Leetspeak is undone only inside word-like runs that also hold a letter, so
# "555 days" and "$40" keep their digits while "0xy", "p3rc5" and "$elling" fold.
_LEET: Final = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_RUN: Final = re.compile(r"[a-z0-9@$]*[a-z][a-z0-9@$]*")
_HAS_LEET: Final = re.compile(r"[0134579@$]")
# Quantities and ordinals ("3am", "20mg", "2nd", "40g") are not leetspeak.
_NUMBER_WITH_UNIT: Final = re.compile(
    r"\d+(?:am|pm|st|nd|rd|th|s|k|mg|ml|g|x|h|hr|hrs|min|mins|yo|yr|yrs|mo|d|wk|wks|oz|lb|lbs|kg|mm|cm|km|ft|gb|mb)")
_DROPPED_CATEGORIES: Final = frozenset(("Mn", "Me", "Cf"))
_CACHE_LIMIT: Final = 8192
_fold_cache: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category in _DROPPED_CATEGORIES:  # accents, zero-width joiners, bidi marks
        return ""
    if category == "Cs":  # a lone surrogate: keep the length, drop the meaning
        return "\ufffd"
    if category == "Nd":
        return str(unicodedata.decimal(ch, 0))
    folded = unicodedata.normalize("NFKC", ch).casefold()
    folded = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return folded.translate(_CONFUSABLES)


def _unleet(match: re.Match[str]) -> str:
    run = match.group()
    if not _HAS_LEET.search(run) or _NUMBER_WITH_UNIT.fullmatch(run):
        return run
    return run.translate(_LEET)


class FoldedText:
    """`folded` is the matching view; `leet` is the same length with leetspeak undone."""

    __slots__ = ("_leet", "_origin", "folded", "original")

    def __init__(self, original: str) -> None:
        self.original = original
        self._leet: str | None = None
        if original.isascii():
            # The common case: lower() is casefold for ASCII and keeps every index.
            self.folded = original.lower()
            self._origin: list[int] | None = None
            return
        pieces: list[str] = []
        origin: list[int] = []
        cache = _fold_cache
        for index, ch in enumerate(original):
            folded = cache.get(ch)
            if folded is None:
                folded = _fold_char(ch)
                if len(cache) < _CACHE_LIMIT:
                    cache[ch] = folded
            if folded == ch:
                pieces.append(ch)
                origin.append(index)
            elif folded:
                pieces.append(folded)
                origin.extend([index] * len(folded))
        self.folded = "".join(pieces)
        self._origin = origin

    @property
    def leet(self) -> str:
        if self._leet is None:
            self._leet = _LEET_RUN.sub(_unleet, self.folded) if _HAS_LEET.search(self.folded) else self.folded
        return self._leet

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded span to the original, taking in whole characters and any marks they carry."""
        origin = self._origin
        if origin is None:
            return start, end
        size = len(origin)
        if size == 0 or start >= size:
            return len(self.original), len(self.original)
        original_start = origin[start]
        if end <= start:
            return original_start, original_start
        last = origin[end - 1]
        if end >= size:
            return original_start, len(self.original)
        following = origin[end]
        # Either the next folded character starts a later original one (and any
        # dropped marks in between belong to this match), or the match ended
        # inside one character's expansion ("ß" -> "ss"): take that character whole.
        return original_start, following if following > last else last + 1
