"""Private one-on-one conversations over the real server: delivery, acks,
idempotency, history and resume through the room pipeline; unread counts,
read markers, typing; and who may open one."""

from __future__ import annotations

import asyncio
import secrets
from typing import Iterator

import pytest

from tests.e2e.dm_support import OPEN_DMS, open_dm, pair, set_policy
from tests.support import Database, ServerProcess, create_staff, http, sign_up

ROOM = 1


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env=OPEN_DMS).start()
    yield proc
    proc.stop()


async def test_two_members_chat_privately_with_acks_idempotency_and_history(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    conv = pair(alice, bob)
    again = open_dm(alice, bob)
    assert again.status_code == 200 and again.json()["conversation"]["id"] == conv  # one conversation per pair
    from_bob = open_dm(bob, alice)
    assert from_bob.status_code == 200 and from_bob.json()["conversation"]["id"] == conv

    a, b = await alice.socket(), await bob.socket()
    joined = await a.join(conv)
    assert joined["room"]["slug"] is None
    await b.join(conv)
    client_id = "dm-" + secrets.token_hex(4)
    first = await a.say(conv, "hello, just you and me", client_id)
    second = await a.say(conv, "hello, just you and me", client_id)
    assert second["duplicate"] is True and second["message"]["id"] == first["message"]["id"]
    got = await b.wait_for(lambda f: f["type"] == "message" and f["room_id"] == conv)
    assert got["message"]["body"] == "hello, just you and me"
    await b.say(conv, "hi back")
    await a.wait_for(lambda f: f["type"] == "message" and f["message"]["body"] == "hi back")
    await b.quiet()
    assert len([f for f in b.events("message", conv) if f["message"]["client_id"] == client_id]) == 1

    history = alice.get(f"/api/v1/rooms/{conv}/messages").json()["messages"]
    assert [m["body"] for m in history] == ["hi back", "hello, just you and me"]
    page = alice.get(f"/api/v1/rooms/{conv}/messages?limit=1&before={history[0]['id']}").json()["messages"]
    assert [m["body"] for m in page] == ["hello, just you and me"]

    # Never listed with the rooms.
    assert conv not in [r["id"] for r in alice.get("/api/v1/rooms").json()["rooms"]]
    for sock in (a, b):
        await sock.close()


async def test_resume_replays_what_was_missed_in_a_conversation(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    conv = pair(alice, bob)
    a = await alice.socket()
    last = (await a.join(conv))["room"]["last_seq"]
    await a.close()
    b = await bob.socket()
    for i in range(4):
        await b.say(conv, f"while you were away {i}")
    a2 = await alice.socket()
    await a2.join(conv, after_seq=last)
    await a2.wait_for(lambda f: f["type"] == "message" and f["message"]["body"] == "while you were away 3")
    assert [f["message"]["body"] for f in a2.events("message", conv)] == [f"while you were away {i}" for i in range(4)]
    assert all(f.get("replay") for f in a2.events("message", conv))
    for sock in (b, a2):
        await sock.close()


async def test_unread_counts_activity_and_mark_read(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    conv = pair(alice, bob)
    b = await bob.socket()  # bob has not opened the conversation: he still hears of activity
    a = await alice.socket()
    for i in range(3):
        await a.say(conv, f"are you around? {i}")
    activity = await b.wait_for(lambda f: f["type"] == "conversation_activity" and f["message"]["body"] == "are you around? 2")
    assert activity["room_id"] == conv
    listed = {c["id"]: c for c in bob.get("/api/v1/conversations").json()["conversations"]}
    assert listed[conv]["unread"] == 3 and listed[conv]["with"]["pseudonym"] == alice.pseudonym
    assert {c["id"]: c for c in alice.get("/api/v1/conversations").json()["conversations"]}[conv]["unread"] == 0  # own words

    marked = bob.post(f"/api/v1/conversations/{conv}/read", {"seq": activity["seq"] - 1})
    assert marked.status_code == 200
    assert bob.get(f"/api/v1/conversations/{conv}").json()["conversation"]["unread"] == 1
    bob.post(f"/api/v1/conversations/{conv}/read", {"seq": 10_000})  # clamped to the conversation's last seq
    one = bob.get(f"/api/v1/conversations/{conv}").json()["conversation"]
    assert one["unread"] == 0 and one["last_read_seq"] == one["last_seq"]
    assert bob.post(f"/api/v1/conversations/{conv}/read", {"seq": 1}).json()["last_read_seq"] == one["last_seq"]  # never goes back
    for bad in ({"seq": -1}, {"seq": "x"}, {}):
        assert bob.post(f"/api/v1/conversations/{conv}/read", bad).status_code == 400
    for sock in (a, b):
        await sock.close()


async def test_read_markers_are_off_by_default_and_shared_only_when_both_turn_them_on(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    conv = pair(alice, bob)
    assert alice.get("/api/v1/me/messaging").json()["messaging"] == {"who_can_message": "shared", "read_receipts": False}
    a = await alice.socket()
    seq = (await a.say(conv, "did you read this?"))["message"]["seq"]
    bob.post(f"/api/v1/conversations/{conv}/read", {"seq": seq})
    assert alice.get(f"/api/v1/conversations/{conv}").json()["conversation"]["other_last_read_seq"] is None
    set_policy(bob, "anyone", read_receipts=True)
    assert alice.get(f"/api/v1/conversations/{conv}").json()["conversation"]["other_last_read_seq"] is None  # alice keeps hers off
    set_policy(alice, "shared", read_receipts=True)
    assert alice.get(f"/api/v1/conversations/{conv}").json()["conversation"]["other_last_read_seq"] == seq
    seq2 = (await a.say(conv, "and this?"))["message"]["seq"]
    bob.post(f"/api/v1/conversations/{conv}/read", {"seq": seq2})
    read = await a.wait_for(lambda f: f["type"] == "read" and f["room_id"] == conv)
    assert read["seq"] == seq2 and read["user_id"] == bob.user["id"]
    await a.close()


async def test_typing_reaches_the_other_participant_only_and_is_not_stored(server: ServerProcess) -> None:
    alice, bob, carol = sign_up(server), sign_up(server), sign_up(server)
    conv = pair(alice, bob)
    a, a_other_tab, b, c = await alice.socket(), await alice.socket(), await bob.socket(), await carol.socket()
    ok = await a.request({"type": "typing", "room_id": conv})
    assert ok["type"] == "typing_ok"
    got = await b.wait_for(lambda f: f["type"] == "typing")
    assert got["room_id"] == conv and got["user"]["pseudonym"] == alice.pseudonym
    await c.quiet()
    assert not c.events("typing") and not a_other_tab.events("typing") and not a.events("typing")
    assert alice.get(f"/api/v1/rooms/{conv}/messages").json()["messages"] == []
    for sock in (a, a_other_tab, b, c):
        await sock.close()


def test_who_may_message_me_each_setting(server: ServerProcess) -> None:
    target, stranger, roommate = sign_up(server), sign_up(server), sign_up(server)
    specialist = create_staff(server, "specialist")
    mentor = sign_up(server)
    response = http.put(server.base + "/api/v1/mentorship/profile", headers=mentor.headers, json={
        "recovery_since": "2020-01-01", "focus": ["alcohol"], "tz_band": "americas", "languages": ["en"]})
    assert response.status_code == 200, response.text

    async def share_room() -> None:
        for member in (target, roommate):
            sock = await member.socket()
            await sock.join(ROOM)
            await sock.close()

    asyncio.run(share_room())

    expected = {
        "nobody": {"stranger": 403, "roommate": 403, "specialist": 403, "mentor": 403},
        "helpers": {"stranger": 403, "roommate": 403, "specialist": 201, "mentor": 201},
        "shared": {"stranger": 403, "roommate": 201, "specialist": 403, "mentor": 403},
        "anyone": {"stranger": 201, "roommate": 201, "specialist": 201, "mentor": 201},
    }
    for policy, results in expected.items():
        target_fresh = sign_up(server)
        if policy == "shared":
            target_fresh = target  # the one who shares a room with `roommate`
        set_policy(target_fresh, policy)
        for opener_name, status in results.items():
            opener = {"stranger": stranger, "roommate": roommate, "specialist": specialist, "mentor": mentor}[opener_name]
            response = open_dm(opener, target_fresh)
            assert response.status_code == status, (policy, opener_name, response.text)
            if status == 403:
                assert response.json()["error"]["code"] == "not_accepting"
    # An existing conversation stays open whatever the setting says now.
    set_policy(target, "nobody")
    assert open_dm(roommate, target).status_code == 200
    # Bad values change nothing.
    response = http.put(server.base + "/api/v1/me/messaging", headers=target.headers, json={"who_can_message": "everyone"})
    assert response.status_code == 400
    assert target.get("/api/v1/me/messaging").json()["messaging"]["who_can_message"] == "nobody"


def test_specialist_support_conversation_reaches_a_member_whatever_their_setting(server: ServerProcess) -> None:
    member, other_member = sign_up(server), sign_up(server)
    specialist = create_staff(server, "specialist")
    set_policy(member, "nobody")
    assert open_dm(specialist, member).status_code == 403
    opened = open_dm(specialist, member, purpose="support")
    assert opened.status_code == 201, opened.text
    assert opened.json()["conversation"]["purpose"] == "support"
    refused = open_dm(other_member, member, purpose="support")  # only specialists may
    assert refused.status_code == 403
    assert open_dm(other_member, member, purpose="party").status_code == 400


def test_opening_needs_a_real_other_person(server: ServerProcess) -> None:
    alice = sign_up(server)
    assert open_dm(alice, alice).status_code == 400
    assert alice.post("/api/v1/conversations", {"pseudonym": "NobodyCalledThis" + secrets.token_hex(3)}).status_code == 404
    assert alice.post("/api/v1/conversations", {"pseudonym": 42}).status_code == 400
    assert http.post(server.base + "/api/v1/conversations", json={"pseudonym": alice.pseudonym}).status_code == 401
