"""Members' search text is parsed by us, and the engine only ever sees quoted terms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.actions.search import SearchSyntax, fts5_match, parse_query, segments, websearch_text
from server.errors import HearthError, InvalidField


def test_words_phrases_and_exclusions() -> None:
    query = parse_query('craving "one day" -relapse')
    assert query.include == [["craving"], ["one", "day"]]
    assert query.exclude == [["relapse"]]
    assert query.whole_phrase == ["craving", "one", "day"]
    assert fts5_match(query) == '("craving" AND "one day") NOT "relapse"'
    assert websearch_text(query) == 'craving "one day" -relapse'


def test_engine_operators_typed_by_members_are_just_words() -> None:
    query = parse_query("NEAR(a b) OR c* AND ^d: e")
    assert fts5_match(query) == '"NEAR(a" AND "b)" AND "OR" AND "c*" AND "AND" AND "^d:" AND "e"'


def test_quotes_inside_terms_are_escaped() -> None:
    assert fts5_match(parse_query('it"s" "x y"')) == '"its" AND "x y"'


@pytest.mark.parametrize("raw, code", [
    ("", "search_empty"),
    ("   ", "search_empty"),
    (None, "search_empty"),
    ("---", "search_empty"),
    ('"unfinished phrase', "search_syntax"),
    ("-only -exclusions", "search_syntax"),
    ("x" * 201, "invalid"),
    (" ".join(["w"] * 13), "invalid"),
])
def test_queries_we_cannot_read_say_what_to_change(raw: object, code: str) -> None:
    with pytest.raises((InvalidField, SearchSyntax)) as refused:
        parse_query(raw)
    assert refused.value.code == code and refused.value.status == 400
    assert refused.value.detail


@given(st.text(max_size=80))
def test_any_text_parses_or_gets_a_clear_400(raw: str) -> None:
    try:
        query = parse_query(raw)
    except HearthError as error:
        assert error.status == 400
        return
    match = fts5_match(query)
    # Every term is a quoted FTS5 string: an even number of quote characters overall.
    assert match.count('"') % 2 == 0


def test_snippets_become_text_segments() -> None:
    assert segments("before \x02hit\x03 after \x02two\x03") == [
        {"text": "before ", "highlight": False}, {"text": "hit", "highlight": True},
        {"text": " after ", "highlight": False}, {"text": "two", "highlight": True},
    ]
    assert segments("<b>not html</b>") == [{"text": "<b>not html</b>", "highlight": False}]
    assert segments(None) == []
