"""C1, C3: one table of every REST operation and every WebSocket frame x every
role (anonymous, the owner, another member, a mentor, a room's host, a specialist,
a moderator, an admin, a suspended and a banned member), asserting allow or deny,
with 404 wherever existence must not leak. The moderation endpoints are in it too."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Iterator

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from server.openapi import OPERATIONS
from tests.e2e.access_matrix_table import CASES, Case, Outcome, request_for
from tests.e2e.access_world import ROLES, SANCTIONED, World, build_world
from tests.support import Database, ServerProcess, Socket

ENV = {"HEARTH_DM_MIN_ACCOUNT_HOURS": "0", "HEARTH_DM_MIN_MESSAGES": "0", "HEARTH_REPORT_RATE": "off",
       "HEARTH_ADDRESS_REPORT_RATE": "off"}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    server = ServerProcess(Database.fresh(), extra_env=ENV).start()
    yield build_world(server)
    server.stop()


def _meets(expected: Outcome, status: int) -> bool:
    if expected == "ok":
        return status not in (401, 403, 404) and status < 500
    return status == expected


def test_every_operation_is_in_the_table() -> None:
    described = {(op.method, op.path) for op in OPERATIONS}
    tabled = {(case.method, case.path) for case in CASES}
    assert described - tabled == set(), "operations missing from the access-control matrix"
    assert tabled - described == set(), "matrix rows for operations that don't exist"
    assert all(set(case.expect) == set(ROLES) for case in CASES)


def test_every_rest_operation_for_every_role(world: World) -> None:
    wrong: list[str] = []
    with httpx.Client(base_url=world.server.base, timeout=30) as client:
        for case in CASES:
            for role in case.roles_in_order():
                response = request_for(client, world, case, role)
                if not _meets(case.expect[role], response.status_code):
                    wrong.append(f"{case.label} as {role}: expected {case.expect[role]}, got {response.status_code} {response.text[:120]}")
                if response.status_code == 404:
                    # "Not yours" is the same error as "never existed" (test_guessed_ids_reveal_nothing compares bytes).
                    assert response.json()["error"]["code"] == "not_found", case.label
    assert not wrong, "\n".join(wrong)
    assert "Traceback" not in world.server.log()


def test_guessed_ids_reveal_nothing(world: World) -> None:
    """Another member probing ids around the owner's private conversation gets
    byte-identical answers for ids that exist and ids that never did."""
    other = world.people["other"]
    conversation = world.ids["conversation"]
    with httpx.Client(base_url=world.server.base, headers=other.headers, timeout=30) as client:
        for template in ("/api/v1/rooms/{}", "/api/v1/rooms/{}/messages", "/api/v1/conversations/{}"):
            real = client.get(template.format(conversation))
            missing = client.get(template.format(10_000_000))
            assert real.status_code == missing.status_code == 404
            assert real.content == missing.content
        for template in ("/api/v1/me/recovery/goals/{}", "/api/v1/me/recovery/day-counts/{}"):
            key = "goal" if "goals" in template else "counter"
            real = client.patch(template.format(world.ids.get(key, 1)), json={"title": "x", "label": "x"})
            missing = client.patch(template.format(10_000_000), json={"title": "x", "label": "x"})
            assert real.status_code == missing.status_code == 404 and real.content == missing.content
        # Moderation ids: a case, a private conversation's hosts and pause, the owner's warning to appeal.
        mod, case = "/api/v1/moderation", world.ids["case"]
        for method, real_path, missing_path, real_body, missing_body in (
            ("GET", f"{mod}/cases/{case}", f"{mod}/cases/10000000", None, None),
            ("POST", f"{mod}/cases/{case}/claim", f"{mod}/cases/10000000/claim", None, None),
            ("GET", f"{mod}/rooms/{conversation}/hosts", f"{mod}/rooms/10000000/hosts", None, None),
            ("POST", f"{mod}/rooms/{conversation}/pause", f"{mod}/rooms/10000000/pause", {"minutes": 5}, {"minutes": 5}),
            ("POST", "/api/v1/appeals", "/api/v1/appeals", {"action_id": world.ids["owner_action"], "body": "Mine?"},
             {"action_id": 10_000_000, "body": "Mine?"}),
        ):
            real = client.request(method, real_path, json=real_body)
            missing = client.request(method, missing_path, json=missing_body)
            assert real.status_code == missing.status_code == 404 and real.content == missing.content, real_path
    # A room's host: a case that isn't about their room is the same 404 as one that never was.
    with httpx.Client(base_url=world.server.base, headers=world.people["host"].headers, timeout=30) as client:
        real = client.get(f"/api/v1/moderation/cases/{world.ids['case_elsewhere']}")
        missing = client.get("/api/v1/moderation/cases/10000000")
        assert real.status_code == missing.status_code == 404 and real.content == missing.content


# ---- frames -----------------------------------------------------------------------------

DENIED = {"not_found", "forbidden", "not_host", "not_a_participant"}


@dataclass
class Frame:
    frame: dict[str, Any]
    expect: dict[str, str]  # role -> "ok" or the error code the role must get
    ids: dict[str, str] | None = None  # frame field -> World.ids key
    note: str = ""


def _frames() -> list[Frame]:
    members = ("owner", "other", "mentor", "host", "specialist", "moderator", "admin")
    every = {r: "ok" for r in members}

    def only(*allowed: str, denied: str = "not_found") -> dict[str, str]:
        return {r: ("ok" if r in allowed else denied) for r in members}

    conv = {"room_id": "conversation"}
    return [
        Frame({"type": "ping"}, every),
        Frame({"type": "join", "room_id": 2}, every, note="topic room"),
        Frame({"type": "join"}, only("owner"), conv, note="private conversation: its two people only, staff included"),
        Frame({"type": "typing"}, only("owner"), conv),
        Frame({"type": "send", "body": "hello", "client_id": "matrix"}, only("owner"), conv),
        Frame({"type": "edit", "body": "changed"}, only("owner", denied="forbidden"), {"message_id": "message"},
              note="a message everyone in the room can see: not theirs to change"),
        Frame({"type": "edit", "body": "changed"}, only("owner"), {"message_id": "private_message"}),
        Frame({"type": "react", "kind": "hug"}, every, {"message_id": "message"}, note="a message in a topic room"),
        Frame({"type": "react", "kind": "hug"}, only("owner"), {"message_id": "private_message"}),
        Frame({"type": "read", "room_id": 2, "seq": 1}, every),
        Frame({"type": "read", "seq": 1}, only("owner"), conv),
        Frame({"type": "leave", "room_id": 2}, every),
        Frame({"type": "subscribe_thread"}, every, {"thread_id": "thread"}),
        Frame({"type": "unsubscribe_thread"}, every, {"thread_id": "thread"}),
        Frame({"type": "meeting_state"}, every, {"meeting_id": "meeting"}),
        Frame({"type": "meeting_open"}, only("moderator", "admin", denied="not_host"), {"meeting_id": "meeting"}),
        Frame({"type": "hand_raise"}, every, {"meeting_id": "meeting"}),
        Frame({"type": "floor_give"}, only("moderator", "admin", denied="not_host"), {"meeting_id": "meeting"},
              note="to the first raised hand"),
        Frame({"type": "floor_end"}, only("moderator", "admin", "mentor", denied="not_host"), {"meeting_id": "meeting"},
              note="the admin gave the floor to the mentor (second hand up): the speaker may end it"),
        Frame({"type": "hand_lower"}, every, {"meeting_id": "meeting"}),
        Frame({"type": "meeting_close"}, only("moderator", "admin", denied="not_host"), {"meeting_id": "meeting"}),
        Frame({"type": "delete"}, only("owner", denied="not_found"), {"message_id": "private_message"}),
    ]


async def test_every_frame_for_every_role(world: World) -> None:
    from server.ws_handlers import _ALL

    frames = _frames()
    assert {f.frame["type"] for f in frames} == set(_ALL), "frame types missing from the matrix"
    # The REST matrix deleted its meeting: a fresh one, hosted by nobody in the matrix.
    meeting = world.people["moderator"].post("/api/v1/meetings", json={"room_id": 2, "title": "Frames", "day": 3, "time": "18:00"})
    world.ids["meeting"] = meeting.json()["meeting"]["id"]
    for role in ("anonymous", *SANCTIONED):  # no socket at all, so no frame: the session was ended by the ban or suspension
        with pytest.raises(InvalidStatus) as refused:
            await Socket.open(world.server.ws_url, world.people[role].headers if role in world.people else {})
        assert refused.value.response.status_code == 403, role
    sockets = {role: await Socket.open(world.server.ws_url, world.people[role].headers)
               for role in ROLES if role != "anonymous" and role not in SANCTIONED}
    wrong: list[str] = []
    for case in frames:
        frame = dict(case.frame)
        for key, source in (case.ids or {}).items():
            frame[key] = world.ids[source]
        for role in [r for r in sockets if r != "owner"] + ["owner"]:  # the owner's call may change the object: last
            reply = await sockets[role].request(frame)
            got = "ok" if reply["type"] != "error" or reply["code"] not in DENIED else reply["code"]
            if got != case.expect[role]:
                wrong.append(f"{frame} as {role}: expected {case.expect[role]}, got {reply.get('type')} {reply.get('code')}")
    for sock in sockets.values():
        await sock.close()
    assert not wrong, "\n".join(wrong)


async def test_no_event_of_a_private_conversation_reaches_anyone_else(world: World) -> None:
    """While the two participants talk, every other role's socket (joined to
    everything it may join) receives nothing of it."""
    owner, friend = world.people["owner"], world.people["friend"]
    conversation = world.ids["conversation"]
    watchers = {role: await Socket.open(world.server.ws_url, world.people[role].headers)
                for role in ("other", "mentor", "host", "specialist", "moderator", "admin")}
    for sock in watchers.values():
        await sock.join(2)
        reply = await sock.request({"type": "join", "room_id": conversation})
        assert reply["type"] == "error" and reply["code"] == "not_found"
    a, b = await Socket.open(world.server.ws_url, owner.headers), await Socket.open(world.server.ws_url, friend.headers)
    await a.join(conversation)
    await b.join(conversation)
    for i in range(20):
        sent = await (a if i % 2 else b).say(conversation, f"private line {i}")
    await a.wait_for(lambda f: f.get("type") == "message" and f["message"]["id"] == sent["message"]["id"])
    await asyncio.sleep(0.5)
    for role, sock in watchers.items():
        leaked = [f for f in sock.frames if f.get("room_id") == conversation or "private line" in str(f)]
        assert not leaked, (role, leaked[:3])
        await sock.close()
    await a.close()
    await b.close()
