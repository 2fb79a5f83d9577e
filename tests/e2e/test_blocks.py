"""Blocking: the blocked member can no longer reach the blocker, their room
posts are hidden from the blocker only (live, in history and on resume), and
they are never told."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.e2e.dm_support import OPEN_DMS, delete, open_dm, pair, set_policy
from tests.support import Database, ServerProcess, create_staff, http, sign_up

ROOM = 2


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env=OPEN_DMS).start()
    yield proc
    proc.stop()


async def test_blocked_members_room_posts_are_hidden_from_the_blocker_only(server: ServerProcess) -> None:
    blocker, blocked, bystander = sign_up(server), sign_up(server), sign_up(server)
    s_blocker, s_blocked, s_bystander = await blocker.socket(), await blocked.socket(), await bystander.socket()
    for sock in (s_blocker, s_blocked, s_bystander):
        await sock.join(ROOM)
    before = (await s_blocked.say(ROOM, "before the block"))["message"]
    await s_blocker.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == before["id"])

    response = blocker.post("/api/v1/blocks", {"pseudonym": blocked.pseudonym})
    assert response.status_code == 201, response.text
    changed = await s_blocker.wait_for(lambda f: f["type"] == "blocks_changed")
    assert changed["blocked_ids"] == [blocked.user["id"]]

    hidden = (await s_blocked.say(ROOM, "after the block"))["message"]  # acknowledged as usual: nothing tells them
    visible = (await s_bystander.say(ROOM, "a bystander speaks"))["message"]
    # The blocker's cursor moved past the hidden event: the next message arrives, live and not as a replay.
    got = await s_blocker.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == visible["id"])
    assert not got.get("replay")
    assert hidden["id"] not in [f["message"]["id"] for f in s_blocker.events("message", ROOM)]
    await s_bystander.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == hidden["id"])
    assert not s_blocked.events("blocks_changed")

    # History: hidden for the blocker, there for everyone else.
    def ids(member: object) -> list[int]:
        return [m["id"] for m in member.get(f"/api/v1/rooms/{ROOM}/messages?limit=100").json()["messages"]]  # type: ignore[attr-defined]

    assert hidden["id"] not in ids(blocker) and before["id"] not in ids(blocker) and visible["id"] in ids(blocker)
    assert hidden["id"] in ids(bystander)

    # Resume: a replay skips the blocked member's words too.
    s_again = await blocker.socket()
    await s_again.join(ROOM, after_seq=before["seq"] - 1)
    await s_again.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == visible["id"])
    assert {before["id"], hidden["id"]}.isdisjoint(f["message"]["id"] for f in s_again.events("message", ROOM))

    # Unblocking shows them again.
    assert delete(blocker, f"/api/v1/blocks/{blocked.user['id']}").status_code == 200
    await s_blocker.wait_for(lambda f: f["type"] == "blocks_changed" and f["blocked_ids"] == [])
    again = (await s_blocked.say(ROOM, "after the unblock"))["message"]
    await s_blocker.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == again["id"])
    assert hidden["id"] in ids(blocker)
    for sock in (s_blocker, s_blocked, s_bystander, s_again):
        await sock.close()


async def test_a_blocked_member_cannot_reach_the_blocker_privately_and_is_not_told(server: ServerProcess) -> None:
    blocker, blocked, friend = sign_up(server), sign_up(server), sign_up(server)
    conv = pair(blocked, blocker)  # blocker accepts anyone
    blocker.post("/api/v1/blocks", {"pseudonym": blocked.pseudonym})

    # An existing conversation: the message is acknowledged, but never reaches the blocker.
    s_blocker, s_blocked = await blocker.socket(), await blocked.socket()
    await s_blocker.join(conv)
    await s_blocked.join(conv)
    ack = await s_blocked.say(conv, "are you ignoring me?")
    await s_blocker.quiet()
    assert not s_blocker.events("message", conv) and not s_blocker.events("conversation_activity")
    assert ack["message"]["body"] not in [m["body"] for m in blocker.get(f"/api/v1/rooms/{conv}/messages").json()["messages"]]
    assert {c["id"]: c for c in blocker.get("/api/v1/conversations").json()["conversations"]}[conv]["unread"] == 0
    start = len(s_blocker.frames)
    assert (await s_blocked.request({"type": "typing", "room_id": conv}))["type"] == "typing_ok"
    await s_blocker.quiet()
    assert not [f for f in s_blocker.frames[start:] if f["type"] == "typing"]

    # A new conversation: refused with the very words any "not accepting" setting gets.
    other_blocker = sign_up(server)
    set_policy(other_blocker, "anyone")
    other_blocker.post("/api/v1/blocks", {"pseudonym": blocked.pseudonym})
    refused = open_dm(blocked, other_blocker)
    nobody = sign_up(server)
    set_policy(nobody, "nobody")
    by_setting = open_dm(blocked, nobody)
    assert refused.status_code == by_setting.status_code == 403
    assert refused.json() == by_setting.json()

    # The blocker is told plainly why they can't write.
    mine = open_dm(other_blocker, blocked)
    assert mine.status_code == 403 and mine.json()["error"]["code"] == "you_blocked"
    # Someone else still reaches the blocked member as usual.
    assert pair(friend, blocked) > 0
    for sock in (s_blocker, s_blocked):
        await sock.close()


def test_block_list_and_bad_requests(server: ServerProcess) -> None:
    member, other = sign_up(server), sign_up(server)
    assert member.get("/api/v1/blocks").json() == {"blocks": []}
    assert member.post("/api/v1/blocks", {"pseudonym": other.pseudonym}).status_code == 201
    assert member.post("/api/v1/blocks", {"pseudonym": other.pseudonym}).status_code == 201  # idempotent
    listed = member.get("/api/v1/blocks").json()["blocks"]
    assert [b["user"]["pseudonym"] for b in listed] == [other.pseudonym]
    assert other.get("/api/v1/blocks").json() == {"blocks": []}  # the blocked member sees nothing
    assert member.post("/api/v1/blocks", {"pseudonym": member.pseudonym}).status_code == 400
    assert member.post("/api/v1/blocks", {"pseudonym": "NoSuchPerson12345"}).status_code == 404
    assert member.post("/api/v1/blocks", {}).status_code == 400
    staff = create_staff(server, "moderator")
    refused = member.post("/api/v1/blocks", {"pseudonym": staff.pseudonym})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "cannot_block_staff"
    assert delete(member, f"/api/v1/blocks/{other.user['id']}").status_code == 200
    assert delete(member, f"/api/v1/blocks/{other.user['id']}").status_code == 404
    assert member.get("/api/v1/blocks").json() == {"blocks": []}
    assert http.get(server.base + "/api/v1/blocks").status_code == 401
