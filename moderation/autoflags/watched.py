"""Watched words: literal words or phrases an admin lists, each with its own action.

Patterns are plain text, never regular expressions, so nothing an admin types
can make matching slow. Both the pattern and the message go through the same
folding (NFKC, casefold, look-alike letters, simple leetspeak), so "0xy",
"ＯＸＹ" and "Oxy" all match a watched "oxy".
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from .finding import ACTIONS, BLOCKED_NOTICE, HELD_NOTICE, Finding
from .folded import FoldedText

MAX_PATTERN_CHARS: Final = 100
MAX_ID_CHARS: Final = 64
MAX_REPLACEMENT_CHARS: Final = 200
MAX_MESSAGE_CHARS: Final = 500
MAX_WATCHED_WORDS: Final = 2000
# Between the words of a phrase: spaces and a little punctuation ("oxy - dealer").
_MAX_GAP: Final = 3
_WORD: Final = re.compile(r"[^\W_]+")
_SEVERITY: Final = {"flag": 1, "replace": 1, "hold": 2, "block": 2}
_FIELDS: Final = frozenset(("id", "pattern", "action", "replacement", "message", "whole_word"))


class WatchedWordError(ValueError):
    """An admin's watched-word entry that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class WatchedWord:
    id: str
    pattern: str
    action: str
    replacement: str | None = None
    message: str | None = None
    whole_word: bool = True
    _words: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _needle: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise WatchedWordError("id must be a non-empty string")
        if len(self.id) > MAX_ID_CHARS:
            raise WatchedWordError(f"id is longer than {MAX_ID_CHARS} characters")
        if self.action not in ACTIONS:
            raise WatchedWordError(f"action must be one of {', '.join(ACTIONS)}, not {self.action!r}")
        if not isinstance(self.pattern, str) or not self.pattern.strip():
            raise WatchedWordError("pattern is empty")
        if len(self.pattern) > MAX_PATTERN_CHARS:
            raise WatchedWordError(f"pattern is longer than {MAX_PATTERN_CHARS} characters")
        if not isinstance(self.whole_word, bool):
            raise WatchedWordError("whole_word must be true or false")
        if self.action == "replace" and not (isinstance(self.replacement, str) and self.replacement):
            raise WatchedWordError("action 'replace' needs a replacement")
        if self.replacement is not None and (not isinstance(self.replacement, str)
                                             or len(self.replacement) > MAX_REPLACEMENT_CHARS):
            raise WatchedWordError(f"replacement must be text of at most {MAX_REPLACEMENT_CHARS} characters")
        if self.message is not None and (not isinstance(self.message, str) or len(self.message) > MAX_MESSAGE_CHARS):
            raise WatchedWordError(f"message must be text of at most {MAX_MESSAGE_CHARS} characters")
        folded = FoldedText(self.pattern.strip()).leet
        words = tuple(_WORD.findall(folded))
        if not words:
            raise WatchedWordError("pattern needs at least one letter or digit")
        object.__setattr__(self, "_words", words)
        object.__setattr__(self, "_needle", folded)

    @classmethod
    def compile_all(cls, items: Iterable[Mapping[str, Any]]) -> list[WatchedWord]:
        """Validate an admin's list; the first bad entry raises WatchedWordError naming it."""
        compiled: list[WatchedWord] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            if index >= MAX_WATCHED_WORDS:
                raise WatchedWordError(f"at most {MAX_WATCHED_WORDS} watched words")
            label = f"watched word {index + 1}"
            if not isinstance(item, Mapping):
                raise WatchedWordError(f"{label}: must be an object with id, pattern and action")
            label = f"{label} ({item.get('id')!r})" if isinstance(item.get("id"), str) else label
            unknown = sorted(str(key) for key in item if key not in _FIELDS)
            if unknown:
                raise WatchedWordError(f"{label}: unknown field(s) {', '.join(unknown)}")
            missing = [key for key in ("id", "pattern", "action") if key not in item]
            if missing:
                raise WatchedWordError(f"{label}: missing {', '.join(missing)}")
            try:
                word = cls(**{key: item[key] for key in _FIELDS if key in item})
            except WatchedWordError as error:
                raise WatchedWordError(f"{label}: {error}") from None
            if word.id in seen:
                raise WatchedWordError(f"{label}: id {word.id!r} is used twice")
            seen.add(word.id)
            compiled.append(word)
        return compiled

    def finding(self, start: int, end: int) -> Finding:
        notice = self.message
        if notice is None and self.action == "block":
            notice = BLOCKED_NOTICE
        elif notice is None and self.action == "hold":
            notice = HELD_NOTICE
        elif self.action == "flag":
            notice = None  # flags are for moderators only
        return Finding("watched_word", self.id, self.action, _SEVERITY[self.action], start, end,  # type: ignore[arg-type]
                       f"watched word '{self.pattern}'", notice,
                       self.replacement if self.action == "replace" else None)


@dataclass(frozen=True, slots=True)
class _Index:
    by_first_word: dict[str, tuple[WatchedWord, ...]]
    substrings: tuple[WatchedWord, ...]


@lru_cache(maxsize=16)
def _index(watched: tuple[WatchedWord, ...]) -> _Index:
    by_first: dict[str, list[WatchedWord]] = {}
    substrings: list[WatchedWord] = []
    for word in watched:
        if word.whole_word:
            by_first.setdefault(word._words[0], []).append(word)
        else:
            substrings.append(word)
    return _Index({key: tuple(value) for key, value in by_first.items()}, tuple(substrings))


def find_watched(view: FoldedText, watched: Sequence[WatchedWord]) -> list[Finding]:
    index = _index(tuple(watched))
    text = view.leet
    found: list[Finding] = []
    if index.by_first_word:
        spans = [match.span() for match in _WORD.finditer(text)]
        words = [text[start:end] for start, end in spans]
        for position, word in enumerate(words):
            for candidate in index.by_first_word.get(word, ()):
                size = len(candidate._words)
                last = position + size - 1
                if last >= len(words) or any(
                    words[position + offset] != candidate._words[offset]
                    or spans[position + offset][0] - spans[position + offset - 1][1] > _MAX_GAP
                    for offset in range(1, size)
                ):
                    continue
                found.append(candidate.finding(*view.span(spans[position][0], spans[last][1])))
    for candidate in index.substrings:
        needle = candidate._needle
        at = text.find(needle)
        while at != -1:
            found.append(candidate.finding(*view.span(at, at + len(needle))))
            at = text.find(needle, at + len(needle))
    return found
