"""Pseudonym rules: length, characters, uniqueness key, reserved names and look-alikes."""

from __future__ import annotations


import re
import secrets
import unicodedata

from server.errors import InvalidField

MIN_LENGTH = 3
MAX_LENGTH = 24

# Names that would let someone pass as staff or as the system itself. Matched
# against the confusable skeleton, so "M0derat0r", "Ｍoderator" and "mod_erator"
# are caught too.
RESERVED_ANYWHERE = (
    "admin", "moderator", "specialist", "staff", "system", "hearth", "official",
    "crisissupport", "crisisline", "helpline", "peersupport", "sysop", "administrator",
)
RESERVED_EXACT = frozenset({
    "mod", "mods", "root", "support", "team", "help", "crisis", "peer", "owner", "everyone",
    "here", "null", "undefined", "none", "anonymous", "deleted", "formermember", "server",
    "security", "safety", "bot", "info", "you", "me",
})

# Characters people swap in to imitate letters. Digits and symbols first, then
# the Cyrillic and Greek letters that render like Latin ones.
_CONFUSABLES = str.maketrans({
    "0": "o", "1": "l", "!": "l", "|": "l", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s",
    "7": "t", "+": "t", "8": "b", "9": "g", "6": "g", "2": "z",
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "l", "ї": "l", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ɡ": "g", "ɩ": "l", "ı": "l", "i": "l",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "l", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "μ": "u",
})
_ALLOWED_SYMBOLS = frozenset("_-. ")

# NUL and lone surrogates: no database can store them and no pseudonym has them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def pseudonym_key(name: str) -> str:
    """The uniqueness key: NFKC + casefold. Characters no pseudonym has and no
    database can hold become U+FFFD, so a lookup by such a name finds nobody
    instead of failing in the database driver."""
    return unicodedata.normalize("NFKC", _UNSTORABLE.sub("\ufffd", name)).casefold()

def pseudonym_skeleton(name: str) -> str:
    """What a name looks like: folded, confusables mapped, separators and marks dropped."""
    folded = unicodedata.normalize("NFKD", pseudonym_key(name))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.translate(_CONFUSABLES)
    folded = "".join(ch for ch in folded if ch.isalnum())
    return folded.replace("rn", "m").replace("vv", "w")

_RESERVED_EXACT_SKELETONS = frozenset(pseudonym_skeleton(word) for word in RESERVED_EXACT)
_RESERVED_ANYWHERE_SKELETONS = tuple(pseudonym_skeleton(word) for word in RESERVED_ANYWHERE)


def _looks_reserved(skeleton: str) -> bool:
    return skeleton in _RESERVED_EXACT_SKELETONS or any(word in skeleton for word in _RESERVED_ANYWHERE_SKELETONS)

def check_pseudonym(value: object) -> str:
    """Validate a proposed pseudonym; return it as it will be shown."""
    if not isinstance(value, str):
        raise InvalidField("Pseudonym must be text.", code="invalid_pseudonym")
    name = unicodedata.normalize("NFC", value).strip()
    if not MIN_LENGTH <= len(name) <= MAX_LENGTH:
        raise InvalidField(
            f"Pseudonyms are {MIN_LENGTH} to {MAX_LENGTH} characters long.", code="invalid_pseudonym"
        )
    for ch in name:
        category = unicodedata.category(ch)
        if ch in _ALLOWED_SYMBOLS or category[0] in "LN" or category == "Mn":
            continue
        raise InvalidField(
            "Pseudonyms can use letters, numbers, spaces, dots, dashes and underscores.", code="invalid_pseudonym"
        )
    if "  " in name or not any(unicodedata.category(ch)[0] == "L" for ch in name):
        raise InvalidField("Pseudonyms need at least one letter and single spaces.", code="invalid_pseudonym")
    if _mixes_scripts(name):
        raise InvalidField("Please use one alphabet in your pseudonym.", code="invalid_pseudonym")
    if _looks_reserved(pseudonym_skeleton(name)):
        raise InvalidField("That name is kept for Hearth's staff. Please choose another.", code="pseudonym_reserved")
    return name

def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""

def _mixes_scripts(name: str) -> bool:
    """Latin mixed with Cyrillic or Greek is the classic homoglyph trick."""
    scripts = {_script(ch) for ch in name if unicodedata.category(ch)[0] == "L"}
    return len(scripts & {"LATIN", "CYRILLIC", "GREEK"}) > 1

_ADJECTIVES = (
    "Quiet", "Steady", "Brave", "Gentle", "Hopeful", "Morning", "Patient", "Kind", "Bright", "Calm",
    "Open", "Warm", "Still", "Rising", "Honest", "Clear", "Willow", "Golden", "Silver", "Evening",
)
_NOUNS = (
    "River", "Harbor", "Lantern", "Meadow", "Sparrow", "Cedar", "Tide", "Ember", "Path", "Summit",
    "Heron", "Maple", "Compass", "Garden", "Horizon", "Pebble", "Fern", "Beacon", "Orchard", "Brook",
)

def suggest_pseudonyms(count: int = 5) -> list[str]:
    return [
        f"{secrets.choice(_ADJECTIVES)}{secrets.choice(_NOUNS)}{secrets.randbelow(90) + 10}" for _ in range(count)
    ]

