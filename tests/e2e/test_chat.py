"""Live chat over real sockets against a real server process."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from websockets.exceptions import InvalidStatus

from tests.support import ROOT, ServerProcess, Socket, http, metric, run_sql, sign_up

ROOM = 1  # "Welcome", seeded by the first migration


async def test_two_members_see_each_others_messages_in_order(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    a, b = await alice.socket(), await bob.socket()
    await a.join(ROOM)
    await b.join(ROOM)
    for i in range(10):
        await (a if i % 2 == 0 else b).say(ROOM, f"message {i}")
    for sock in (a, b):
        await sock.wait_for(lambda f: f["type"] == "message" and f["message"]["body"] == "message 9")
        bodies = [f["message"]["body"] for f in sock.events("message", ROOM)]
        assert bodies == [f"message {i}" for i in range(10)]
        seqs = [f["seq"] for f in sock.events("message", ROOM)]
        assert seqs == sorted(seqs) and len(set(seqs)) == 10
    await a.close()
    await b.close()


async def test_a_member_outside_the_room_sees_nothing(server: ServerProcess) -> None:
    alice, outsider = sign_up(server), sign_up(server)
    a, o = await alice.socket(), await outsider.socket()
    await a.join(ROOM)
    await o.join(2)  # another room
    await a.say(ROOM, "only for room one")
    await a.say(2, "for room two")
    await o.wait_for(lambda f: f["type"] == "message" and f["room_id"] == 2)
    await o.quiet()
    assert o.events("message", ROOM) == []
    await a.close()
    await o.close()


async def test_resending_a_client_id_returns_the_same_message(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    a, b = await alice.socket(), await bob.socket()
    await a.join(ROOM)
    await b.join(ROOM)
    client_id = "c-" + secrets.token_hex(6)
    first = await a.say(ROOM, "hello once", client_id)
    second = await a.say(ROOM, "hello once", client_id)
    assert first["message"]["id"] == second["message"]["id"]
    assert second["duplicate"] is True and first["duplicate"] is False
    await b.wait_for(lambda f: f["type"] == "message" and f["message"]["client_id"] == client_id)
    await b.quiet()
    assert len([f for f in b.events("message") if f["message"]["client_id"] == client_id]) == 1
    history = alice.get(f"/api/v1/rooms/{ROOM}/messages?limit=100").json()["messages"]
    assert len([m for m in history if m["client_id"] == client_id]) == 1
    await a.close()
    await b.close()


async def test_edit_and_delete_fan_out(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    a, b = await alice.socket(), await bob.socket()
    await a.join(ROOM)
    await b.join(ROOM)
    sent = (await a.say(ROOM, "first draft"))["message"]
    edited = await a.request({"type": "edit", "message_id": sent["id"], "body": "second draft"})
    assert edited["type"] == "edited" and edited["message"]["body"] == "second draft"
    got = await b.wait_for(lambda f: f["type"] == "message_edited" and f["message"]["id"] == sent["id"])
    assert got["message"]["body"] == "second draft" and got["message"]["edited_at"]

    # Nobody else may change it.
    bs = await b.request({"type": "edit", "message_id": sent["id"], "body": "hijack"})
    assert bs["type"] == "error" and bs["code"] == "forbidden"

    deleted = await a.request({"type": "delete", "message_id": sent["id"]})
    assert deleted["type"] == "deleted"
    got = await b.wait_for(lambda f: f["type"] == "message_deleted" and f["message"]["id"] == sent["id"])
    assert got["message"]["deleted"] is True and got["message"]["body"] is None
    row = [m for m in alice.get(f"/api/v1/rooms/{ROOM}/messages").json()["messages"] if m["id"] == sent["id"]][0]
    assert row["deleted"] is True and row["body"] is None
    await a.close()
    await b.close()


async def test_body_is_plain_text_normalised(server: ServerProcess) -> None:
    alice = sign_up(server)
    a = await alice.socket()
    await a.join(ROOM)
    ack = await a.say(ROOM, "I <3 my sponsor")
    assert ack["message"]["body"] == "I <3 my sponsor"
    ack = await a.say(ROOM, "evil\u202ereversed\u0007 text \u200b")
    assert ack["message"]["body"] == "evilreversed text"
    ack = await a.say(ROOM, "<script>alert(1)</script>")
    assert ack["message"]["body"] == "<script>alert(1)</script>"  # stored as typed; clients render text
    too_long = await a.request({"type": "send", "room_id": ROOM, "body": "x" * 4001, "client_id": "long"})
    assert too_long["type"] == "error" and too_long["code"] == "too_long"
    await a.close()


@pytest.mark.parametrize(
    "raw, code",
    [
        ("not json", "invalid_json"),
        ("[1, 2]", "invalid_json"),
        ('{"no": "type"}', "unknown_type"),
        ('{"type": "teleport"}', "unknown_type"),
        ('{"type": "send", "room_id": "one", "body": "x", "client_id": "a"}', "not_found"),
        ('{"type": "send", "room_id": 1, "body": 5, "client_id": "a"}', "invalid"),
        ('{"type": "send", "room_id": 1, "body": "   ", "client_id": "a"}', "empty"),
        ('{"type": "send", "room_id": 1, "body": "hi"}', "invalid"),
        ('{"type": "send", "room_id": 999999, "body": "hi", "client_id": "x1"}', "not_found"),
        ('{"type": "join", "room_id": -4}', "invalid"),
        ('{"type": "edit", "message_id": 99999999, "body": "x"}', "not_found"),
        ('{"type": "leave", "room_id": 3}', "not_found"),
    ],
)
async def test_malformed_frames_get_errors_and_the_socket_survives(server: ServerProcess, raw: str, code: str) -> None:
    member = sign_up(server)
    sock = await member.socket()
    start = len(sock.frames)
    await sock.send_raw(raw)
    error = await sock.wait_for(lambda f: f["type"] == "error", start=start)
    assert error["code"] == code, error
    assert isinstance(error["detail"], str) and error["detail"]
    pong = await sock.request({"type": "ping"})
    assert pong["type"] == "pong"
    await sock.close()


async def test_binary_frames_are_refused_politely(server: ServerProcess) -> None:
    sock = await sign_up(server).socket()
    await sock.send_raw(b"\x00\x01binary")
    error = await sock.wait_for(lambda f: f["type"] == "error")
    assert error["code"] == "binary_frame"
    assert (await sock.request({"type": "ping"}))["type"] == "pong"
    await sock.close()


async def test_oversized_frame_closes_with_1009_and_others_carry_on(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    a, b = await alice.socket(), await bob.socket()
    await a.send_raw("x" * (64 * 1024 + 1))
    code, _ = await asyncio.wait_for(a.closed, 10)
    assert code == 1009
    await b.join(ROOM)
    assert (await b.say(ROOM, "still here"))["message"]["body"] == "still here"
    await b.close()


async def test_foreign_origin_is_refused(server: ServerProcess) -> None:
    member = sign_up(server)
    for origin in ("https://evil.example", "null"):
        with pytest.raises(InvalidStatus) as refused:
            await Socket.open(server.ws_url, member.headers, origin=origin)
        assert refused.value.response.status_code == 403
    # A browser-style cookie without any Origin is refused too.
    cookie = {"Cookie": f"hearth_session={member.token}"}
    with pytest.raises(InvalidStatus):
        await Socket.open(server.ws_url, cookie)
    ok = await Socket.open(server.ws_url, cookie, origin=server.base)
    await ok.close()


async def test_no_compression_is_negotiated(server: ServerProcess) -> None:
    sock = await sign_up(server).socket()
    assert sock.connection.response is not None
    assert "sec-websocket-extensions" not in {k.lower() for k in sock.connection.response.headers.keys()}
    await sock.close()


async def test_unauthenticated_socket_is_refused(server: ServerProcess) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await Socket.open(server.ws_url, {"Authorization": "Bearer not-a-real-token"})
    assert refused.value.response.status_code == 403


async def test_logout_closes_open_sockets_with_a_documented_code(server: ServerProcess) -> None:
    member = sign_up(server)
    sock = await member.socket()
    assert member.post("/api/v1/auth/logout").status_code == 200
    code, reason = await asyncio.wait_for(sock.closed, 10)
    assert (code, reason) == (1008, "logged_out")
    assert member.get("/api/v1/me").status_code == 401


async def test_a_socket_closes_with_a_documented_code_when_its_session_expires(server: ServerProcess) -> None:
    member = sign_up(server)
    # The session's absolute end, brought to two seconds from now.
    soon = "now() + interval '2 seconds'" if server.database.url else "datetime('now', '+2 seconds')"
    run_sql(server, f"UPDATE sessions SET expires_at = {soon} WHERE user_id = :user", {"user": member.user["id"]})
    sock = await member.socket()
    code, reason = await asyncio.wait_for(sock.closed, 15)
    assert (code, reason) == (1008, "session_expired")
    assert "| 1008 | `logged_out`, `session_expired`" in (ROOT / "docs" / "protocol.md").read_text()
    refused = member.get("/api/v1/me")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "session_expired"


async def test_too_many_sockets_for_one_account_are_refused(server: ServerProcess) -> None:
    member = sign_up(server)
    open_ones = [await member.socket() for _ in range(5)]
    with pytest.raises(InvalidStatus):
        await member.socket()
    for sock in open_ones:
        await sock.close()


async def test_rejoin_with_after_seq_replays_what_was_missed(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    a = await alice.socket()
    joined = await a.join(3)
    last = joined["room"]["last_seq"]
    b = await bob.socket()
    for i in range(5):
        await b.say(3, f"while away {i}")
    replays_before = metric(server, "hearth_ws_replays_total")
    a2 = await alice.socket()
    await a2.join(3, after_seq=last)
    await a2.wait_for(lambda f: f["type"] == "message" and f["message"]["body"] == "while away 4")
    replayed = [f["message"]["body"] for f in a2.events("message", 3)]
    assert replayed == [f"while away {i}" for i in range(5)]
    assert metric(server, "hearth_ws_replays_total") == replays_before + 1  # read from the database once, counted on /metrics
    for s in (a, b, a2):
        await s.close()


def test_history_pages_newest_first_with_stable_ids(server: ServerProcess) -> None:
    member = sign_up(server)

    async def fill() -> list[int]:
        sock = await member.socket()
        ids = [(await sock.say(4, f"history {i}"))["message"]["id"] for i in range(15)]
        await sock.close()
        return ids

    ids = asyncio.run(fill())
    page1 = member.get("/api/v1/rooms/4/messages?limit=10").json()["messages"]
    assert [m["id"] for m in page1] == sorted(ids, reverse=True)[:10]
    page2 = member.get(f"/api/v1/rooms/4/messages?limit=10&before={page1[-1]['id']}").json()["messages"]
    assert [m["id"] for m in page2] == sorted(ids, reverse=True)[10:15]
    newer = member.get(f"/api/v1/rooms/4/messages?after={ids[11]}").json()["messages"]
    assert [m["id"] for m in newer] == sorted(ids[12:], reverse=True)
    for bad in ("limit=0", "limit=101", "limit=abc", "before=-1", "after=x"):
        response = member.get(f"/api/v1/rooms/4/messages?{bad}")
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid", bad
    assert member.get("/api/v1/rooms/424242/messages").status_code == 404
    assert http.get(server.base + "/api/v1/rooms/4/messages").status_code == 401
