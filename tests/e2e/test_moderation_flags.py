"""Automatic flags on the real write paths: each kind on a positive and a negative
example (the pure detectors have their full tables in tests/moderation/test_autoflags.py),
watched words with each action, new accounts' links and repeats, forum posts,
private messages, and a crisis message that is never held."""

from __future__ import annotations

import secrets
from typing import Any, Iterator

import pytest

from tests.e2e.dm_support import OPEN_DMS, pair
from tests.e2e.moderation_support import MOD, acted, audit, case_for, queue, report, set_trust
from tests.support import Database, Member, ServerProcess, Socket, create_staff, http, sign_up


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env={**OPEN_DMS, "HEARTH_FORUM_THREAD_RATE": "off",
                                                      "HEARTH_FORUM_REPLY_RATE": "off"}).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def staff(server: ServerProcess) -> dict[str, Member]:
    return {"mod": create_staff(server, "moderator"), "admin": create_staff(server, "admin")}


async def send(sock: Socket, room: int, body: str) -> dict[str, Any]:
    return await sock.request({"type": "send", "room_id": room, "body": body, "client_id": secrets.token_hex(6)})


# (text, flagged kind or None) — positive and negative examples of each kind, as members would type them.
CHAT_EXAMPLES = [
    ("call me at 555-0134", "identifying"),
    ("I have 555 days", None),
    ("my email is quiet.river@gmail.com", "identifying"),
    ("I emailed my sponsor today", None),
    ("I'm at 123 Main Street, come by", "identifying"),
    ("I walked 3 blocks down the street", None),
    ("add me on insta quiet_river", "identifying"),
    ("I deleted my instagram and feel better", None),
    ("selling oxy, dm me", "drug_sales"),
    ("selling my bike if anyone wants it", None),
    ("percs $20 each, hmu", "drug_sales"),
    ("hmu if you need to talk tonight", None),
]


@pytest.mark.parametrize("text,kind", CHAT_EXAMPLES)
async def test_each_kind_holds_or_lets_through(server: ServerProcess, staff: dict[str, Member], text: str, kind: str | None) -> None:
    author, reader = sign_up(server), sign_up(server)
    sa, sr = await author.socket(), await reader.socket()
    await sa.join(2)
    await sr.join(2)
    ack = await send(sa, 2, text)
    assert ack["type"] == "ack", ack
    message = ack["message"]
    if kind is None:
        assert not message["held"] and "notice" not in message
        await sr.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == message["id"])
        assert not [c for c in queue(staff["mod"]) if c["target"]["id"] == message["id"] and c["target"]["kind"] == "message"]
    else:
        assert message["held"] and ack["message"]["notice"]  # the author is told, gently
        found = case_for(staff["mod"], "message", message["id"])
        assert kind in found["reasons"] and found["source"] == "auto"
        await sr.quiet()
        assert not [f for f in sr.frames if f.get("message", {}).get("id") == message["id"]]  # the room never saw it
        history = [m["id"] for m in reader.get("/api/v1/rooms/2/messages").json()["messages"]]
        assert message["id"] not in history
    await sa.close()
    await sr.close()


async def test_dismissing_a_held_message_lets_it_into_the_room(server: ServerProcess, staff: dict[str, Member]) -> None:
    author, reader = sign_up(server), sign_up(server)
    sa, sr = await author.socket(), await reader.socket()
    await sa.join(3)
    await sr.join(3)
    held = (await send(sa, 3, "my sponsor said to text 555-0199 any time"))["message"]
    assert held["held"]
    found = case_for(staff["mod"], "message", held["id"])
    acted(staff["mod"], found["id"], "dismiss", "A sponsor line the member chose to share.")
    shown = await sr.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == held["id"])
    assert not shown["message"]["held"]
    await sa.close()
    await sr.close()


async def test_a_crisis_message_is_never_held(server: ServerProcess, staff: dict[str, Member]) -> None:
    author, reader = sign_up(server), sign_up(server)
    sa, sr = await author.socket(), await reader.socket()
    await sa.join(4)
    await sr.join(4)
    ack = await send(sa, 4, "I have the pills lined up tonight, I'm at 123 Main Street")
    assert ack["type"] == "ack" and not ack["message"]["held"]
    await sr.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == ack["message"]["id"])
    found = case_for(staff["mod"], "message", ack["message"]["id"])  # a moderator still looks at the address
    assert "identifying" in found["reasons"]
    await sa.close()
    await sr.close()


