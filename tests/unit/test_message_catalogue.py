"""The one message catalogue (client/i18n/en.json) and the words the client shows.

Every member-facing string lives in the catalogue so a community can translate
Hearth without touching code. These tests read the client's own source:
- every key the code asks for exists, and every key in the catalogue is asked for;
- no view hands the DOM a word that did not come through t().
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[2] / "client"
CATALOGUE_FILE = CLIENT / "i18n" / "en.json"
SOURCES = sorted((CLIENT / "js").rglob("*.js"))
KEY = re.compile(r"^[a-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$")
LETTER = re.compile(r"[^\W\d_]")  # a letter in any script
# Inside a larger expression (a list of choices, a comparison) a lowercase code
# such as "warning_signs" or "open" is data, and a link is a link; a word that is
# the whole value of a text sink is always a word.
LINK = re.compile(r"^(#/|/|https?://)")
CODE = re.compile(r"^([a-z][a-z0-9_-]*|#/.*|/.*)$")

# Places where a string becomes words on the screen (or read aloud by a screen reader).
TEXT_PROPERTIES = {"text", "placeholder", "title", "alt", "label", "aria-label", "aria-description", "aria-roledescription"}
TEXT_ASSIGNMENTS = {"textContent", "innerText", "title", "placeholder", "ariaLabel", "label", "alt"}
TEXT_CALLS = {"confirm", "alert", "prompt", "announce", "showStatus", "toast", "createTextNode",
              "append", "prepend", "before", "after", "replaceChildren", "replaceWith"}
TEXT_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "aria-description"}


@dataclass
class Tok:
    kind: str  # "str", "tpl", "word", "punct", "num", "regex"
    value: str
    line: int
    parts: list[str] = field(default_factory=list)          # a template's literal parts
    inner: list[list["Tok"]] = field(default_factory=list)  # a template's ${…} expressions


def tokenize(src: str, line: int = 1) -> list[Tok]:
    """Just enough of JavaScript's lexical grammar for this client's code."""
    tokens: list[Tok] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif src.startswith("//", i):
            i = src.find("\n", i) if "\n" in src[i:] else n
        elif src.startswith("/*", i):
            end = src.index("*/", i) + 2
            line += src.count("\n", i, end)
            i = end
        elif c in "\"'":
            j, out = i + 1, []
            while src[j] != c:
                if src[j] == "\\":
                    out.append(src[j:j + 2])
                    j += 2
                else:
                    out.append(src[j])
                    j += 1
            tokens.append(Tok("str", "".join(out), line))
            i = j + 1
        elif c == "`":
            j, parts, inner, buf, start_line = i + 1, [], [], [], line
            while src[j] != "`":
                if src[j] == "\\":
                    buf.append(src[j:j + 2])
                    j += 2
                elif src.startswith("${", j):
                    depth, k = 1, j + 2
                    while depth:  # the expression may hold strings with braces; fine for this client
                        depth += {"{": 1, "}": -1}.get(src[k], 0)
                        k += 1
                    parts.append("".join(buf))
                    buf = []
                    inner.append(tokenize(src[j + 2:k - 1], line))
                    line += src.count("\n", j, k)
                    j = k
                else:
                    line += src[j] == "\n"
                    buf.append(src[j])
                    j += 1
            parts.append("".join(buf))
            tokens.append(Tok("tpl", "", start_line, parts, inner))
            i = j + 1
        elif c == "/" and (not tokens or tokens[-1].kind == "punct" and tokens[-1].value in "(,=:[!&|?{};+-*%<>~^"
                               or tokens[-1].kind == "word" and tokens[-1].value in {"return", "typeof", "case", "of", "in"}):
            j, in_class = i + 1, False
            while in_class or src[j] != "/":
                if src[j] == "\\":
                    j += 1
                elif src[j] == "[":
                    in_class = True
                elif src[j] == "]":
                    in_class = False
                j += 1
            j += 1
            while j < n and src[j].isalpha():
                j += 1
            tokens.append(Tok("regex", src[i:j], line))
            i = j
        elif c.isalpha() or c in "_$":
            j = i
            while j < n and (src[j].isalnum() or src[j] in "_$"):
                j += 1
            tokens.append(Tok("word", src[i:j], line))
            i = j
        elif c.isdigit():
            j = i
            while j < n and (src[j].isalnum() or src[j] in "._"):
                j += 1
            tokens.append(Tok("num", src[i:j], line))
            i = j
        else:
            tokens.append(Tok("punct", c, line))
            i += 1
    return tokens


def close(tokens: list[Tok], i: int) -> int:
    """Index just past the bracket that closes the one at tokens[i]."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].kind == "punct" and tokens[j].value in "([{":
            depth += 1
        elif tokens[j].kind == "punct" and tokens[j].value in ")]}":
            depth -= 1
            if depth == 0:
                return j + 1
    raise AssertionError("unbalanced brackets")


def split_args(tokens: list[Tok], i: int) -> list[list[Tok]]:
    """The arguments of the call whose "(" is tokens[i]."""
    args: list[list[Tok]] = [[]]
    j, end = i + 1, close(tokens, i) - 1
    while j < end:
        tok = tokens[j]
        if tok.kind == "punct" and tok.value in "([{":
            k = close(tokens, j)
            args[-1].extend(tokens[j:k])
            j = k
            continue
        if tok.kind == "punct" and tok.value == ",":
            args.append([])
        else:
            args[-1].append(tok)
        j += 1
    return [a for a in args if a]


def value_at(tokens: list[Tok], i: int) -> list[Tok]:
    """An expression starting at tokens[i], up to the next top-level , ; ) ] or }."""
    out, j = [], i
    while j < len(tokens):
        tok = tokens[j]
        if tok.kind == "punct" and tok.value in ",;)]}":
            break
        if tok.kind == "punct" and tok.value in "([{":
            k = close(tokens, j)
            out.extend(tokens[j:k])
            j = k
            continue
        out.append(tok)
        j += 1
    return out


def bare_words(expression: list[Tok]) -> list[Tok]:
    """Literal strings in an expression that reach the screen as they are: not a
    key given to t(), not an argument of some other call (those calls are checked
    where they are), not inside a function body."""
    if len(expression) == 1 and expression[0].kind == "str":
        return [expression[0]] if LETTER.search(expression[0].value) and not LINK.match(expression[0].value) else []
    found, j = [], 0
    while j < len(expression):
        tok = expression[j]
        nxt = expression[j + 1] if j + 1 < len(expression) else None
        if tok.kind == "word" and nxt is not None and nxt.kind == "punct" and nxt.value == "(":
            j = close(expression, j + 1)  # a call: t("key"), String(x), h(…) (checked on its own)
            continue
        if tok.kind == "punct" and tok.value == "=" and nxt is not None and nxt.value == ">":
            break  # an arrow function: its body is checked where its words land
        if tok.kind == "str" and LETTER.search(tok.value) and not CODE.match(tok.value):
            found.append(tok)
        if tok.kind == "tpl":
            if any(LETTER.search(part) for part in tok.parts) and not CODE.match(tok.parts[0]):
                found.append(tok)
            for inner in tok.inner:
                found.extend(bare_words(inner))
        j += 1
    return found


def sinks(tokens: list[Tok]) -> list[list[Tok]]:
    """Every expression whose value becomes text in the page."""
    out: list[list[Tok]] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        prev = tokens[i - 1] if i else None
        if nxt is None:
            break
        if tok.kind in {"word", "str"} and tok.value in TEXT_PROPERTIES and nxt.value == ":" and nxt.kind == "punct" \
                and prev is not None and prev.kind == "punct" and prev.value in "{,":
            out.append(value_at(tokens, i + 2))
        elif tok.kind == "word" and tok.value in TEXT_ASSIGNMENTS and prev is not None and prev.value == "." \
                and nxt.value == "=" and tokens[i + 2].value != "=":
            out.append(value_at(tokens, i + 2))
        elif tok.kind == "word" and nxt.kind == "punct" and nxt.value == "(":
            if tok.value == "h" and (prev is None or prev.value != "."):
                out.extend(split_args(tokens, i + 1)[2:])  # h(tag, attributes, ...children)
            elif tok.value in TEXT_CALLS:
                out.extend(split_args(tokens, i + 1))
            elif tok.value == "setAttribute":
                args = split_args(tokens, i + 1)
                if len(args) == 2 and args[0][0].kind == "str" and args[0][0].value in TEXT_ATTRIBUTES:
                    out.append(args[1])
        for inner in tok.inner:
            out.extend(sinks(inner))
    return out


def calls_of_t(tokens: list[Tok]) -> list[Tok]:
    """The first argument of every t(…) call, including inside templates."""
    found = []
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else None
        if tok.kind == "word" and tok.value == "t" and i + 1 < len(tokens) and tokens[i + 1].value == "(" \
                and (prev is None or prev.value not in {".", "function"}):
            args = split_args(tokens, i + 1)
            if args:
                found.append(args[0][0])
        for inner in tok.inner:
            found.extend(calls_of_t(inner))
    return found


def all_strings(tokens: list[Tok]) -> list[str]:
    out = []
    for tok in tokens:
        if tok.kind == "str":
            out.append(tok.value)
        for inner in tok.inner:
            out.extend(all_strings(inner))
    return out


@pytest.fixture(scope="module")
def catalogue() -> dict[str, object]:
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parsed() -> dict[Path, list[Tok]]:
    return {path: tokenize(path.read_text(encoding="utf-8")) for path in SOURCES}


def test_the_catalogue_is_plain_words_under_dotted_keys(catalogue: dict[str, object]) -> None:
    assert len(catalogue) > 100
    for key, value in catalogue.items():
        assert KEY.match(key), key
        words = value if isinstance(value, list) else [value]
        assert words and all(isinstance(w, str) and w.strip() for w in words), key
        for word in words:
            assert "<" not in word, f"{key}: the catalogue holds text, never markup"
            assert not re.search(r"\baddicts?\b", word, re.IGNORECASE), f"{key}: person-first words, please"


def test_there_is_one_catalogue(parsed: dict[Path, list[Tok]]) -> None:
    """No view keeps words of its own: nothing extends the catalogue, and no
    script holds an object of "area.key": "words" entries."""
    assert CATALOGUE_FILE.exists()
    for path, tokens in parsed.items():
        words = {tok.value for tok in tokens if tok.kind == "word"}
        assert "extendCatalogue" not in words, f"{path.name} adds to the catalogue in code"
        entries = [a.value for before, a, b in zip(tokens, tokens[1:], tokens[2:])
                   if before.kind == "punct" and before.value in "{," and a.kind == "str" and "." in a.value
                   and KEY.match(a.value) and b.kind == "punct" and b.value == ":"]
        assert entries == [], f"{path.name} keeps catalogue entries in code: {entries[:5]}"


def test_every_key_the_client_asks_for_exists_and_every_key_is_asked_for(
        catalogue: dict[str, object], parsed: dict[Path, list[Tok]]) -> None:
    asked: set[str] = set()
    families: list[re.Pattern[str]] = []
    for path, tokens in parsed.items():
        for first in calls_of_t(tokens):
            if first.kind == "str":
                assert first.value in catalogue, f'{path.name}:{first.line}: t("{first.value}") is not in the catalogue'
                asked.add(first.value)
            elif first.kind == "tpl":
                # A family of keys, t(`area.thing.${kind}`): it must start with a literal area.
                assert "." in first.parts[0] and KEY.match(first.parts[0].rstrip(".")), \
                    f"{path.name}:{first.line}: a key built at run time must start with its area, like `forum.note.${{kind}}`"
                family = re.compile("[A-Za-z0-9_-]+".join(re.escape(part) for part in first.parts) + "$")
                members = [key for key in catalogue if family.match(key)]
                assert members, f"{path.name}:{first.line}: no catalogue key fits {family.pattern}"
                families.append(family)
        # Keys named elsewhere and passed to t() later (nav items, section titles).
        asked.update(s for s in all_strings(tokens) if s in catalogue)
    html = (CLIENT / "index.html").read_text(encoding="utf-8")
    for key in re.findall(r'data-i18n="([^"]+)"', html):
        assert key in catalogue, f"index.html: {key} is not in the catalogue"
        asked.add(key)
    unused = sorted(k for k in catalogue if k not in asked and not any(f.match(k) for f in families))
    assert unused == [], f"catalogue keys nothing uses: {unused}"


def test_no_view_puts_words_on_the_page_without_the_catalogue(parsed: dict[Path, list[Tok]]) -> None:
    problems = []
    for path, tokens in parsed.items():
        for expression in sinks(tokens):
            for tok in bare_words(expression):
                shown = tok.value if tok.kind == "str" else "`" + "${…}".join(tok.parts) + "`"
                problems.append(f"{path.relative_to(CLIENT)}:{tok.line}: {shown!r}")
    assert problems == [], "words shown without t(): " + "; ".join(problems)


def test_the_checks_catch_what_they_are_for() -> None:
    """The scanner itself: words that bypass the catalogue are found, keys are not."""
    bad = tokenize('h("p", { text: "Welcome back" }, "and hello", t("ok.key"));\n'
                   'el.textContent = ready ? t("a.b") : "Loading";\n'
                   'confirm(`Remove ${name}?`);\n'
                   'h("button", { "aria-label": "Close", title: t("x.y") });\n')
    found = sorted(tok.value or tok.parts[0] for expr in sinks(bad) for tok in bare_words(expr))
    assert found == ["Close", "Loading", "Remove ", "Welcome back", "and hello"]
    good = tokenize('h("p", { class: "muted", text: t("a.b", { n: 2 }) }, h("span", { text: "×" }), `${count}`);\n'
                    'el.textContent = t(`forum.note.${kind}`);\napi("/api/v1/rooms", { method: "POST" });\n')
    assert [tok for expr in sinks(good) for tok in bare_words(expr)] == []
    assert [tok.value or tok.parts for tok in calls_of_t(good)] == ["a.b", ["forum.note.", ""]]
