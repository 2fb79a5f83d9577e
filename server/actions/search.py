"""Search over forum posts and topic-room messages, with the database's own
full-text engine: SQLite FTS5 (bm25, snippet) or PostgreSQL tsvector
(ts_rank_cd, ts_headline). See the forum migration for the indexes, and
server/search_index.py for how SQLite's takes new messages in batches.

What a searcher never gets: private conversations (only rooms of kind
'topic' are indexed or queried), hidden or deleted posts, withdrawn or hidden
threads, deleted messages (their words leave the index when they are deleted),
messages staff hid or are holding for review, and anything written by a member
they blocked.

Members type plain words, "exact phrases" and -exclusions. We parse that
ourselves and build the engine's query from the parts, every term quoted, so
no input can reach the engine as syntax; a query we cannot read gets a 400
that says what to change. Results whose words appear as the exact phrase come
first, then the rest, each group by the engine's rank.

Snippets come back as segments `[{"text", "highlight"}]`, never HTML: the
engine marks matches with control characters that members' text can never
contain (`server.text` strips them), and we split on those."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from server import search_index
from server.actions.accounts import Auth
from server.actions.forum import Viewer, load_viewer, split_notes
from server.errors import BadRequest, InvalidField
from server.services import Hearth
from server.text import clean_text

MAX_QUERY = 200
MAX_TERMS = 12
LIMIT_DEFAULT = 20
LIMIT_MAX = 50
SCOPES = ("all", "forum", "rooms")
START, STOP = "\x02", "\x03"  # highlight marks: control characters members' text never holds
_WORDISH = re.compile(r"\w", re.UNICODE)


class SearchSyntax(BadRequest):
    code = "search_syntax"


@dataclass(frozen=True)
class Query:
    include: list[list[str]]  # each entry a phrase of one or more words, all required
    exclude: list[list[str]]

    @property
    def whole_phrase(self) -> list[str] | None:
        """The words in order, for "exact phrase first" (only when there is more than one)."""
        words = [w for phrase in self.include for w in phrase]
        return words if len(words) > 1 else None


def _words(chunk: str) -> list[str]:
    # Punctuation inside a term is kept for the engine's tokenizer; a term with no
    # letter or digit at all ("---") can match nothing and is dropped.
    return [w for w in chunk.split() if _WORDISH.search(w)]


def parse_query(raw: object) -> Query:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidField("Type a word or two to search for.", code="search_empty")
    raw = clean_text(raw)  # no control characters (nor our highlight marks) reach the engine
    if len(raw) > MAX_QUERY:
        raise InvalidField(f"A search can be at most {MAX_QUERY} characters.")
    if raw.count('"') % 2:
        raise SearchSyntax('Your search has an opening quote (") without a closing one. '
                           "Add the closing quote, or remove it to search for the words on their own.")
    include: list[list[str]] = []
    exclude: list[list[str]] = []
    for match in re.finditer(r'(-?)"([^"]*)"|(\S+)', raw):
        negative, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            negative, body = ("-", bare[1:]) if bare.startswith("-") and len(bare) > 1 else ("", bare)
            words = _words(body.replace('"', ""))
        else:
            words = _words(phrase)
        if words:
            (exclude if negative else include).append(words)
    if not include:
        if exclude:
            raise SearchSyntax("Add at least one word to look for, not only words to leave out (-word).")
        raise InvalidField("Type a word or two to search for (letters or numbers).", code="search_empty")
    if sum(len(p) for p in include + exclude) > MAX_TERMS:
        raise InvalidField(f"A search can have at most {MAX_TERMS} words. Try the most telling ones.")
    return Query(include, exclude)


# ---- query text for each engine -------------------------------------------------------

def _fts5_phrase(words: list[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def fts5_match(query: Query, *, phrase: list[str] | None = None) -> str:
    positive = _fts5_phrase(phrase) if phrase else " AND ".join(_fts5_phrase(p) for p in query.include)
    for words in query.exclude:
        positive = f"({positive}) NOT {_fts5_phrase(words)}"
    return positive


def websearch_text(query: Query) -> str:
    """Rebuilt from the parsed parts, for websearch_to_tsquery (which never raises)."""
    parts = [" ".join(p) if len(p) == 1 else f'"{" ".join(p)}"' for p in query.include]
    parts += ["-" + (p[0] if len(p) == 1 else f'"{" ".join(p)}"') for p in query.exclude]
    return " ".join(parts)


# ---- SQL -------------------------------------------------------------------------------

_BLOCKED = "(SELECT blocked_id FROM blocks WHERE blocker_id = :me)"

_POST_FILTER = f"""
    p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.deleted_at IS NULL AND t.hidden_at IS NULL
    AND (p.author_id IS NULL OR p.author_id NOT IN {_BLOCKED})
    AND (t.author_id IS NULL OR t.author_id NOT IN {_BLOCKED})"""
_MESSAGE_FILTER = f"""
    r.kind = 'topic' AND m.deleted_at IS NULL AND m.hidden_at IS NULL AND m.held_at IS NULL
    AND (m.author_id IS NULL OR m.author_id NOT IN {_BLOCKED})"""

_SQLITE_POSTS = f"""
SELECT p.id, p.thread_id, t.title, t.board_id, p.is_opening, u.id, u.pseudonym, p.created_at, p.content_notes,
       snippet(forum_post_fts, 1, char(2), char(3), '…', 16), bm25(forum_post_fts, 4.0, 1.0) AS score