async def test_watched_words_each_action(server: ServerProcess, staff: dict[str, Member]) -> None:
    admin, mod = staff["admin"], staff["mod"]
    for body in ({"pattern": "bluelight", "action": "block", "message": "Please leave that word out."},
                 {"pattern": "narcan party", "action": "hold"},
                 {"pattern": "junkie", "action": "replace", "replacement": "person in recovery"},
                 {"pattern": "relapse cure", "action": "flag"}):
        created = admin.post(f"{MOD}/watched-words", body)
        assert created.status_code == 201, created.text
    assert mod.post(f"{MOD}/watched-words", {"pattern": "x", "action": "flag"}).status_code == 403  # admins configure
    bad = admin.post(f"{MOD}/watched-words", {"pattern": "y", "action": "explode"})
    assert bad.status_code == 400 and "action" in bad.json()["error"]["detail"]
    assert admin.post(f"{MOD}/watched-words", {"pattern": "bluelight", "action": "flag"}).status_code == 409
    author = sign_up(server)
    sa = await author.socket()
    await sa.join(5)
    blocked = await send(sa, 5, "anyone into BLUELIGHT stuff")
    assert blocked["type"] == "error" and blocked["code"] == "message_blocked" and blocked["detail"] == "Please leave that word out."
    history = [m["body"] for m in author.get("/api/v1/rooms/5/messages").json()["messages"]]
    assert "anyone into BLUELIGHT stuff" not in history  # nothing stored
    held = await send(sa, 5, "narcan party at mine")
    assert held["message"]["held"]
    replaced = await send(sa, 5, "I was a junkie for ten years")
    assert replaced["message"]["body"] == "I was a person in recovery for ten years" and not replaced["message"]["held"]
    flagged = await send(sa, 5, "found a relapse cure online")
    assert not flagged["message"]["held"]
    found = case_for(mod, "message", flagged["message"]["id"])
    assert found["reasons"] == ["watched_word"]
    reporter = sign_up(server)
    assert report(reporter, "message", flagged["message"]["id"], "spam").status_code == 201
    merged = case_for(mod, "message", flagged["message"]["id"])
    assert merged["id"] == found["id"] and merged["report_count"] == 1 and set(merged["reasons"]) == {"watched_word", "spam"}
    words = admin.get(f"{MOD}/watched-words").json()["watched_words"]
    block_id = next(w["id"] for w in words if w["pattern"] == "bluelight")
    assert admin.patch(f"{MOD}/watched-words/{block_id}", {"action": "flag"}).status_code == 200
    assert (await send(sa, 5, "bluelight again"))["type"] == "ack"
    assert http.delete(f"{server.base}{MOD}/watched-words/{block_id}", headers=admin.headers).status_code == 204
    actions = [e["action"] for e in audit(admin, target_kind="watched_word")]
    assert actions.count("watched_word_added") == 4 and "watched_word_changed" in actions and "watched_word_removed" in actions
    await sa.close()


async def test_new_accounts_links_and_repeats(server: ServerProcess, staff: dict[str, Member]) -> None:
    newcomer, regular = sign_up(server), sign_up(server)
    set_trust(staff["mod"], newcomer, 0, "fresh account during a raid")
    sn, sr = await newcomer.socket(), await regular.socket()
    await sn.join(6)
    await sr.join(6)
    link = await send(sn, 6, "great deals at cheap-pills.shop")
    assert link["message"]["held"] and "new accounts" in link["message"]["notice"].lower()
    resource = await send(sn, 6, "findtreatment.gov helped me find a clinic")
    assert not resource["message"]["held"]  # treatment and crisis sites are welcome from anyone
    assert not (await send(sr, 6, "the meeting list is at example.org/meetings"))["message"]["held"]
    repeats = [await send(sn, 6, "join my group for free support now") for _ in range(4)]
    assert [r["message"]["held"] for r in repeats] == [False, False, False, True]
    assert "duplicate" in case_for(staff["mod"], "message", repeats[-1]["message"]["id"])["reasons"]
    await sn.close()
    await sr.close()


async def test_forum_posts_are_checked_too(server: ServerProcess, staff: dict[str, Member]) -> None:
    author, reader = sign_up(server), sign_up(server)
    created = author.post("/api/v1/forum/boards/1/threads", {"title": "Hello all", "body": "Text me: 555-0142"})
    assert created.status_code == 201 and created.json()["post"]["held"] and created.json()["post"]["notice"]
    thread_id = created.json()["thread"]["id"]
    assert reader.get(f"/api/v1/forum/threads/{thread_id}").status_code == 404  # waiting for a moderator
    found = case_for(staff["mod"], "post", created.json()["post"]["id"])
    acted(staff["mod"], found["id"], "redact", "Contact details stay off Hearth.")
    page = reader.get(f"/api/v1/forum/threads/{thread_id}")
    assert page.status_code == 200 and "555" not in page.json()["posts"][0]["body_html"]
    ok = author.post(f"/api/v1/forum/threads/{thread_id}/replies", {"body": "Selling my old bike, anyone local?"})
    assert ok.status_code == 201 and "held" not in ok.json()["post"]
    sale = author.post(f"/api/v1/forum/threads/{thread_id}/replies", {"body": "selling xanax bars, dm me"})
    assert sale.status_code == 201 and sale.json()["post"]["held"]
    ids = [p["id"] for p in reader.get(f"/api/v1/forum/threads/{thread_id}").json()["posts"]]
    assert ok.json()["post"]["id"] in ids and sale.json()["post"]["id"] not in ids


async def test_private_messages_are_never_queued_automatically(server: ServerProcess, staff: dict[str, Member]) -> None:
    a, b = sign_up(server), sign_up(server)
    room = pair(a, b)
    sa, sb = await a.socket(), await b.socket()
    await sa.join(room)
    await sb.join(room)
    ack = await send(sa, room, "my number is 555-0177 if you ever need me")
    assert ack["type"] == "ack" and not ack["message"]["held"]
    await sb.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == ack["message"]["id"])
    assert not [c for c in queue(staff["mod"]) if c["place"]["kind"] == "conversation" and c["place"]["room_id"] == room]
    await sa.close()
    await sb.close()
