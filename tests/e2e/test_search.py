"""Search over forum posts and topic-room messages, on the database's own engine."""

from __future__ import annotations

from typing import Any, Iterator

import httpx
import pytest

from tests.e2e.dm_support import OPEN_DMS, pair
from tests.e2e.forum_support import block, forum_server, reply_to, start_thread, word
from tests.support import SHARED_DATA, Member, ServerProcess, create_staff, http, sign_up

ROOM = 2  # a topic room seeded by the first migration


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    yield from forum_server(**OPEN_DMS)


def search(member: Member, q: str, **params: Any) -> dict[str, Any]:
    response = member.get("/api/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def hits(member: Member, q: str, **params: Any) -> list[tuple[str, int]]:
    return [(r["kind"], r["post_id"] if r["kind"] == "post" else r["message_id"]) for r in search(member, q, **params)["results"]]


async def said(member: Member, body: str, room: int = ROOM) -> dict[str, Any]:
    sock = await member.socket()
    await sock.join(room)
    ack = await sock.say(room, body)
    await sock.close()
    return ack["message"]  # type: ignore[no-any-return]


async def say(member: Member, body: str, room: int = ROOM) -> int:
    return int((await said(member, body, room))["id"])


def test_finds_posts_by_body_and_title_with_highlighted_text_snippets(server: ServerProcess) -> None:
    author, reader = sign_up(server), sign_up(server)
    key = word("kettle")
    created = start_thread(author, title=f"About the {key} evenings", body="Nothing in the body matches.")
    answer = reply_to(author, created["thread"]["id"], f"Every evening I put the {key} on and call my sponsor <b>first</b>.")
    found = search(reader, key)["results"]
    assert {(r["kind"], r["post_id"]) for r in found} == {("post", created["post"]["id"]), ("post", answer["id"])}
    by_id = {r["post_id"]: r for r in found}
    snippet = by_id[answer["id"]]["snippet"]
    assert [s["text"] for s in snippet if s["highlight"]] == [key]
    # Segments of plain text for the client to show as text (PostgreSQL's headline drops tag-like runs).
    assert all(set(s) == {"text", "highlight"} and isinstance(s["text"], str) for s in snippet)
    assert "call my sponsor" in "".join(s["text"] for s in snippet)
    assert by_id[answer["id"]]["thread_title"] == f"About the {key} evenings"
    assert by_id[answer["id"]]["author"]["pseudonym"] == author.pseudonym
    # Stemming: another form of the word finds it.
    stem = word("walk")
    reply_to(author, created["thread"]["id"], f"{stem} relapsed yesterday")
    assert len(search(reader, f"{stem} relapse")["results"]) == 1


def test_exact_phrase_ranks_first(server: ServerProcess) -> None:
    member = sign_up(server)
    a, b, c = word("gentle"), word("morning"), word("routine")
    thread_id = start_thread(member, title="Routines that help")["thread"]["id"]
    # Every word three times, close together but never in the phrase's order: the engine alone
    # ranks this one higher (bm25 for its term counts, ts_rank_cd for its three short covers).
    scattered = reply_to(member, thread_id, f"{c} {b} {a} " * 3)
    exact = reply_to(member, thread_id, f"What kept me going through the first winter was a {a} {b} {c} with tea, "
                                        "a walk around the block and a call to my sponsor before work.")
    # One word has no phrase: the engine's rank alone decides, and puts the repeated one first.
    assert hits(member, a) == [("post", scattered["id"]), ("post", exact["id"])]
    assert hits(member, f"{a} {b} {c}") == [("post", exact["id"]), ("post", scattered["id"])]
    assert hits(member, f'"{a} {b} {c}"') == [("post", exact["id"])]
    assert hits(member, f"{a} {b} -{c}") == []
    assert hits(member, f"{a} -{c}") == []


def test_room_history_is_searched_too_but_never_private_conversations(server: ServerProcess) -> None:
    member, other = sign_up(server), sign_up(server)
    admin = create_staff(server, "admin")
    key = word("harbor")
    public = asyncio_run(say(other, f"Meeting at the {key} tonight, all welcome"))
    conversation = pair(other, member)  # a real private conversation between the two
    private = asyncio_run(say(other, f"my private {key} worries", room=conversation))
    assert private != public
    expected = [("message", public)]
    # Neither of the two people in it, nor an admin, finds the private words.
    for searcher in (member, other, admin):
        found = search(searcher, key)["results"]
        assert [(r["kind"], r["message_id"]) for r in found] == expected
    assert found[0]["room_id"] == ROOM and found[0]["room_name"]
    assert [s["text"] for s in found[0]["snippet"] if s["highlight"]] == [key]
    assert hits(member, "private worries") == []
    assert hits(member, key, scope="forum") == []
    assert hits(member, key, scope="rooms") == expected


def test_deleted_hidden_and_blocked_words_are_never_found(server: ServerProcess) -> None:
    reader, author, blocked = sign_up(server), sign_up(server), sign_up(server)
    moderator = create_staff(server, "moderator")
    key = word("lantern")
    thread = start_thread(author, title="Lanterns", body=f"first {key}")
    hidden = reply_to(author, thread["thread"]["id"], f"hidden {key}")
    deleted = reply_to(author, thread["thread"]["id"], f"deleted {key}")
    kept = reply_to(author, thread["thread"]["id"], f"kept {key}")
    by_blocked = reply_to(blocked, thread["thread"]["id"], f"blocked member's {key}")
    blocked_thread = start_thread(blocked, title=f"blocked thread {key}", body="words")
    message_deleted = asyncio_run(say(author, f"chat {key} then regret"))
    message_blocked = asyncio_run(say(blocked, f"chat {key} from the blocked member"))
    message_hidden = asyncio_run(say(author, f"chat {key} that staff hid"))
    assert moderator.post(f"/api/v1/messages/{message_hidden}/hide", {"hidden": True}).status_code == 200
    held = asyncio_run(said(author, f"selling oxy, dm me {key}"))
    assert held["held"] is True  # waiting for a moderator: only its author and staff see it in the room
    hidden_thread = start_thread(author, title="Hidden by a moderator", body=f"opening {key}")
    reply_to(author, hidden_thread["thread"]["id"], f"a reply in a hidden thread {key}")
    moderator.post(f"/api/v1/forum/posts/{hidden_thread['post']['id']}/hide", {"hidden": True})

    moderator.post(f"/api/v1/forum/posts/{hidden['id']}/hide", {"hidden": True})
    assert http.delete(server.base + f"/api/v1/forum/posts/{deleted['id']}", headers=author.headers).status_code == 200

    async def delete_message() -> None:
        sock = await author.socket()
        assert (await sock.request({"type": "delete", "message_id": message_deleted}))["type"] == "deleted"
        await sock.close()

    asyncio_run(delete_message())
    block(reader, blocked)

    expected_for_reader = {("post", thread["post"]["id"]), ("post", kept["id"])}
    assert set(hits(reader, key)) == expected_for_reader
    # Others still find the blocked member's words; nobody finds hidden, held or deleted ones (nor a
    # hidden thread's replies), moderators included.
    assert set(hits(author, key)) == expected_for_reader | {
        ("post", by_blocked["id"]), ("post", blocked_thread["post"]["id"]), ("message", message_blocked)}
    assert set(hits(moderator, key)) == set(hits(author, key))
    # A withdrawn thread takes its replies out of search.
    assert http.delete(server.base + f"/api/v1/forum/posts/{thread['post']['id']}", headers=author.headers).status_code == 200
    assert set(hits(author, key)) == {("post", blocked_thread["post"]["id"]), ("message", message_blocked)}


def test_muted_note_kinds_show_no_snippet(server: ServerProcess) -> None:
    author, reader = sign_up(server), sign_up(server)
    key = word("storm")
    start_thread(author, title="Noted", body=f"{key} details", content_notes=["self-harm"])
    http.put(server.base + "/api/v1/forum/preferences", headers=reader.headers, json={"hidden_note_kinds": ["self-harm"]})
    result = search(reader, key)["results"][0]
    assert result["content_notes"] == ["self-harm"] and result["muted_by_note"] is True and result["snippet"] is None
    assert search(author, key)["results"][0]["snippet"]


@pytest.mark.parametrize("q, code", [
    ('"unclosed phrase', "search_syntax"),
    ("-only -exclusions", "search_syntax"),
    ("", "search_empty"),
    ("!!! ???", "search_empty"),
    ("x" * 201, "invalid"),
])
def test_query_errors_get_a_clear_400(server: ServerProcess, q: str, code: str) -> None:
    member = sign_up(server)
    response = member.get("/api/v1/search", params={"q": q})
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert response.json()["error"]["detail"]
    for bad in ({"scope": "dms"}, {"limit": "0"}, {"limit": "x"}):
        assert member.get("/api/v1/search", params={"q": "hello", **bad}).status_code == 400


def test_engine_syntax_and_naughty_strings_never_cause_a_500(server: ServerProcess) -> None:
    member = sign_up(server)
    typed = ['NEAR(a b)', 'a OR', 'AND', 'NOT x', '*', 'a*', '^start', 'col:word', '(a', 'a)', "'", '\\', '""', '"a" "b"',
             "a & b | !c", "a <-> b", "a:*", "-", "--x", "one\u0000two", "𝓤𝓷𝓲𝓬𝓸𝓭𝓮", "ｆｕｌｌ"]
    naughty = [line for line in (SHARED_DATA / "naughty-strings.txt").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")][:250]
    statuses = {}
    with httpx.Client(base_url=server.base, headers=member.headers) as client:
        for q in typed + naughty:
            response = client.get("/api/v1/search", params={"q": q})
            statuses[q] = response.status_code
            assert response.status_code in (200, 400), (q, response.text)
            if response.status_code == 400:
                assert response.json()["error"]["code"] in ("search_syntax", "search_empty", "invalid")
    assert list(statuses.values()).count(200) > 100


def asyncio_run(coro: Any) -> Any:
    import asyncio

    return asyncio.run(coro)
