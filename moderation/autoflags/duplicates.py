"""Repeated and near-duplicate messages from one author, remembered for a few minutes in memory."""
from __future__ import annotations

import re
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Final

from .finding import DUPLICATE_NOTICE, WHOLE_MESSAGE, Finding
from .folded import FoldedText

_NOT_WORD: Final = re.compile(r"[\W_]+")
_REPEATS: Final = re.compile(r"(.)\1{2,}")
SHINGLE_SIZE: Final = 3
NEAR_DUPLICATE: Final = 0.85
# Short messages ("thank you", "❤️", "good morning") repeat innocently; only
# many exact repeats of them in the window are worth a look.
MIN_NEAR_CHARS: Final = 12
# Long pastes are compared on their start: enough to spot a repeat, bounded memory.
MAX_COMPARED_CHARS: Final = 2000


def normalise(text: str) -> str:
    folded = FoldedText(text[:MAX_COMPARED_CHARS * 2]).leet
    squeezed = _REPEATS.sub(r"\1\1", _NOT_WORD.sub(" ", folded)).strip()
    return squeezed[:MAX_COMPARED_CHARS]


def _shingles(normalised: str) -> frozenset[str]:
    if len(normalised) <= SHINGLE_SIZE:
        return frozenset((normalised,))
    return frozenset(normalised[i:i + SHINGLE_SIZE] for i in range(len(normalised) - SHINGLE_SIZE + 1))


@dataclass(frozen=True, slots=True)
class _Seen:
    at: float
    normalised: str
    shingles: frozenset[str]


class NearDuplicateTracker:
    """Per-author memory of recent messages. Not shared between processes: each keeps its own."""

    def __init__(self, window_seconds: float = 300, max_repeats: int = 3, *, per_author: int = 20,
                 max_authors: int = 10_000) -> None:
        if window_seconds <= 0 or max_repeats < 1 or per_author < 1 or max_authors < 1:
            raise ValueError("window, repeats and caps must be positive")
        self.window_seconds = window_seconds
        self.max_repeats = max_repeats
        self.per_author = per_author
        self.max_authors = max_authors
        self._recent: OrderedDict[int, deque[_Seen]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._recent)

    def observe(self, author_id: int, text: str, now: float) -> Finding | None:
        normalised = normalise(text)
        if not normalised:
            return None
        recent = self._recent.get(author_id)
        if recent is None:
            recent = deque(maxlen=self.per_author)
            self._recent[author_id] = recent
            while len(self._recent) > self.max_authors:
                self._recent.popitem(last=False)  # the author we heard from longest ago
        else:
            self._recent.move_to_end(author_id)
        # A clock that steps backwards keeps entries rather than dropping them all.
        while recent and now - recent[0].at > self.window_seconds:
            recent.popleft()
        shingles = _shingles(normalised)
        exact = near = 0
        for seen in recent:
            if seen.normalised == normalised:
                exact += 1
            elif len(normalised) >= MIN_NEAR_CHARS and _jaccard(seen.shingles, shingles) >= NEAR_DUPLICATE:
                near += 1
        recent.append(_Seen(now, normalised, shingles))
        repeats = exact + near + 1  # copies in the window, this one included
        if len(normalised) < MIN_NEAR_CHARS:
            if exact + 1 > self.max_repeats:
                return Finding("duplicate", "repeat", "flag", 1, WHOLE_MESSAGE, WHOLE_MESSAGE,
                               f"the same short message {exact + 1} times in {self.window_seconds:g} s")
            return None
        if repeats > self.max_repeats:
            return Finding("duplicate", "repeat", "hold", 2, WHOLE_MESSAGE, WHOLE_MESSAGE,
                           f"{repeats} copies of this message in {self.window_seconds:g} s", DUPLICATE_NOTICE)
        if exact:
            return Finding("duplicate", "repeat", "flag", 1, WHOLE_MESSAGE, WHOLE_MESSAGE,
                           f"the same message {repeats} times in {self.window_seconds:g} s")
        if near:
            return Finding("duplicate", "near", "flag", 1, WHOLE_MESSAGE, WHOLE_MESSAGE,
                           f"nearly the same message {repeats} times in {self.window_seconds:g} s")
        return None


def _jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    # Sizes alone rule most pairs out before any set work.
    small, large = sorted((len(first), len(second)))
    if large == 0 or small / large < NEAR_DUPLICATE:
        return 0.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)
