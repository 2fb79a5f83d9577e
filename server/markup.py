"""Forum Markdown: a small, safe subset rendered on the server.

Paragraphs, emphasis, lists, quotes, inline code and code blocks, and links.
No headings, tables, images or raw HTML: raw HTML is shown as the text it is.
The renderer (markdown-it-py, CommonMark-compliant) builds the HTML; the
result then always goes through `server.sanitize.clean_post_html`, so safety
does not rest on the renderer alone."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from server.sanitize import clean_post_html, safe_link

_BLOCK_RULES = ["paragraph", "blockquote", "list", "code", "fence"]
_INLINE_RULES = ["emphasis", "backticks", "link", "autolink", "escape", "newline"]


def _validate_link(url: str) -> bool:
    # Links to anything but http(s) stay as plain text (`[x](javascript:…)` reads as typed).
    return safe_link(url)


def _make_renderer() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False, "breaks": True})
    md.enable(_BLOCK_RULES).enable(_INLINE_RULES)
    md.validateLink = _validate_link  # type: ignore[method-assign]
    return md


_md = _make_renderer()


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str  # sanitized: safe to insert as HTML
    text: str  # plain text: for search, snippets and previews
    links: int  # how many links the post carries (new accounts may not post links yet)


def render(source: str) -> Rendered:
    tokens = _md.parse(source)
    html = clean_post_html(_md.renderer.render(tokens, _md.options, {}))
    return Rendered(html=html, text=_plain_text(tokens), links=_count_links(tokens))


def _children(tokens: list[Token]) -> list[Token]:
    flat: list[Token] = []
    for token in tokens:
        flat.append(token)
        if token.children:
            flat.extend(_children(token.children))
    return flat


def _count_links(tokens: list[Token]) -> int:
    return sum(1 for token in _children(tokens) if token.type == "link_open")


def _plain_text(tokens: list[Token]) -> str:
    blocks: list[str] = []
    for token in tokens:
        if token.type == "inline":
            blocks.append("".join(_inline_text(child) for child in token.children or []))
        elif token.type in ("code_block", "fence"):
            blocks.append(token.content.rstrip("\n"))
    return "\n".join(b for b in blocks if b.strip())


def _inline_text(token: Token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    return " " if token.type in ("softbreak", "hardbreak") else ""
