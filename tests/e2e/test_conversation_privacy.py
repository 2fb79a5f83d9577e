"""Only the two participants can read, page, resume, write to or touch a private
conversation. A third member, a moderator (staff get no exception) and an
anonymous client are refused, and the refusal is the same as for an id that
does not exist, so a guessed id reveals nothing."""

from __future__ import annotations

import asyncio
from typing import Any, Iterator

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.e2e.dm_support import OPEN_DMS, pair
from tests.support import Database, Member, ServerProcess, Socket, create_staff, http, sign_up


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env=OPEN_DMS).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def setting(server: ServerProcess) -> dict[str, Any]:
    alice, bob = sign_up(server), sign_up(server)
    conv = pair(alice, bob)

    async def write() -> dict[str, Any]:
        sock = await alice.socket()
        first = (await sock.say(conv, "something private"))["message"]
        second = (await sock.say(conv, "something else private"))["message"]
        await sock.close()
        return {"first": first, "second": second}

    messages = asyncio.run(write())
    return {"alice": alice, "bob": bob, "conv": conv, **messages,
            "outsider": sign_up(server), "moderator": create_staff(server, "moderator")}


def _rest_paths(conv: int, message_id: int) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/api/v1/conversations/{conv}", None),
        ("GET", f"/api/v1/rooms/{conv}", None),
        ("GET", f"/api/v1/rooms/{conv}/messages", None),
        ("GET", f"/api/v1/rooms/{conv}/messages?limit=100", None),
        ("GET", f"/api/v1/rooms/{conv}/messages?before={message_id + 1}", None),
        ("GET", f"/api/v1/rooms/{conv}/messages?after=0", None),
        ("POST", f"/api/v1/conversations/{conv}/read", {"seq": 1}),
        ("PATCH", f"/api/v1/rooms/{conv}", {"name": "Not yours"}),
    ]


def _call(server: ServerProcess, who: Member | None, method: str, path: str, body: Any) -> httpx.Response:
    headers = who.headers if who else {}
    return http.request(method, server.base + path, headers=headers, json=body)


@pytest.mark.parametrize("who", ["outsider", "moderator"])
def test_rest_refuses_everyone_but_the_participants_as_not_found(server: ServerProcess, setting: dict[str, Any], who: str) -> None:
    intruder: Member = setting[who]
    conv, message_id = setting["conv"], setting["first"]["id"]
    guessed = conv + 10_000  # never existed
    for method, path, body in _rest_paths(conv, message_id):
        real = _call(server, intruder, method, path, body)
        fake = _call(server, intruder, method, path.replace(f"/{conv}", f"/{guessed}"), body)
        # A member may not manage any room at all: that 403 comes before any lookup.
        expected = 403 if (method == "PATCH" and who == "outsider") else 404
        assert real.status_code == expected, (who, method, path, real.text)
        assert real.json() == fake.json(), (method, path)  # indistinguishable from an id that doesn't exist
    listed = intruder.get("/api/v1/conversations").json()["conversations"]
    assert conv not in [c["id"] for c in listed]
    assert conv not in [r["id"] for r in intruder.get("/api/v1/rooms?archived=true").json()["rooms"]]
    # Nothing changed: the participants' conversation is as it was.
    assert setting["alice"].get(f"/api/v1/rooms/{conv}").json()["room"]["name"] == "Private conversation"


def test_participants_pass_the_same_checks(server: ServerProcess, setting: dict[str, Any]) -> None:
    conv, message_id = setting["conv"], setting["first"]["id"]
    for member in (setting["alice"], setting["bob"]):
        for method, path, body in _rest_paths(conv, message_id):
            expected = 403 if method == "PATCH" else 200  # members never manage rooms
            assert _call(server, member, method, path, body).status_code == expected, (method, path)


def test_anonymous_clients_are_refused_identically_for_real_and_guessed_ids(server: ServerProcess, setting: dict[str, Any]) -> None:
    conv, message_id = setting["conv"], setting["first"]["id"]
    for method, path, body in _rest_paths(conv, message_id):
        real = _call(server, None, method, path, body)
        fake = _call(server, None, method, path.replace(f"/{conv}", f"/{conv + 10_000}"), body)
        assert real.status_code == 401 and real.json() == fake.json(), (method, path)
    assert _call(server, None, "GET", "/api/v1/conversations", None).status_code == 401


