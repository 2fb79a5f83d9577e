"""The one module that sanitizes HTML. Every call to nh3 lives here.

Why nh3: bleach, the old Python default, was ended by its maintainers in 2023;
nh3 binds ammonia, the maintained Rust sanitizer built on html5ever (the same
HTML parser a browser uses), so what we clean is what the browser will see.

The forum renders members' Markdown to HTML on the server (`server/markup.py`)
and then passes it through `clean_post_html`, an allow-list: a small set of
text tags, links only to http(s) with `rel="nofollow noopener ugc"`, and no
images, styles, classes, ids, event handlers or raw HTML. Even if the Markdown
renderer had a bug, nothing outside this list reaches a reader's browser."""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3

from server.text import is_whole_number

POST_TAGS = frozenset({"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a"})
LINK_REL = "nofollow noopener ugc"
LINK_SCHEMES = frozenset({"http", "https"})
# Tags whose content is dropped with the tag: their text is never meant for a reader.
_DROP_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math", "title", "textarea", "select"})


def safe_link(url: str) -> bool:
    """An absolute http(s) address with a host: the only links a post may carry."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in LINK_SCHEMES and bool(parts.netloc)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if safe_link(value) else None
    if tag == "ol" and attribute == "start":
        return value if is_whole_number(value) and len(value) <= 6 else None
    return value


_post_cleaner = nh3.Cleaner(
    tags=set(POST_TAGS),
    clean_content_tags=set(_DROP_WITH_CONTENT),
    attributes={"a": {"href"}, "ol": {"start"}},
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel=LINK_REL,
    url_schemes=set(LINK_SCHEMES),
    url_relative="deny",
)


def clean_post_html(html: str) -> str:
    """Allow-list a rendered post. Safe to insert into a page as HTML."""
    return _post_cleaner.clean(html)

