"""Plain-text normalisation for everything members type.

Text is stored as typed (never as HTML) after Unicode NFC normalisation, with
control characters and bidirectional overrides removed: they can hide or
reorder what others see ("Trojan Source" style). Clients render with
textContent, so `I <3 my sponsor` needs no escaping here."""

from __future__ import annotations

import re
import unicodedata

from server.errors import InvalidField

# C0/C1 controls except tab and newline; bidi embeddings/overrides/isolates;
# zero-width and BOM characters used to smuggle invisible differences; surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_CRLF = re.compile(r"\r\n?")


def is_whole_number(value: str) -> bool:
    """Only ASCII digits: `str.isdigit` also takes "²" and other digits `int` refuses,
    which made a 500 of a query like `?cursor=²` instead of a clear 400."""
    return value.isascii() and value.isdigit()


def clean_text(value: str) -> str:
    """Normalise without judging length or emptiness."""
    value = _CRLF.sub("\n", value)
    value = _UNSAFE.sub("", value)
    return unicodedata.normalize("NFC", value)


def clean_body(value: object, *, field: str = "body", max_chars: int = 4000) -> str:
    if not isinstance(value, str):
        raise InvalidField(f"{field} must be text.")
    body = clean_text(value).strip()
    if not body:
        raise InvalidField(f"{field} can't be empty.", code="empty")
    if len(body) > max_chars:
        raise InvalidField(f"{field} can be at most {max_chars} characters (this one has {len(body)}).", code="too_long")
    return body


def clean_line(value: object, *, field: str, min_chars: int = 1, max_chars: int = 200) -> str:
    """A one-line field (titles, names): newlines become spaces."""
    if not isinstance(value, str):
        raise InvalidField(f"{field} must be text.")
    line = " ".join(clean_text(value).split())
    if len(line) < min_chars:
        raise InvalidField(f"{field} needs at least {min_chars} characters.")
    if len(line) > max_chars:
        raise InvalidField(f"{field} can be at most {max_chars} characters.")
    return line
