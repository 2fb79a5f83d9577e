"""Live forum: new replies reach a thread's readers and followers get a
notification, over the existing WebSocket, within one process and across two."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.e2e.forum_support import NO_LIMITS, block, reply_to, start_thread
from tests.e2e.moderation_support import acted, case_for
from tests.support import Database, Member, ServerProcess, configured_redis_url, create_staff, http, sign_up


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two processes on one database (with Redis between them when configured)."""
    database = Database.fresh()
    first = ServerProcess(database, extra_env=dict(NO_LIMITS)).start()
    second = ServerProcess(database, extra_env=dict(NO_LIMITS)).start() if configured_redis_url() else None
    yield first, second or first
    first.stop()
    if second:
        second.stop()


@pytest.fixture(scope="module")
def server(pair: tuple[ServerProcess, ServerProcess]) -> ServerProcess:
    return pair[0]


async def _subscribe(member: Member, thread_id: int, on: ServerProcess | None = None):  # type: ignore[no-untyped-def]
    sock = await member.socket(on)
    reply = await sock.request({"type": "subscribe_thread", "thread_id": thread_id})
    assert reply == {"type": "thread_subscribed", "thread_id": thread_id, "ref": reply["ref"]}
    return sock


async def test_readers_get_new_replies_and_followers_get_a_notification(server: ServerProcess) -> None:
    author, reader, follower, replier = (sign_up(server) for _ in range(4))
    thread = start_thread(author, title="Live thread")["thread"]
    assert http.put(server.base + f"/api/v1/forum/threads/{thread['id']}/follow", headers=follower.headers).json() == {"following": True}

    watching = await _subscribe(reader, thread["id"])
    author_sock, follower_sock = await author.socket(), await follower.socket()
    post = reply_to(replier, thread["id"], "You are not alone in this.")

    live = await watching.wait_for(lambda f: f["type"] == "forum_post")
    assert live["thread_id"] == thread["id"] and live["post"]["id"] == post["id"]
    assert live["post"]["body_html"] == "<p>You are not alone in this.</p>\n" and "author_id" not in live

    for sock in (author_sock, follower_sock):  # the author follows their own thread
        note = await sock.wait_for(lambda f: f["type"] == "forum_notification")
        assert note == {"type": "forum_notification", "kind": "reply", "thread_id": thread["id"], "board_id": 1,
                        "thread_title": "Live thread", "post_id": post["id"]}  # ids and title only, never the words
    replier_sock = await replier.socket()
    reply_to(author, thread["id"], "Thank you.")
    await follower_sock.wait_for(lambda f: f["type"] == "forum_notification" and f["post_id"] != post["id"])
    await replier_sock.quiet()
    assert replier_sock.events("forum_notification") == []  # not following: nothing

    # Edits and deletes reach readers too.
    own = reply_to(reader, thread["id"], "typo hre")
    await watching.wait_for(lambda f: f["type"] == "forum_post" and f["post"]["id"] == own["id"])
    reader.patch(f"/api/v1/forum/posts/{own['id']}", {"body": "typo here"})
    edited = await watching.wait_for(lambda f: f["type"] == "forum_post_edited")
    assert edited["post"]["body_html"] == "<p>typo here</p>\n" and edited["post"]["edited_at"]
    http.delete(server.base + f"/api/v1/forum/posts/{own['id']}", headers=reader.headers)
    removed = await watching.wait_for(lambda f: f["type"] == "forum_post_removed")
    assert removed == {"type": "forum_post_removed", "thread_id": thread["id"], "post_id": own["id"], "reason": "deleted"}

    left = await watching.request({"type": "unsubscribe_thread", "thread_id": thread["id"]})
    assert left["type"] == "thread_unsubscribed"
    start = len(watching.frames)
    later = reply_to(replier, thread["id"], "after leaving")
    await follower_sock.wait_for(lambda f: f["type"] == "forum_notification" and f["post_id"] == later["id"])
    await watching.quiet()
    assert [f for f in watching.frames[start:] if f["type"].startswith("forum_")] == []
    for sock in (watching, author_sock, follower_sock, replier_sock):
        await sock.close()