FROM forum_post_fts
JOIN forum_posts p ON p.id = forum_post_fts.rowid
JOIN forum_threads t ON t.id = p.thread_id
LEFT JOIN users u ON u.id = p.author_id
WHERE forum_post_fts MATCH :q AND {_POST_FILTER}
ORDER BY score LIMIT :n"""

_SQLITE_MESSAGES = f"""
SELECT m.id, m.room_id, r.name, u.id, u.pseudonym, m.created_at,
       snippet(message_fts, 0, char(2), char(3), '…', 16), bm25(message_fts) AS score
FROM message_fts
JOIN messages m ON m.id = message_fts.rowid
JOIN rooms r ON r.id = m.room_id
LEFT JOIN users u ON u.id = m.author_id
WHERE message_fts MATCH :q AND {_MESSAGE_FILTER}
ORDER BY score LIMIT :n"""

# The headline is computed only for the rows that made the page (the inner query limits first).
_HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \""

_PG_POSTS = f"""
SELECT hit.id, hit.thread_id, hit.title, hit.board_id, hit.is_opening, u.id, u.pseudonym, hit.created_at, hit.content_notes,
       ts_headline('english', hit.body_text, hit.query, :options), hit.score
FROM (
    SELECT p.id, p.thread_id, t.title, t.board_id, p.is_opening, p.author_id, p.created_at, p.content_notes, p.body_text,
           q.query, ts_rank_cd(p.search_vector, q.query) AS score
    FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id, (SELECT {{tsquery}} AS query) q
    WHERE p.search_vector @@ q.query AND {_POST_FILTER}
    ORDER BY score DESC, p.id DESC LIMIT :n
) hit LEFT JOIN users u ON u.id = hit.author_id
ORDER BY hit.score DESC, hit.id DESC"""

_PG_MESSAGES = f"""
SELECT hit.id, hit.room_id, hit.name, u.id, u.pseudonym, hit.created_at,
       ts_headline('english', hit.body, hit.query, :options), hit.score
FROM (
    SELECT m.id, m.room_id, r.name, m.author_id, m.created_at, m.body, q.query,
           ts_rank_cd(to_tsvector('english', m.body), q.query) AS score
    FROM messages m JOIN rooms r ON r.id = m.room_id, (SELECT {{tsquery}} AS query) q
    WHERE to_tsvector('english', m.body) @@ q.query AND {_MESSAGE_FILTER}
    ORDER BY score DESC, m.id DESC LIMIT :n
) hit LEFT JOIN users u ON u.id = hit.author_id
ORDER BY hit.score DESC, hit.id DESC"""


def segments(snippet: str | None) -> list[dict[str, Any]]:
    """Split an engine snippet on the highlight marks into plain-text segments."""
    out: list[dict[str, Any]] = []
    for piece in re.split(f"({START}[^{STOP}]*{STOP})", snippet or ""):
        if not piece:
            continue
        highlighted = piece.startswith(START)
        piece = piece.strip(START + STOP)
        if piece:
            out.append({"text": piece, "highlight": highlighted})
    return out


def _iso(value: Any) -> str:
    """Raw SQL skips the UTCDateTime type: SQLite hands back its stored text."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat()


