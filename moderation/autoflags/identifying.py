"""Details that could let someone find a member outside Hearth: phones, emails, addresses, handles.

Recovery talk is full of numbers, so phone and address rules lean towards
precision: day counts, times, years, dates, prices and crisis-line numbers are
left alone, and a bare "@name" is a Hearth mention, not a social handle. Every
quantifier is bounded or possessive, so no pattern can backtrack on a long paste.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from .finding import IDENTIFYING_NOTICE, Finding
from .folded import FoldedText

# Numbers people are encouraged to share: crisis and treatment lines. Any US
# toll-free number is also let through, since it reaches an organisation, not a person.
RESOURCE_NUMBERS: Final = frozenset((
    "988", "911", "112", "999", "000", "111", "116123", "116111", "741741", "85258", "686868",
    "18006624357",  # SAMHSA National Helpline
    "18002738255",  # the Lifeline's old number, still widely printed
    "18007997233",  # National Domestic Violence Hotline
    "18664887386",  # The Trevor Project
    "18775658860",  # Trans Lifeline
    "08457909090", "08001111", "0800585858",  # Samaritans (old), Childline, CALM
    "131114", "1300224636",  # Lifeline Australia, Beyond Blue
    "18334564566",  # Talk Suicide Canada
))
_TOLL_FREE: Final = re.compile(r"1?8(?:00|33|44|55|66|77|88)\d{7}")

_PHONE_CANDIDATE: Final = re.compile(r"\+?\(?\d++(?:(?:\)?[ .\-\u2013]{1,2}+\(?|\))\d++)*+\)?")
_PHONE_CONTEXT: Final = re.compile(
    r"\b(?:call|text|txt|phone|number|num|no|cell|mobile|mob|whatsapp|sms|ring|reach|contact|dial|tel|ph|"
    r"signal|telegram)\b[^0-9]{0,24}$"
)
_MONEY_AFTER: Final = re.compile(r"\s*(?:k\b|%|dollars|bucks|usd|euros?|pounds|quid|mg|ml|miles|km|steps|people)")
_YEAR: Final = re.compile(r"(?:19|20)\d\d")

_EMAIL: Final = re.compile(
    r"(?<![\w.%+\-])[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,4}\.[a-z]{2,12}\b"
)
_SPELLED_EMAIL: Final = re.compile(
    r"\b[a-z0-9][a-z0-9._\-]{0,63}\s{0,3}[\[({<]?\s{0,2}(?:at|@)\s{0,2}[\])}>]?\s{0,3}"
    r"(?:gmail|yahoo|hotmail|outlook|icloud|proton(?:mail)?|aol|live|msn|gmx|mail|yandex)"
    r"\s{0,3}(?:[\[({<]?\s{0,2}dot\s{0,2}[\])}>]?|\.)\s{0,3}(?:com|net|org|co|uk|me|de|fr|ca|au)\b"
)

_STREET_SUFFIX: Final = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|terrace|"
    r"highway|hwy|parkway|pkwy|crescent|circle|cir|way|close|grove|square|sq)\.?"
)
_NAME_WORD: Final = r"[a-z][a-z'\-]{0,24}"
_HOUSE_ADDRESS: Final = re.compile(
    rf"\b\d{{1,6}}[a-z]?\s{{1,3}}((?:{_NAME_WORD}\s{{1,3}}){{1,3}}){_STREET_SUFFIX}(?![a-z])"
)
_LIVING_ON: Final = re.compile(
    rf"\b(?:i\s+live|i'?m\s+living|we\s+live|i\s+stay|i'?m\s+staying|my\s+(?:house|home|place|apartment|flat)\s+is|"
    rf"meet\s+me|pick\s+me\s+up|come\s+(?:to|by)\s+my\s+(?:house|place))\s+(?:on|at|off|near|in|by)\s+"
    rf"((?:{_NAME_WORD}\s{{1,3}}){{1,3}}){_STREET_SUFFIX}(?![a-z])"
)
_UNIT: Final = re.compile(r"\b(?:apt|apartment|suite|ste|unit\s*#|flat\s*#)\.?\s{0,2}#?\s{0,2}\d{1,5}[a-z]?\b")
_POSTCODE: Final = re.compile(
    r"\b(?:post\s?code|zip(?:\s?code)?)\s{0,3}(?:is|:)?\s{0,3}"
    r"(?:[a-z]{1,2}\d[a-z\d]?\s{0,2}\d[a-z]{2}|\d{5}(?:-\d{4})?)\b"
)
# Words that cannot be part of a street's name: "3 blocks down the street",
# "I live on the streets", "90 days in court" are recovery talk, not addresses.
_NOT_STREET_NAMES: Final = frozenset((
    "the", "a", "an", "my", "your", "his", "her", "our", "their", "this", "that", "these", "those", "same",
    "down", "up", "across", "over", "on", "in", "at", "to", "from", "of", "and", "or", "by", "off", "near",
    "into", "onto", "out", "through", "along", "around", "past", "other", "wrong", "right", "one", "way",
    "blocks", "block", "miles", "mile", "days", "day", "weeks", "months", "years", "times", "minutes", "mins",
    "hours", "steps", "people", "more", "less", "few", "new", "old", "different", "every", "each", "whole",
    "first", "last", "next", "no", "not", "some", "any", "all", "was", "is", "are", "be", "been", "i", "we",
    "you", "me", "it", "streets", "live", "lived", "living", "sober", "clean", "good", "long", "hard", "mean",
    "minute", "hour", "hr", "hrs", "second", "week", "month", "year", "km", "star", "stars", "step", "drug",
    "family", "traffic", "food", "sharing", "prayer", "inner", "support", "sex", "thumb", "test", "flash",
    "recovery", "fast", "slow", "high", "low", "big", "small", "better", "happy", "safe", "dark", "only",
))

_PLATFORM: Final = (
    r"(?:insta(?:gram)?|ig|snap(?:chat)?|tik\s?tok|twitter|discord|telegram|tg|kik|whats\s?app|facebook|fb|"
    r"threads|bluesky|bsky|reddit|venmo|cash\s?app|wickr|skype|twitch|youtube|onlyfans|linkedin|tumblr|"
    r"signal|psn|xbox|steam|tele|paypal)"
)
_PLATFORM_URL: Final = re.compile(
    r"(?<![\w.\-])(?:https?://)?(?:www\.|m\.)?(?:instagram\.com|instagr\.am|facebook\.com|fb\.com|fb\.me|"
    r"twitter\.com|x\.com|tiktok\.com|snapchat\.com/add|t\.me|telegram\.me|wa\.me|discord\.gg|"
    r"discord\.com/users|reddit\.com/u(?:ser)?|linkedin\.com/in|threads\.net|bsky\.app/profile|"
    r"youtube\.com|twitch\.tv|onlyfans\.com|kik\.me|venmo\.com|cash\.app)/@?[\w.\-$]{1,64}"
)
_HANDLE_AFTER_PLATFORM: Final = re.compile(
    rf"\b{_PLATFORM}\s{{0,2}}(?:handle|name|username|user|id|tag|@)?\s{{0,2}}[:=]\s{{0,2}}(@?[\w.\-]{{2,40}})"
    rf"|\bmy\s+{_PLATFORM}\s{{1,2}}(?:handle\s+|name\s+|username\s+|user\s+|id\s+|tag\s+|account\s+)?(?:is|=)\s{{1,2}}"
    rf"(@?[\w.\-]{{2,40}})"
    rf"|\b{_PLATFORM}\s{{1,2}}(?:handle|name|username|id|tag)?\s{{0,2}}(?:is\s+)?@[\w.\-]{{2,40}}"
)
_INVITE: Final = re.compile(
    rf"\b(?:add|follow|find|message|msg|dm|text|hit|hmu|reach|contact|friend|ping)\s+(?:me\s+)?(?:up\s+)?"
    rf"(?:on|at|via|over)\s+{_PLATFORM}\b(?:\s{{0,2}}[:@]?\s{{0,2}}[\w.\-]{{2,40}}#\d{{4}}|\s{{0,2}}[:@]\s{{0,2}}[\w.\-]{{2,40}})?"
    rf"|\b(?:snap|sc|kik|telegram|whatsapp|insta|ig|discord|wickr|venmo|cash\s?app|paypal|zelle)\s+me\b"
)
_MENTION_ON_PLATFORM: Final = re.compile(rf"@[\w.\-]{{2,40}}\s{{1,2}}(?:on|at|in|\(|-)\s{{0,2}}{_PLATFORM}\b")
_DISCORD_TAG: Final = re.compile(r"(?<![\w#])[a-z0-9_.]{2,32}#\d{4}(?![\w#])")
# After "my insta is", words that describe the account rather than name it.
_NOT_HANDLES: Final = frozenset((
    "private", "public", "deleted", "gone", "dead", "locked", "down", "off", "on", "toxic", "not", "a", "an",
    "the", "so", "too", "full", "just", "empty", "banned", "hacked", "inactive", "deactivated", "blocked",
    "where", "how", "why", "what", "mostly", "all", "only", "kind", "pretty", "really", "very", "still", "my",
))


_NOT_MAILBOXES: Final = frozenset((
    "i", "m", "s", "me", "we", "you", "was", "am", "are", "is", "it", "im", "email", "mail", "them", "him", "her",
    "us", "account", "work", "works", "job", "stuff", "everything", "emails", "here", "there", "address",
))


def _finding(view: FoldedText, subkind: str, start: int, end: int, detail: str) -> Finding:
    original_start, original_end = view.span(start, end)
    return Finding("identifying", subkind, "hold", 2, original_start, original_end, detail, IDENTIFYING_NOTICE)


def _looks_like_date_or_years(groups: list[str]) -> bool:
    if all(len(group) == 4 and _YEAR.fullmatch(group) for group in groups):
        return True  # "2019 2020 2021"
    sizes = [len(group) for group in groups]
    if len(groups) == 3 and (sizes[0] == 4 or sizes[2] in (2, 4)) and max(sizes) <= 4:
        first, middle, last = (int(group) for group in groups)
        if sizes[0] == 4:
            return 1 <= middle <= 12 and 1 <= last <= 31
        return 1 <= middle <= 31 and (1 <= first <= 31)
    return False


def _phones(view: FoldedText) -> Iterator[Finding]:
    text = view.folded
    for match in _PHONE_CANDIDATE.finditer(text):
        start, end = match.span()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before.isalnum() or before in "$£€¥#/:,_" or after.isalnum() or after in "/:%,_":
            continue  # part of a word, a price, a path, a time or a list
        if _MONEY_AFTER.match(text, end):
            continue
        groups = re.findall(r"\d+", match.group())
        digits = "".join(groups)
        if not 7 <= len(digits) <= 15 or _looks_like_date_or_years(groups):
            continue
        if digits in RESOURCE_NUMBERS or (digits.startswith("1") and digits[1:] in RESOURCE_NUMBERS):
            continue
        if _TOLL_FREE.fullmatch(digits):
            continue
        # A long run of digits with no separators is as often an order or
        # reference number; take it as a phone only when the words around say so.
        # Single digits one by one ("1 2 3 4 5 6 7 8") are usually counting.
        if ((len(groups) == 1 and len(digits) < 10) or max(len(group) for group in groups) == 1) \
                and not _PHONE_CONTEXT.search(text, max(0, start - 40), start):
            continue
        yield _finding(view, "phone", start, end, "looks like a phone number")


def _emails(view: FoldedText) -> Iterator[Finding]:
    text = view.folded
    if "@" in text:
        for match in _EMAIL.finditer(text):
            yield _finding(view, "email", *match.span(), detail="looks like an email address")
    if "dot" in text or "." in text:
        for match in _SPELLED_EMAIL.finditer(text):
            if match.group().split()[0] in _NOT_MAILBOXES:
                continue  # "I'm at gmail dot com" names no mailbox
            yield _finding(view, "email", *match.span(), detail="looks like an email address spelled out")


def _street_name_ok(name_words: str) -> bool:
    words = name_words.split()
    return bool(words) and not any(word in _NOT_STREET_NAMES for word in words)


def _addresses(view: FoldedText) -> Iterator[Finding]:
    text = view.folded
    if any(ch.isdigit() for ch in text):
        for match in _HOUSE_ADDRESS.finditer(text):
            if _street_name_ok(match.group(1)):
                yield _finding(view, "address", *match.span(), detail="looks like a street address")
        for match in _UNIT.finditer(text):
            yield _finding(view, "address", *match.span(), detail="looks like an apartment or unit number")
        for match in _POSTCODE.finditer(text):
            yield _finding(view, "address", *match.span(), detail="looks like a postcode")
    for match in _LIVING_ON.finditer(text):
        if _street_name_ok(match.group(1)):
            yield _finding(view, "address", *match.span(), detail="says which street someone lives on")


def _handles(view: FoldedText) -> Iterator[Finding]:
    text = view.folded
    for match in _PLATFORM_URL.finditer(text):
        yield _finding(view, "handle", *match.span(), detail="links to a social-media profile")
    for match in _HANDLE_AFTER_PLATFORM.finditer(text):
        named = match.group(1) or match.group(2)
        if named is not None and named.lstrip("@") in _NOT_HANDLES:
            continue  # "my insta is private"
        yield _finding(view, "handle", *match.span(), detail="gives a social-media handle")
    for match in _INVITE.finditer(text):
        yield _finding(view, "handle", *match.span(), detail="asks to connect on another app")
    if "@" in text:
        for match in _MENTION_ON_PLATFORM.finditer(text):
            yield _finding(view, "handle", *match.span(), detail="gives a social-media handle")
    if "#" in text:
        for match in _DISCORD_TAG.finditer(text):
            yield _finding(view, "handle", *match.span(), detail="looks like a Discord tag")


def find_identifying(view: FoldedText) -> list[Finding]:
    found = [*_phones(view), *_emails(view), *_addresses(view), *_handles(view)]
    return _without_overlaps(found)


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    # Several rules can see the same detail ("add me on discord name#1234"); keep
    # the widest finding so moderators see each detail once.
    found.sort(key=lambda item: (item.start, -item.end))
    kept: list[Finding] = []
    for item in found:
        if kept and item.start < kept[-1].end and item.end <= kept[-1].end:
            continue
        kept.append(item)
    return kept