async def test_anonymous_sockets_are_refused_at_the_handshake(server: ServerProcess) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await Socket.open(server.ws_url, {})
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("who", ["outsider", "moderator"])
async def test_frames_refuse_everyone_but_the_participants(server: ServerProcess, setting: dict[str, Any], who: str) -> None:
    intruder: Member = setting[who]
    conv, first = setting["conv"], setting["first"]
    sock = await intruder.socket()
    frames = [
        {"type": "join", "room_id": conv},
        {"type": "join", "room_id": conv, "after_seq": 0},
        {"type": "send", "room_id": conv, "body": "let me in", "client_id": f"x-{who}"},
        {"type": "edit", "message_id": first["id"], "body": "changed"},
        {"type": "delete", "message_id": first["id"]},
        {"type": "typing", "room_id": conv},
    ]
    for frame in frames:
        reply = await sock.request(frame)
        assert reply["type"] == "error" and reply["code"] == "not_found", (frame, reply)
        guessed = {**frame, **({"room_id": conv + 10_000} if "room_id" in frame else {"message_id": first["id"] + 10_000})}
        fake = await sock.request(guessed)
        assert (fake["code"], fake["detail"]) == (reply["code"], reply["detail"]), frame
    # The participants go on talking; the intruder's socket hears nothing of it.
    alice_sock = await setting["alice"].socket()
    await alice_sock.say(conv, "still private")
    await sock.quiet()
    assert not [f for f in sock.frames if f.get("room_id") == conv and f["type"] != "error"]
    history = setting["alice"].get(f"/api/v1/rooms/{conv}/messages?limit=100").json()["messages"]
    assert "let me in" not in [m["body"] for m in history]
    assert [m for m in history if m["id"] == first["id"]][0]["body"] == "something private"
    for s in (sock, alice_sock):
        await s.close()


def test_a_participant_cannot_edit_the_other_ones_message(server: ServerProcess, setting: dict[str, Any]) -> None:
    async def run() -> dict[str, Any]:
        sock = await setting["bob"].socket()
        reply = await sock.request({"type": "edit", "message_id": setting["second"]["id"], "body": "bob was here"})
        await sock.close()
        return reply

    reply = asyncio.run(run())
    assert reply["type"] == "error" and reply["code"] == "forbidden"


async def test_a_specialist_sees_a_flagged_private_message_with_a_few_before_it_and_nothing_more(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    conv = pair(alice, bob)
    specialist = create_staff(server, "specialist")
    a, b = await alice.socket(), await bob.socket()
    earlier = [f"earlier line {i}" for i in range(5)]
    for i, line in enumerate(earlier):
        await (a if i % 2 else b).say(conv, line)
    flagged = (await a.say(conv, "I have the pills lined up and tonight is the night"))["message"]
    await b.say(conv, "a reply after the flag")

    flags = specialist.get("/api/v1/crisis/flags").json()["flags"]
    mine = [f for f in flags if f["member"]["pseudonym"] == alice.pseudonym]
    assert len(mine) == 1
    flag = specialist.get(f"/api/v1/crisis/flags/{mine[0]['id']}").json()["flag"]
    [item] = [i for i in flag["items"] if i["message_id"] == flagged["id"]]
    assert item["place_kind"] == "conversation" and item["excerpt"] == flagged["body"]
    # The three messages before it, whoever wrote them; nothing older, nothing after.
    assert [c["body"] for c in item["context"]] == earlier[-3:]
    assert [c["author"] for c in item["context"]] == [bob.pseudonym, alice.pseudonym, bob.pseudonym]
    whole = str(flag)
    assert "earlier line 0" not in whole and "earlier line 1" not in whole and "a reply after the flag" not in whole
    # The flag is no key to the conversation itself.
    assert specialist.get(f"/api/v1/rooms/{conv}/messages").status_code == 404
    assert specialist.get(f"/api/v1/conversations/{conv}").status_code == 404
    for sock in (a, b):
        await sock.close()
