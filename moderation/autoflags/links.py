"""Links, which only matter when a new account posts them (the usual shape of spam)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from .finding import LINK_NOTICE, Finding
from .folded import FoldedText

_TLDS: Final = (
    "com|net|org|io|co|me|ly|gg|app|xyz|info|biz|tv|link|site|online|shop|store|club|top|ru|cn|uk|de|fr|"
    "nl|tk|ml|ga|cf|gq|ws|cc|us|ca|au|gov|edu|page|dev|ai|vip|icu"
)
_URL: Final = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"'`]{1,2048}"
    rf"|(?<![\w@.\-])(?:[a-z0-9][a-z0-9\-]{{0,62}}\.){{1,5}}(?:{_TLDS})\b(?:/[^\s<>\"'`]{{0,2048}})?"
)
_HOST: Final = re.compile(r"(?:https?://)?(?:www\.)?([^/:?#\s]{1,253})")
# Places a newcomer is welcome to point people to: treatment, mutual-aid and
# crisis services. Government domains cannot be bought by a spammer.
RESOURCE_DOMAINS: Final = frozenset((
    "988lifeline.org", "samhsa.gov", "findtreatment.gov", "aa.org", "na.org", "smartrecovery.org",
    "crisistextline.org", "samaritans.org", "thetrevorproject.org", "nami.org", "al-anon.org",
    "recoverydharma.org", "refugerecovery.org", "cma.org", "ca.org", "nhs.uk", "talkingfrank.com",
))
_RESOURCE_SUFFIXES: Final = (".gov", ".gov.uk", ".nhs.uk", ".gc.ca", ".gov.au")


def _is_resource(host: str) -> bool:
    host = host.rstrip(".")
    return host in RESOURCE_DOMAINS or host.endswith(_RESOURCE_SUFFIXES) or any(
        host.endswith("." + domain) for domain in RESOURCE_DOMAINS
    )


def find_links(view: FoldedText) -> Iterator[Finding]:
    text = view.folded
    if "." not in text:
        return
    for match in _URL.finditer(text):
        found = match.group().rstrip(".,;:!?)]}")
        host_match = _HOST.match(found)
        if host_match and _is_resource(host_match.group(1)):
            continue
        start, end = view.span(match.start(), match.start() + len(found))
        yield Finding("link", "url", "hold", 1, start, end, "a link from a new account", LINK_NOTICE)
