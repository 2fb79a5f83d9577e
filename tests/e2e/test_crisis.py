"""Crisis response end to end: real processes, real sockets."""

from __future__ import annotations

import asyncio
from typing import Iterator

import httpx
import pytest

from tests.support import Database, Member, ServerProcess, configured_database_url, configured_redis_url, create_staff, http, sign_up

CRISIS = "I have the pills lined up and tonight is the night"
cluster = bool(configured_database_url() and configured_redis_url())


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two processes on PostgreSQL + Redis; on SQLite, the same process twice."""
    database = Database.fresh()
    first = ServerProcess(database).start()
    second = ServerProcess(database).start() if cluster else first
    yield first, second
    first.stop()
    second.stop()


def on_call(member: Member, value: bool = True) -> None:
    response = member.post("/api/v1/crisis/oncall", json={"on_call": value})
    assert response.status_code == 200 and response.json()["on_call"] is value


async def test_a_crisis_message_reaches_every_on_call_specialist_and_nobody_else(servers: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = servers
    on_a, on_b, off = create_staff(first, "specialist"), create_staff(first, "specialist"), create_staff(first, "specialist")
    on_call(on_a)
    on_call(on_b)
    person, bystander = sign_up(first), sign_up(first)
    sockets = {
        "on_a": await on_a.socket(first), "on_b": await on_b.socket(second), "off": await off.socket(second),
        "person": await person.socket(second), "bystander": await bystander.socket(first),
    }
    await sockets["person"].join(3)
    await sockets["bystander"].join(3)
    sent = await sockets["person"].say(3, CRISIS)
    assert sent["message"]["body"] == CRISIS  # never rejected, never hidden from its author
    for name in ("on_a", "on_b"):
        alert = await sockets[name].wait_for(lambda f: f["type"] == "flag_raised")
        assert alert["flag"]["member"]["pseudonym"] == person.pseudonym
        assert alert["flag"]["severity"] == "imminent" and alert["flag"]["items"][-1]["evidence"]
    resources = await sockets["person"].wait_for(lambda f: f["type"] == "crisis_resources")
    assert any("988" in r["contact"] for r in resources["resources"])
    await sockets["bystander"].wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == sent["message"]["id"])
    await asyncio.sleep(0.5)
    for name in ("off", "bystander"):
        assert not [f for f in sockets[name].frames if f["type"].startswith("flag_") or f["type"] == "crisis_resources"], name
    assert not [f for f in sockets["person"].frames if f["type"].startswith("flag_")]

    # Members can neither see nor change flags.
    assert person.get("/api/v1/crisis/flags").status_code == 403
    flag_id = (await sockets["on_a"].wait_for(lambda f: f["type"] == "flag_raised"))["flag"]["id"]
    assert person.post(f"/api/v1/crisis/flags/{flag_id}/resolve", json={"outcome": "false_alarm", "note": "x"}).status_code == 403
    assert bystander.post(f"/api/v1/crisis/flags/{flag_id}/claim").status_code == 403

    # One of two simultaneous claims wins, across processes.
    claim_a, claim_b = await asyncio.gather(
        asyncio.to_thread(on_a.post, f"/api/v1/crisis/flags/{flag_id}/claim"),
        asyncio.to_thread(httpx.post, f"{second.base}/api/v1/crisis/flags/{flag_id}/claim", headers=on_b.headers),
    )
    assert sorted([claim_a.status_code, claim_b.status_code]) == [200, 409]
    claimed = await sockets["off" if False else "on_b"].wait_for(lambda f: f["type"] == "flag_claimed")
    assert claimed["flag"]["claimed_by"]["pseudonym"] in (on_a.pseudonym, on_b.pseudonym)
    for sock in sockets.values():
        await sock.close()


async def test_staff_can_hide_a_graphic_message_from_others_only(servers: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = servers
    specialist = create_staff(first, "specialist")
    author, reader = sign_up(first), sign_up(first)
    sa, sr = await author.socket(first), await reader.socket(second)
    await sa.join(6)
    await sr.join(6)
    sent = (await sa.say(6, "a graphic description of an injury"))["message"]
    hidden = specialist.post(f"/api/v1/messages/{sent['id']}/hide", json={"reason": "graphic"})
    assert hidden.status_code == 200
    event = await sr.wait_for(lambda f: f["type"] == "message_hidden" and f["message"]["id"] == sent["id"])
    assert event["message"]["body"] is None and event["message"]["hidden"] is True
    by_reader = [m for m in reader.get("/api/v1/rooms/6/messages").json()["messages"] if m["id"] == sent["id"]][0]
    by_author = [m for m in author.get("/api/v1/rooms/6/messages").json()["messages"] if m["id"] == sent["id"]][0]
    assert by_reader["body"] is None and by_author["body"] == "a graphic description of an injury"
    assert reader.post(f"/api/v1/messages/{sent['id']}/hide", json={}).status_code == 403
    await sa.close()
    await sr.close()


async def test_a_crash_between_storing_and_publishing_loses_no_flag() -> None:
    database = Database.fresh()
    doomed = ServerProcess(database, extra_env={"HEARTH_FAULT_INJECT": "exit_after_flag_commit"}).start()
    specialist = create_staff(doomed, "specialist")
    on_call(specialist)
    person = sign_up(doomed)
    sock = await person.socket()
    await sock.send({"type": "send", "room_id": 2, "body": CRISIS, "client_id": "crash-1", "ref": "x"})
    code, _ = await asyncio.wait_for(sock.closed, 15)  # the process died before it could ack
    assert await asyncio.to_thread(doomed.process.wait, 15) == 70  # type: ignore[union-attr]

    revived = ServerProcess(database, port=doomed.port).start()
    try:
        specialist.server = person.server = revived
        watcher = await specialist.socket()
        flags = specialist.get("/api/v1/crisis/flags").json()["flags"]
        assert len(flags) == 1 and flags[0]["severity"] == "imminent"
        assert flags[0]["member"]["pseudonym"] == person.pseudonym
        # The sweeper notices the unalerted flag and alerts it, exactly once.
        for _ in range(100):
            audit = specialist.get(f"/api/v1/crisis/flags/{flags[0]['id']}").json()["flag"]["audit"]
            if any(a["action"] == "alerted_late" for a in audit):
                break
            await asyncio.sleep(0.1)
        assert [a["action"] for a in audit].count("alerted_late") == 1
        # The message it was raised for is stored too: a resend is a duplicate.
        again = await person.socket()
        ack = await again.request({"type": "send", "room_id": 2, "body": CRISIS, "client_id": "crash-1"})
        assert ack["type"] == "ack" and ack["duplicate"] is True
        await asyncio.sleep(1)
        assert len([f for f in watcher.frames if f["type"] == "flag_raised"]) <= 1  # never alerted twice
        await watcher.close()
        await again.close()
    finally:
        revived.stop()


async def test_unattended_rooms_slow_down_and_hold_new_accounts() -> None:
    database = Database.fresh()
    server = ServerProcess(database, extra_env={"HEARTH_UNATTENDED_SLOW_SECONDS": "30", "HEARTH_NEW_ACCOUNT_HOURS": "24"}).start()
    try:
        specialist = create_staff(server, "specialist")  # a community with supporters, none on call
        newcomer, reader = sign_up(server), sign_up(server)
        await asyncio.sleep(1)  # the sweeper notices within a second
        sn, sr = await newcomer.socket(), await reader.socket()
        assert sn.frames[0]["unattended"] is True
        joined = await sn.join(1)
        await sr.join(1)
        assert joined["unattended"] is True
        ack = await sn.say(1, "hi, first time here")
        assert ack["message"]["held"] is True
        slowed = await sn.request({"type": "send", "room_id": 1, "body": "anyone?", "client_id": "slow-2"})
        assert slowed["type"] == "error" and slowed["code"] == "rate_limited"
        await asyncio.sleep(0.5)
        assert not sr.events("message", 1)  # held: the room hasn't seen it
        on_call(specialist)
        await sr.wait_for(lambda f: f["type"] == "room_mode" and f["unattended"] is False, timeout=10)
        released = specialist.post(f"/api/v1/messages/{ack['message']['id']}/release")
        assert released.status_code == 200
        got = await sr.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == ack["message"]["id"])
        assert got["message"]["body"] == "hi, first time here"
        await sn.close()
        await sr.close()
    finally:
        server.stop()


def test_resources_are_public_and_configurable(tmp_path: object) -> None:
    import json
    from pathlib import Path

    path = Path(str(tmp_path)) / "resources.json"
    path.write_text(json.dumps([{"name": "Samaritans", "contact": "116 123", "detail": "UK and Ireland, 24/7"}]))
    database = Database.fresh()
    server = ServerProcess(database, extra_env={"HEARTH_CRISIS_RESOURCES_FILE": str(path)}).start()
    try:
        body = http.get(server.base + "/api/v1/resources").json()
        assert body["resources"] == [{"name": "Samaritans", "contact": "116 123", "detail": "UK and Ireland, 24/7"}]
        assert "alone" in body["message"]
    finally:
        server.stop()


async def test_forum_posts_and_private_messages_are_screened_and_support_opens_from_the_flag(servers: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = servers
    specialist = create_staff(first, "specialist")
    on_call(specialist)
    watcher = await specialist.socket(second)
    writer = sign_up(first)
    board = writer.get("/api/v1/forum/boards").json()["boards"][0]["id"]
    thread = writer.post(f"/api/v1/forum/boards/{board}/threads", json={"title": "Tonight", "body": "I want to kill myself tonight"})
    assert thread.status_code == 201, thread.text
    alert = await watcher.wait_for(lambda f: f["type"] == "flag_raised" and f["flag"]["member"]["pseudonym"] == writer.pseudonym)
    assert alert["flag"]["place"]["kind"] == "forum"

    flag_id = alert["flag"]["id"]
    assert specialist.post(f"/api/v1/crisis/flags/{flag_id}/support").status_code == 409  # claim first
    assert specialist.post(f"/api/v1/crisis/flags/{flag_id}/claim").status_code == 200
    support = specialist.post(f"/api/v1/crisis/flags/{flag_id}/support")
    assert support.status_code == 201, support.text
    room_id = support.json()["conversation"]["id"]
    member_sock = await writer.socket(second)
    await member_sock.join(room_id)
    staff_sock = await specialist.socket(first)
    await staff_sock.join(room_id)
    await staff_sock.say(room_id, "Hi, I'm here with you. Can we talk for a bit?")
    got = await member_sock.wait_for(lambda f: f["type"] == "message" and f["room_id"] == room_id)
    assert got["message"]["author"]["pseudonym"] == specialist.pseudonym
    figures = specialist.get("/api/v1/crisis/stats").json()
    assert sum(v["count"] for v in figures["time_to_first_reply"].values()) == 1
    # Private messages are screened too: the member's words in the conversation join their flag.
    await member_sock.say(room_id, "I have the pills lined up and tonight is the night")
    rose = await watcher.wait_for(lambda f: f["type"] in ("flag_raised", "flag_updated") and f["flag"]["id"] == flag_id
                                  and f["flag"]["items"][-1]["place_kind"] == "conversation")
    assert rose["flag"]["severity"] == "imminent"
    # Nobody else can read the support conversation.
    outsider = sign_up(first)
    assert outsider.get(f"/api/v1/rooms/{room_id}/messages").status_code == 404
    for sock in (watcher, member_sock, staff_sock):
        await sock.close()
