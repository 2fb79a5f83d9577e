"""The small phrase language rule files are written in, compiled to regexes.

A phrase is a sequence of space-separated slots, matched against normalised
tokens (see normalize.py), never across punctuation:

    word          one word, normalised like message text ("don't" == "dont")
    a|b|c         one of several words; "_" joins words: "im|i_am"
    [a|b]         optional: one of the words, or nothing
    word*         any word starting with "word" ("suicid*")
    ...           a gap of up to three words
    {gap:N}       a gap of up to N words (N <= 8)

Each phrase also yields *triggers*: words one of which must occur for the
phrase to match. The detector only runs a rule's regex when a trigger is
present, which keeps the cost per message near the cost of tokenising it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import normalize_word

# Words too common to be useful as triggers.
_STOPWORDS = frozenset(normalize_word(word) for word in (
    "i im ive id il me my myself a an the to of and or it is be am are was were "
    "so just do dont not no you your u that this in on at for with all "
    # Common words: a phrase is better found by its rarer words.
    "how what when why who day days time everyone everybody people going gonna want "
    "feel fel think know get got have had has can cant will would could should now today "
    "one some more about out up like he she they his her them we us our go good bad "
    "really very much many way life make made take took need see let tell thing things wanna").split())
_WORD_CHARS = re.compile(r"[^ ]+")
_GAP_RE = re.compile(r"\{gap:(\d)\}")
_ANY_WORD = r"[^ .?,]+ "
_NEVER = "(?!)"


def _compact_word(word: str) -> str:
    # Squeezing can merge the last letter of one word with the first of the
    # next once spaces are gone ("want to" -> "wanto"), so the first letter of
    # a word is optional in the compact form (but a one-letter word is not).
    if len(word) == 1:
        return re.escape(word)
    return f"(?:{re.escape(word[0])})?{re.escape(word[1:])}"


class PhraseError(ValueError):
    """A phrase that cannot be compiled; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Triggers:
    exact: frozenset[str]
    prefixes: frozenset[str]


@dataclass(frozen=True, slots=True)
class CompiledPhrase:
    pattern: str          # regex over Tokens.joined, consuming each token's trailing space
    compact_pattern: str  # regex over one spaced-out token ("killmyself")
    triggers: Triggers
    max_words: int        # the most tokens a match can span
    single_words: frozenset[str] = frozenset()  # set when the phrase is one slot of plain words


def _normalize_alternative(alternative: str, phrase: str) -> list[str]:
    words = [normalize_word(part) for part in alternative.split("_") if part]
    if not words or any(not word or " " in word for word in words):
        raise PhraseError(f"phrase {phrase!r}: empty or unusable word {alternative!r}")
    return words


def _slot(token: str, phrase: str) -> tuple[str, str, list[str], list[str], bool, int]:
    """Return (regex, compact regex, exact triggers, prefix triggers, required, max words)."""
    gap = _GAP_RE.fullmatch(token)
    if token == "..." or gap:
        limit = int(gap.group(1)) if gap else 3
        if limit > 8:
            raise PhraseError(f"phrase {phrase!r}: gaps may span at most 8 words")
        # Letter-by-letter text is rare and short; gaps there would match too much.
        return f"(?:{_ANY_WORD}){{0,{limit}}}", _NEVER, [], [], False, limit
    optional = token.startswith("[") and token.endswith("]")
    if optional:
        token = token[1:-1]
    if not token or any(ch in token for ch in "[]{}()\\"):
        raise PhraseError(f"phrase {phrase!r}: cannot read slot {token!r}")
    regexes: list[str] = []
    compacts: list[str] = []
    exact: list[str] = []
    prefixes: list[str] = []
    longest = 1
    for alternative in token.split("|"):
        if alternative.endswith("*"):
            words = _normalize_alternative(alternative[:-1], phrase)
            if len(words) != 1 or len(words[0]) < 3:
                raise PhraseError(f"phrase {phrase!r}: prefix {alternative!r} needs one word of 3+ letters")
            regexes.append(re.escape(words[0]) + "[^ .?,]* ")
            compacts.append(re.escape(words[0]) + "[a-z]{0,6}?")
            prefixes.append(words[0])
        else:
            words = _normalize_alternative(alternative, phrase)
            longest = max(longest, len(words))
            regexes.append("".join(re.escape(word) + " " for word in words))
            compacts.append("".join(_compact_word(word) for word in words))
            exact.append(words[0])
    regex = "(?:" + "|".join(regexes) + ")"
    compact = "(?:" + "|".join(compacts) + ")"
    if optional:
        return regex + "?", compact + "?", [], [], False, longest
    return regex, compact, exact, prefixes, True, longest


def compile_phrase(phrase: str) -> CompiledPhrase:
    if not isinstance(phrase, str) or not phrase.strip():
        raise PhraseError("phrases must be non-empty strings")
    slots = [_slot(token, phrase) for token in phrase.split()]
    required = [(exact, prefixes) for _, _, exact, prefixes, is_required, _ in slots if is_required]
    if not required:
        raise PhraseError(f"phrase {phrase!r}: needs at least one word that is not optional")
    if slots[0][0].startswith("(?:[^") or slots[-1][0].startswith("(?:[^"):
        raise PhraseError(f"phrase {phrase!r}: may not start or end with a gap")

    def rarity(slot: tuple[list[str], list[str]]) -> tuple[int, int]:
        exact, prefixes = slot
        words = exact + prefixes
        informative = all(word not in _STOPWORDS for word in words)
        return (int(informative), min(len(word) for word in words))

    exact, prefixes = max(required, key=rarity)
    plain_single = len(slots) == 1 and not prefixes and slots[0][5] == 1 and slots[0][4]
    return CompiledPhrase(
        pattern="".join(regex for regex, *_ in slots),
        compact_pattern="".join(compact for _, compact, *_ in slots),
        triggers=Triggers(frozenset(exact), frozenset(prefixes)),
        max_words=sum(slot[5] for slot in slots),
        single_words=frozenset(exact) if plain_single else frozenset(),
    )
