"""Forum Markdown renders to a small allow-list of HTML, and nothing a member
types can become script, an event handler, a style or a non-http(s) link."""

from __future__ import annotations

import ast
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.markup import render
from server.sanitize import LINK_REL, POST_TAGS, clean_post_html
from tests.support import ROOT, SHARED_DATA

CASES = [
    ("plain words", "<p>plain words</p>\n"),
    ("*soft* and **strong**", "<p><em>soft</em> and <strong>strong</strong></p>\n"),
    ("_soft_ and __strong__", "<p><em>soft</em> and <strong>strong</strong></p>\n"),
    ("one\n\ntwo", "<p>one</p>\n<p>two</p>\n"),
    ("line one\nline two", "<p>line one<br>\nline two</p>\n"),
    ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
    ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"),
    ("3. third\n4. fourth", '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>\n'),
    ("> a quote", "<blockquote>\n<p>a quote</p>\n</blockquote>\n"),
    ("use `code` here", "<p>use <code>code</code> here</p>\n"),
    ("```\nx < y && z\n```", "<pre><code>x &lt; y &amp;&amp; z\n</code></pre>\n"),
    ("    indented", "<pre><code>indented\n</code></pre>\n"),
    ("[a site](https://example.org/path?q=1)",
     f'<p><a href="https://example.org/path?q=1" rel="{LINK_REL}">a site</a></p>\n'),
    ("<https://example.org>", f'<p><a href="https://example.org" rel="{LINK_REL}">https://example.org</a></p>\n'),
    ("[http too](http://example.org)", f'<p><a href="http://example.org" rel="{LINK_REL}">http too</a></p>\n'),
    # Not in the subset, or not safe: shown as the text that was typed.
    ("[js](javascript:alert(1))", "<p>[js](javascript:alert(1))</p>\n"),
    ("[data](data:text/html;base64,PHNjcmlwdD4=)", "<p>[data](data:text/html;base64,PHNjcmlwdD4=)</p>\n"),
    ("[relative](/admin)", "<p>[relative](/admin)</p>\n"),
    ("[proto-relative](//evil.example)", "<p>[proto-relative](//evil.example)</p>\n"),
    ("[mail](mailto:a@b.c)", "<p>[mail](mailto:a@b.c)</p>\n"),
    ("# not a heading", "<p># not a heading</p>\n"),
    ("![an image](https://example.org/a.png)", f'<p>!<a href="https://example.org/a.png" rel="{LINK_REL}">an image</a></p>\n'),
    ("<b>raw html</b>", "<p>&lt;b&gt;raw html&lt;/b&gt;</p>\n"),
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
    ("I <3 my sponsor & my group", "<p>I &lt;3 my sponsor &amp; my group</p>\n"),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "<p>| a | b |<br>\n|---|---|<br>\n| 1 | 2 |</p>\n"),
]


@pytest.mark.parametrize("source, html", CASES)
def test_markdown_subset_renders_to_expected_html(source: str, html: str) -> None:
    assert render(source).html == html


def test_plain_text_and_link_count_come_with_the_render() -> None:
    rendered = render("Read **this**: [guide](https://example.org) and <https://example.net>\n\n```\ncode\n```")
    assert rendered.links == 2
    assert rendered.text == "Read this: guide and https://example.net\ncode"


class _Audit(HTMLParser):
    """Collects every problem a browser could turn into script or styling."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in POST_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            value = value or ""
            allowed = {"a": {"href", "rel"}, "ol": {"start"}}.get(tag, set())
            if name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href" and not value.lower().startswith(("http://", "https://")):
                self.problems.append(f"href {value!r}")
            if name == "rel" and value != LINK_REL:
                self.problems.append(f"rel {value!r}")
            if "javascript:" in value.lower().replace(" ", ""):
                self.problems.append(f"javascript: in {name}")

    handle_startendtag = handle_starttag


def _problems(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.problems


def _payloads() -> list[str]:
    lines = (SHARED_DATA / "xss-payloads.txt").read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if line.strip()]


def test_every_xss_payload_renders_inert() -> None:
    payloads = _payloads()
    assert len(payloads) > 1000  # the shared list, not an empty stand-in
    failures = []
    for payload in payloads:
        # As typed, as a link target, as an autolink and inside a quote and a list.
        for source in (payload, f"[click](<{payload}>)", f"[click]({payload})", f"<{payload}>", f"> {payload}", f"- {payload}"):
            problems = _problems(render(source).html)
            if problems:
                failures.append((source, problems))
    assert failures == []


def test_sanitizer_alone_strips_what_a_renderer_bug_could_let_through() -> None:
    dirty = (
        '<p onclick="x()" style="color:red" class="c" id="i">hi</p><img src=x onerror=alert(1)>'
        '<a href="javascript:alert(1)">j</a><a href="/relative">r</a><a href="https://ok.example" target="_blank">ok</a>'
        '<script>alert(1)</script><style>p{}</style><iframe src="https://x"></iframe><svg onload=alert(1)></svg>'
    )
    clean = clean_post_html(dirty)
    assert _problems(clean) == []
    assert "alert" not in clean and "color" not in clean
    assert f'<a href="https://ok.example" rel="{LINK_REL}">ok</a>' in clean


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/:;()[]*_`-#!&\\ \nabcjsvrpteonlig")) , max_size=120))
def test_any_mix_of_markup_characters_renders_inert(source: str) -> None:
    assert _problems(render(source).html) == []


def _modules_importing(name: str) -> list[str]:
    found: set[str] = set()
    for folder in ("server", "moderation", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                imported = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                if any(module.split(".")[0] == name for module in imported):
                    found.add(str(path.relative_to(ROOT)))
    return sorted(found)


def test_all_sanitizing_lives_in_one_module() -> None:
    # One allow-list to audit: nh3 is called from server/sanitize.py and nowhere else.
    assert _modules_importing("nh3") == ["server/sanitize.py"]
    assert "server/sanitize.py" in (ROOT / "README.md").read_text(encoding="utf-8")  # where the README says why
