"""Client JSON can never set role, trust level, ban state, ownership or crisis
flag state (C19; SECURITY-GUIDE scenario 16): every write endpoint and the chat
frames are sent those fields, and nothing of the kind changes."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from typing import Any


from server.app import create_app
from server.config import load_settings
from tests.support import Member, ServerProcess, create_staff, http, sign_up

CRISIS = "I have the pills lined up and tonight is the night"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
LAST = {("POST", "/api/v1/auth/logout"), ("DELETE", "/api/v1/me")}  # they end the session: run at the end


def write_routes() -> list[tuple[str, str]]:
    """Every (method, path) that changes state, read from the application itself."""
    settings = load_settings({"HEARTH_DATA_DIR": tempfile.mkdtemp(prefix="hearth-routes-")}, make_secret=lambda *a: "r" * 40)
    found = []
    for route in create_app(settings).routes:
        for method in sorted((getattr(route, "methods", None) or set()) & WRITES):
            found.append((method, route.path))  # type: ignore[attr-defined]
    return found


def _evil(other_id: int) -> dict[str, Any]:
    return {
        "role": "admin", "trust_level": 4, "is_admin": True, "is_staff": True, "banned": False, "is_banned": False,
        "banned_until": None, "suspended": False, "status": "resolved", "severity": "none", "outcome": "false_alarm",
        "author_id": other_id, "user_id": other_id, "member_id": other_id, "owner_id": other_id, "id": 1,
        "author": {"id": other_id, "pseudonym": "Moderator"}, "created_at": "2000-01-01T00:00:00+00:00",
    }


def _fill(path: str, ids: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(ids.get(m.group(1), 999_999)), path)


async def test_no_write_endpoint_or_frame_takes_role_ban_ownership_or_flag_state_from_the_client(server: ServerProcess) -> None:
    specialist = create_staff(server, "specialist")
    other = sign_up(server)
    evil = _evil(other.user["id"])
    signed = http.post(server.base + "/api/v1/auth/signup", json={"pseudonym": "Mass" + other.pseudonym[-8:], "password": "a fine long passphrase", **evil})
    assert signed.status_code == 201 and signed.json()["user"]["role"] == "member"
    member = Member(server, signed.json()["user"]["pseudonym"], signed.json()["token"], signed.json()["user"])

    sock = await member.socket()
    await sock.join(2)
    said = await sock.request({"type": "send", "room_id": 2, "body": CRISIS, "client_id": "mass-1", **evil})
    assert said["type"] == "ack" and said["message"]["author"]["id"] == member.user["id"]
    flag_before = [f for f in specialist.get("/api/v1/crisis/flags").json()["flags"] if f["member"]["id"] == member.user["id"]][0]
    edited = await sock.request({"type": "edit", "message_id": said["message"]["id"], "body": "edited", **evil})
    assert edited["message"]["author"]["id"] == member.user["id"]
    await sock.close()

    thread = member.post("/api/v1/forum/boards/1/threads", {"title": "Mine", "body": "My words", **evil}).json()
    assert thread["thread"]["author"]["id"] == member.user["id"] and not thread["thread"].get("pinned")
    counter = member.post("/api/v1/me/recovery/day-counts", {"label": "Sober", **evil}).json()
    goal = member.post("/api/v1/me/recovery/goals", {"title": "Walk", "steps": ["Shoes"], **evil}).json()
    ids = {"board_id": 1, "thread_id": thread["thread"]["id"], "post_id": thread["post"]["id"], "room_id": 2,
           "message_id": said["message"]["id"], "flag_id": flag_before["id"], "user_id": other.user["id"],
           "counter_id": (counter.get("counter") or counter).get("id", 999_999), "goal_id": (goal.get("goal") or goal).get("id", 999_999),
           "kind": "support", "key": "1d", "day": date.today().isoformat()}

    routes = write_routes()
    assert len(routes) > 40
    def phase(selected: list[tuple[str, str]]) -> None:
        for method, path in selected:
            response = http.request(method, server.base + _fill(path, ids), headers=member.headers, json=evil)
            assert response.status_code < 500, (method, path, response.text)
            if (method, path) not in LAST:
                me = member.get("/api/v1/me")
                assert me.status_code == 200 and me.json()["user"]["role"] == "member", (method, path)

    phase([r for r in routes if r[0] != "DELETE" and r not in LAST])
    # Edits with someone else's id in the body changed nothing about whose words they are.
    post = specialist.get(f"/api/v1/forum/posts/{thread['post']['id']}").json()
    assert post["post"]["author"]["id"] == member.user["id"], post
    history = specialist.get("/api/v1/rooms/2/messages?limit=100").json()["messages"]
    assert [m["author"]["id"] for m in history if m["id"] == said["message"]["id"]] == [member.user["id"]]
    phase([r for r in routes if r[0] == "DELETE" and r not in LAST])
    phase([r for r in routes if r in LAST])

    assert other.get("/api/v1/me").json()["user"]["role"] == "member"
    flag_after = specialist.get(f"/api/v1/crisis/flags/{flag_before['id']}").json()["flag"]
    assert (flag_after["status"], flag_after["severity"]) == (flag_before["status"], flag_before["severity"])