def _post_hit(row: Any, viewer: Viewer) -> dict[str, Any]:
    notes = split_notes(row[8] or "")
    muted = bool(viewer.muted_notes.intersection(notes))
    return {
        "kind": "post", "post_id": row[0], "thread_id": row[1], "thread_title": row[2], "board_id": row[3],
        "is_opening": bool(row[4]), "author": {"id": row[5], "pseudonym": row[6]} if row[5] is not None else None,
        "created_at": _iso(row[7]), "content_notes": notes, "muted_by_note": muted,
        "snippet": None if muted else segments(row[9]),
    }


def _message_hit(row: Any) -> dict[str, Any]:
    return {
        "kind": "message", "message_id": row[0], "room_id": row[1], "room_name": row[2],
        "author": {"id": row[3], "pseudonym": row[4]} if row[3] is not None else None,
        "created_at": _iso(row[5]), "snippet": segments(row[6]),
    }


async def _run(session: AsyncSession, sqlite: bool, kind: str, query: Query, phrase: list[str] | None,
               me: int, n: int) -> list[tuple[float, Any]]:
    """Rows with a score where higher is better."""
    if sqlite:
        sql = _SQLITE_POSTS if kind == "post" else _SQLITE_MESSAGES
        rows = await session.execute(text(sql), {"q": fts5_match(query, phrase=phrase), "me": me, "n": n})
        return [(-float(row[-1]), row) for row in rows]  # bm25: lower is better
    # The phrase tier must match the whole query too (its exclusions included).
    tsquery = "websearch_to_tsquery('english', :q)"
    if phrase:
        tsquery = f"(phraseto_tsquery('english', :phrase) && {tsquery})"
    sql = (_PG_POSTS if kind == "post" else _PG_MESSAGES).replace("{tsquery}", tsquery)
    params = {"q": websearch_text(query), "me": me, "n": n, "options": _HEADLINE_OPTIONS}
    if phrase:
        params["phrase"] = " ".join(phrase)
    rows = await session.execute(text(sql), params)
    return [(float(row[-1]), row) for row in rows]


async def search(h: Hearth, auth: Auth, raw: object, *, scope: object = None, limit: object = None) -> dict[str, Any]:
    query = parse_query(raw)
    where = scope or "all"
    if where not in SCOPES:
        raise InvalidField(f"scope must be one of {', '.join(SCOPES)}.")
    try:
        n = LIMIT_DEFAULT if limit in (None, "") else int(str(limit))
    except ValueError:
        raise InvalidField(f"limit must be a whole number between 1 and {LIMIT_MAX}.") from None
    if not 1 <= n <= LIMIT_MAX:
        raise InvalidField(f"limit must be between 1 and {LIMIT_MAX}.")
    await h.limits.check("search", h.settings.search_rate, auth.user.id,
                         detail="That's a lot of searches at once. Please wait a moment and try again.")
    kinds = {"all": ("post", "message"), "forum": ("post",), "rooms": ("message",)}[str(where)]
    sqlite = h.settings.is_sqlite
    if "message" in kinds:
        await search_index.catch_up(h)  # SQLite indexes messages in batches: none may be missed
    ranked: list[tuple[int, float, str, Any]] = []
    seen: set[tuple[str, int]] = set()
    try:
        async with h.db.read() as session:
            viewer = await load_viewer(session, auth)
            tiers = [(0, query.whole_phrase), (1, None)] if query.whole_phrase else [(1, None)]
            for tier, phrase in tiers:
                for kind in kinds:
                    for score, row in await _run(session, sqlite, kind, query, phrase, auth.user.id, n):
                        if (kind, row[0]) not in seen:
                            seen.add((kind, row[0]))
                            ranked.append((tier, -score, kind, row))
    except OperationalError as error:
        # Every term is quoted, so this should not happen; if the engine still
        # refuses the query, say so plainly instead of failing with a 500.
        if "fts5" not in str(error.orig).lower():
            raise
        raise SearchSyntax("Hearth couldn't read that search. Try plain words, or put a phrase in quotes.") from None
    ranked.sort(key=lambda item: (item[0], item[1]))
    results = [_post_hit(row, viewer) if kind == "post" else _message_hit(row) for _, _, kind, row in ranked[:n]]
    return {"query": raw, "results": results}
