"""Replies, support reactions, mentions, unread counts and live member counts."""

from __future__ import annotations

import asyncio


from tests.support import ServerProcess, http, sign_up

ROOM, OTHER_ROOM = 2, 3


async def test_replies_point_at_a_message_in_the_same_room(server: ServerProcess) -> None:
    a, b = sign_up(server), sign_up(server)
    sa, sb = await a.socket(), await b.socket()
    await sa.join(ROOM)
    await sb.join(ROOM)
    first = (await sa.say(ROOM, "Rough night."))["message"]
    reply = await sb.request({"type": "send", "room_id": ROOM, "body": "I'm here. What helped last time?", "client_id": "r1", "reply_to": first["id"]})
    assert reply["type"] == "ack" and reply["message"]["reply_to"] == first["id"]
    live = await sa.wait_for(lambda f: f["type"] == "message" and f["message"]["client_id"] == "r1")
    assert live["message"]["reply_to"] == first["id"]
    elsewhere = (await sa.say(OTHER_ROOM, "another room"))["message"]
    bad = await sb.request({"type": "send", "room_id": ROOM, "body": "x", "client_id": "r2", "reply_to": elsewhere["id"]})
    assert bad["type"] == "error" and bad["code"] == "invalid"
    await sa.close()
    await sb.close()


async def test_reactions_show_counts_never_names(server: ServerProcess) -> None:
    author, fan, fan2 = sign_up(server), sign_up(server), sign_up(server)
    sa, sf = await author.socket(), await fan.socket()
    await sa.join(ROOM)
    await sf.join(ROOM)
    message = (await sa.say(ROOM, "30 days today"))["message"]
    reacted = await sf.request({"type": "react", "message_id": message["id"], "kind": "proud"})
    assert reacted["counts"] == {"proud": 1} and reacted["mine"] == ["proud"]
    event = await sa.wait_for(lambda f: f["type"] == "reactions" and f["message_id"] == message["id"])
    assert event["counts"] == {"proud": 1} and fan.pseudonym not in str(event)
    response = http.put(f"{server.base}/api/v1/messages/{message['id']}/reactions/proud", headers=fan2.headers)
    assert response.status_code == 200 and response.json()["counts"] == {"proud": 2}
    again = http.put(f"{server.base}/api/v1/messages/{message['id']}/reactions/proud", headers=fan2.headers)
    assert again.json()["counts"] == {"proud": 2}  # once per member
    history = author.get(f"/api/v1/rooms/{ROOM}/messages").json()["messages"]
    mine = [m for m in history if m["id"] == message["id"]][0]
    assert mine["reactions"] == {"counts": {"proud": 2}, "mine": []}
    undo = await sf.request({"type": "react", "message_id": message["id"], "kind": "proud", "on": False})
    assert undo["counts"] == {"proud": 1}
    bad = await sf.request({"type": "react", "message_id": message["id"], "kind": "laugh"})
    assert bad["type"] == "error"
    await sa.close()
    await sf.close()


async def test_mentions_notify_room_members_with_ids_only(server: ServerProcess) -> None:
    author, friend, stranger = sign_up(server), sign_up(server), sign_up(server)
    sa, sf, ss = await author.socket(), await friend.socket(), await stranger.socket()
    await sa.join(ROOM)
    await sf.join(ROOM)
    message = (await sa.say(ROOM, f"thanks @{friend.pseudonym} and @{stranger.pseudonym}!"))["message"]
    note = await sf.wait_for(lambda f: f["type"] == "mention")
    assert note == {"type": "mention", "room_id": ROOM, "message_id": message["id"]}
    await asyncio.sleep(0.3)
    assert not [f for f in ss.frames if f["type"] == "mention"]  # not in the room: not notified
    # A member who blocked the author is not pinged by them.
    assert friend.post("/api/v1/blocks", json={"pseudonym": author.pseudonym}).status_code == 201
    await sa.say(ROOM, f"@{friend.pseudonym} again")
    await asyncio.sleep(0.5)
    assert len([f for f in sf.frames if f["type"] == "mention"]) == 1
    for s in (sa, sf, ss):
        await s.close()


async def test_unread_counts_and_live_member_counts(server: ServerProcess) -> None:
    reader, writer = sign_up(server), sign_up(server)
    sr, sw = await reader.socket(), await writer.socket()
    joined = await sr.join(OTHER_ROOM)
    await sw.join(OTHER_ROOM)
    for i in range(3):
        await sw.say(OTHER_ROOM, f"news {i}")
    await sr.close()
    rooms = {r["id"]: r for r in reader.get("/api/v1/rooms").json()["rooms"]}
    assert rooms[OTHER_ROOM]["unread"] == 3
    sr = await reader.socket()
    await sr.join(OTHER_ROOM)
    marked = await sr.request({"type": "read", "room_id": OTHER_ROOM, "seq": joined["room"]["last_seq"] + 3})
    assert marked["type"] == "read_marked"
    assert {r["id"]: r for r in reader.get("/api/v1/rooms").json()["rooms"]}[OTHER_ROOM]["unread"] == 0
    # Live counts: both members follow the room now (the count refreshes every few seconds).
    for _ in range(80):
        online = {r["id"]: r for r in reader.get("/api/v1/rooms").json()["rooms"]}[OTHER_ROOM]["online"]
        if online == 2:
            break
        await asyncio.sleep(0.1)
    assert online == 2
    assert "pseudonym" not in str(reader.get("/api/v1/rooms").json()["rooms"][0].keys())
    await sr.close()
    await sw.close()