async def test_live_events_respect_blocks_notes_and_hiding(server: ServerProcess) -> None:
    author, blocker, blocked, muter = (sign_up(server) for _ in range(4))
    moderator = create_staff(server, "moderator")
    thread = start_thread(author, title="Shaped per reader")["thread"]
    block(blocker, blocked)
    http.put(server.base + "/api/v1/forum/preferences", headers=muter.headers, json={"hidden_note_kinds": ["trauma"]})
    http.put(server.base + f"/api/v1/forum/threads/{thread['id']}/follow", headers=blocker.headers)

    socks = {name: await _subscribe(m, thread["id"]) for name, m in
             (("blocker", blocker), ("muter", muter), ("moderator", moderator), ("author", author))}
    from_blocked = reply_to(blocked, thread["id"], "from the blocked member")
    noted = reply_to(author, thread["id"], "a hard memory", content_notes=["trauma"])
    for name in ("muter", "moderator", "author"):
        await socks[name].wait_for(lambda f: f["type"] == "forum_post" and f["post"]["id"] == noted["id"])
    await socks["blocker"].wait_for(lambda f: f["type"] == "forum_post" and f["post"]["id"] == noted["id"])
    assert [f["post"]["id"] for f in socks["blocker"].events("forum_post")] == [noted["id"]]
    # Notifications travel on the reader's own channel (no order against thread events): wait for
    # this one; the blocked member's earlier reply, published first on that channel, sent none.
    await socks["blocker"].wait_for(lambda f: f["type"] == "forum_notification" and f["post_id"] == noted["id"])
    assert [f["post_id"] for f in socks["blocker"].events("forum_notification")] == [noted["id"]]
    muted = [f for f in socks["muter"].events("forum_post") if f["post"]["id"] == noted["id"]][0]["post"]
    assert muted["muted_by_note"] is True and muted["body_html"] is None
    shown = [f for f in socks["author"].events("forum_post") if f["post"]["id"] == noted["id"]][0]["post"]
    assert shown["body_html"] == "<p>a hard memory</p>\n"

    moderator.post(f"/api/v1/forum/posts/{from_blocked['id']}/hide", {"hidden": True})
    gone = await socks["author"].wait_for(lambda f: f["type"] == "forum_post_removed")
    assert gone == {"type": "forum_post_removed", "thread_id": thread["id"], "post_id": from_blocked["id"], "reason": "hidden"}
    marked = await socks["moderator"].wait_for(lambda f: f["type"] == "forum_post_hidden")
    assert marked["post_id"] == from_blocked["id"] and marked["hidden"] is True

    moderator.post(f"/api/v1/forum/threads/{thread['id']}/lock", {"locked": True})
    updated = await socks["author"].wait_for(lambda f: f["type"] == "forum_thread_updated")
    assert updated["thread"]["locked"] is True and "hidden" not in updated["thread"]
    for sock in socks.values():
        await sock.close()


async def test_a_held_reply_let_through_is_the_threads_latest_activity_and_followers_hear_of_it(server: ServerProcess) -> None:
    author, follower, replier = (sign_up(server) for _ in range(3))
    moderator = create_staff(server, "moderator")
    board = moderator.post("/api/v1/forum/boards", {"slug": f"held-{follower.user['id']}", "name": "Held replies"}).json()["board"]
    thread = start_thread(author, board["id"], title="Waiting for a look")["thread"]
    http.put(server.base + f"/api/v1/forum/threads/{thread['id']}/follow", headers=follower.headers)
    reading = await _subscribe(follower, thread["id"])
    follower_read = follower.post(f"/api/v1/forum/threads/{thread['id']}/read", {"post_id": thread["last_post_id"]})
    assert follower_read.status_code == 200

    held = replier.post(f"/api/v1/forum/threads/{thread['id']}/replies", {"body": "Text me any time: 555-0142"}).json()["post"]
    assert held["held"] is True
    await reading.quiet()
    assert reading.events("forum_post") == [] and reading.events("forum_notification") == []
    listed = follower.get(f"/api/v1/forum/boards/{board['id']}/threads").json()["threads"][0]
    assert listed["unread"] is False and listed["reply_count"] == 0

    found = acted(moderator, case_for(moderator, "post", held["id"])["id"], "dismiss", "A local support line, fine to share.")
    assert found["action"]["kind"] == "dismiss"
    shown = await reading.wait_for(lambda f: f["type"] == "forum_post" and f["post"]["id"] == held["id"])
    assert shown["post"]["body_html"] == "<p>Text me any time: 555-0142</p>\n"
    note = await reading.wait_for(lambda f: f["type"] == "forum_notification")
    assert note["post_id"] == held["id"] and note["thread_id"] == thread["id"]
    listed = follower.get(f"/api/v1/forum/boards/{board['id']}/threads").json()["threads"][0]
    assert listed["last_post_id"] == held["id"] and listed["reply_count"] == 1 and listed["unread"] is True
    await reading.close()


async def test_subscribe_errors(server: ServerProcess) -> None:
    member = sign_up(server)
    sock = await member.socket()
    for frame, code in (({"type": "subscribe_thread", "thread_id": 999999}, "not_found"),
                        ({"type": "subscribe_thread", "thread_id": "one"}, "not_found"),
                        ({"type": "unsubscribe_thread", "thread_id": 1}, "not_found")):
        reply = await sock.request(frame)
        assert reply["type"] == "error" and reply["code"] == code
    assert (await sock.request({"type": "ping"}))["type"] == "pong"
    await sock.close()


@pytest.mark.skipif(not configured_redis_url(),
                    reason="two processes on SQLite share events only through Redis (set HEARTH_TEST_REDIS_URL)")
async def test_replies_and_notifications_cross_processes(pair: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = pair
    assert first is not second, "needs HEARTH_TEST_REDIS_URL: two processes"
    author, reader, replier = sign_up(first), sign_up(first), sign_up(first)
    thread = start_thread(author, title="Across processes")["thread"]
    watching = await _subscribe(reader, thread["id"], on=first)
    author_sock = await author.socket(first)
    # The reply is written through the other process.
    via_second = Member(second, replier.pseudonym, replier.token, replier.user)
    post = reply_to(via_second, thread["id"], "written on the second process")
    live = await watching.wait_for(lambda f: f["type"] == "forum_post")
    assert live["post"]["id"] == post["id"]
    note = await author_sock.wait_for(lambda f: f["type"] == "forum_notification")
    assert note["post_id"] == post["id"] and "body" not in str(note)

    # And the other way round: a reader on the second process, a reply on the first.
    reader_two = await _subscribe(reader, thread["id"], on=second)
    back = reply_to(author, thread["id"], "written on the first process")
    got = await reader_two.wait_for(lambda f: f["type"] == "forum_post" and f["post"]["id"] == back["id"])
    assert got["post"]["body_html"] == "<p>written on the first process</p>\n"
    for sock in (watching, author_sock, reader_two):
        await sock.close()
