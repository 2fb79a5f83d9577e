"""Turn raw chat text into normalised tokens that still point back at the original.

Matching happens on tokens, never on the raw string, so that spelling games
("suiciiide", "k1ll", "k i l l m y s e l f", fancy Unicode letters, missing
apostrophes) all land on the same token the rule author wrote. Every token keeps
its span in the original text, which is what evidence reports.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Punctuation tokens. Phrases never match across them, and scope rules use them
# as sentence (".", "?") and clause (",") boundaries.
SENTENCE_END = "."
QUESTION_END = "?"
CLAUSE_BREAK = ","
BOUNDARIES = frozenset((SENTENCE_END, QUESTION_END, CLAUSE_BREAK))

_ALNUM = r"[^\W_]"
_LEET_CHARS = "@$"
# Order matters: spaced-out letters ("k i l l") must win over single-letter words.
_TOKEN_RE = re.compile(
    rf"(?<![^\W_])((?:{_ALNUM}[ .*_\-]){{2,}}{_ALNUM})(?![^\W_])"  # 1: spaced letters
    rf"|([{_LEET_CHARS}]?{_ALNUM}+(?:['’‘`!|@$]+{_ALNUM}+)*[{_LEET_CHARS}]?)"  # 2: word
    r"|([\U0001F000-\U0001F3FA\U0001F400-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF])"  # 3: emoji
    r"|([.!?\n\u2026]+)"  # 4: sentence end
    r"|([,;:()\u2013\u2014])",  # 5: clause break
)
_SPACED_SEPARATORS = re.compile(r"[ .*_\-]")

# Leetspeak is only undone inside tokens that also hold letters, so "400 days"
# and "2 years" keep their digits while "k1ll" and "$uicide" become words.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "@": "a", "$": "s", "!": "i", "|": "l"})
_HAS_LETTER = re.compile(r"[a-z]")
_HAS_LEET = re.compile(r"[0134579@$!|]")
# Quantities and times ("3am", "20mg", "2nd") are not leetspeak.
_NUMBER_WITH_UNIT = re.compile(r"\d+(?:am|pm|st|nd|rd|th|s|k|mg|ml|g|x|h|hr|hrs|min|mins|yo|yr|yrs)")
# Variation selectors and joiners change how an emoji looks, not what it says.
_EMOJI_JOINERS = str.maketrans("", "", "\ufe0e\ufe0f\u200d")
_APOSTROPHES = str.maketrans("", "", "'’‘`")
_REPEATS = re.compile(r"([a-z])\1+")


@lru_cache(maxsize=65536)
def normalize_word(raw: str) -> str:
    """Normalise one word token; rules and text both go through this."""
    word = raw
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word)
        word = "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))
        word = word.translate(_EMOJI_JOINERS)
    word = word.lower().translate(_APOSTROPHES)
    if _HAS_LEET.search(word) and _HAS_LETTER.search(word) and not _NUMBER_WITH_UNIT.fullmatch(word):
        word = word.translate(_LEET)
    # Squeeze repeated letters ("suiciiide", "pleeease"); rules are squeezed the
    # same way, so "kill" in a rule and "kiiill" in a message both become "kil".
    return _REPEATS.sub(r"\1", word)


def _normalize_spaced(raw: str) -> str:
    return normalize_word(_SPACED_SEPARATORS.sub("", raw))


def _sentence_token(raw: str) -> str:
    return QUESTION_END if "?" in raw else SENTENCE_END


@dataclass(frozen=True, slots=True)
class Tokens:
    """Normalised tokens of one text.

    `joined` is " " + " ".join(words) + " ", so phrase regexes can rely on a
    space on both sides of every token; `offsets[i]` is where words[i] starts
    in `joined`. `spans[i]` is the token's (start, end) in the original text.
    `spaced` lists indices of tokens that were written letter by letter.
    """

    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    joined: str
    offsets: tuple[int, ...]
    spaced: tuple[int, ...]


def tokenize(text: str) -> Tokens:
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    spaced: list[int] = []
    for match in _TOKEN_RE.finditer(text):
        group = match.lastindex
        raw = match.group()
        if group == 2:
            word = normalize_word(raw)
        elif group == 4:
            word = _sentence_token(raw)
        elif group == 5:
            word = CLAUSE_BREAK
        elif group == 1:
            spaced.append(len(words))
            word = _normalize_spaced(raw)
        else:
            word = raw
        if not word:
            continue
        words.append(word)
        spans.append(match.span())
    offsets: list[int] = []
    position = 1
    for word in words:
        offsets.append(position)
        position += len(word) + 1
    joined = " " + " ".join(words) + " " if words else " "
    return Tokens(tuple(words), tuple(spans), joined, tuple(offsets), tuple(spaced))
