"""A small community with one of everything, owned by one member, for the access-control matrix.

Besides the owner and the staff: a member who hosts room 2 (`host`), and two members whose
sessions a moderator ended by suspending (`suspended`) and banning (`banned`) them. Their
tokens are the ones they held before: every door that needs a session must stay shut to
them, and their open sockets must have closed (1008 with the reason)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from tests.support import PASSWORD, Member, ServerProcess, create_staff, http, sign_up

ROLES = ("anonymous", "owner", "other", "mentor", "host", "specialist", "moderator", "admin", "suspended", "banned")
SANCTIONED = ("suspended", "banned")  # sessions ended by a moderator; log-in refused
CRISIS = "I have the pills lined up and tonight is the night"


@dataclass
class World:
    server: ServerProcess
    people: dict[str, Member] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)

    def token(self, role: str) -> str | None:
        return None if role == "anonymous" else self.people[role].token

    def fresh_token(self, role: str) -> str | None:
        """A second session, for calls that end the one they are made with (log-out)."""
        if role == "anonymous":
            return None
        if role in SANCTIONED:  # they can't log in: the old (ended) session is all they have
            return self.token(role)
        response = http.post(self.server.base + "/api/v1/auth/login", json={"pseudonym": self.people[role].pseudonym, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return str(response.json()["token"])


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code < 300, (response.request.url, response.status_code, response.text[:300])
    return response.json() if response.content else {}


def build_world(server: ServerProcess) -> World:
    w = World(server)
    p = w.people
    p["owner"], p["other"], p["friend"], p["nuisance"], p["mentor"], p["host"] = (sign_up(server) for _ in range(6))
    p["suspended"], p["banned"] = sign_up(server), sign_up(server)
    for role in ("specialist", "moderator", "admin"):
        p[role] = create_staff(server, role)
    owner, friend, mentor, specialist, moderator = p["owner"], p["friend"], p["mentor"], p["specialist"], p["moderator"]
    put = lambda m, path, body: http.put(server.base + path, json=body, headers=m.headers)  # noqa: E731

    _ok(put(mentor, "/api/v1/mentorship/profile", {"recovery_since": "2015-01-01", "focus": ["alcohol"], "tz_band": "europe_africa"}))
    _ok(put(friend, "/api/v1/me/messaging", {"who_can_message": "anyone"}))
    _ok(specialist.post("/api/v1/crisis/oncall", json={"on_call": True}))
    # Hosts before anything is reported, so the room's cases go to its host first.
    _ok(moderator.post("/api/v1/moderation/rooms/2/hosts", json={"pseudonym": p["host"].pseudonym}))
    _ok(moderator.post("/api/v1/moderation/rooms/4/hosts", json={"pseudonym": friend.pseudonym}))
    w.ids["host_to_remove"] = friend.user["id"]
    w.ids["conversation"] = _ok(owner.post("/api/v1/conversations", json={"pseudonym": friend.pseudonym}))["conversation"]["id"]

    async def chat() -> None:
        sock = await owner.socket()
        await sock.join(w.ids["conversation"])
        w.ids["private_message"] = (await sock.say(w.ids["conversation"], "just between us"))["message"]["id"]
        await sock.join(2)
        w.ids["message"] = (await sock.say(2, "hello everyone"))["message"]["id"]
        w.ids["message_to_hide"] = (await sock.say(2, "a message staff may hide"))["message"]["id"]
        await sock.join(3)
        await sock.say(3, CRISIS)
        await sock.close()
        for name in ("other", "friend", "mentor", "host"):  # everyone takes part in the first room
            s = await p[name].socket()
            await s.join(2)
            await s.close()
        s = await p["nuisance"].socket()
        w.ids["reported_message"] = (await s.say(2, "nobody here gets it"))["message"]["id"]
        await s.close()

    asyncio.run(chat())
    deadline = time.monotonic() + 20
    while True:
        flags = _ok(specialist.get("/api/v1/crisis/flags"))["flags"]
        if flags or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert flags, "the crisis message raised no flag"
    w.ids["flag"] = flags[0]["id"]

    thread = _ok(owner.post("/api/v1/forum/boards/1/threads", json={"title": "My first week", "body": "Day seven."}))
    w.ids["thread"], w.ids["post"] = thread["thread"]["id"], thread["post"]["id"]
    w.ids["reply"] = _ok(owner.post(f"/api/v1/forum/threads/{w.ids['thread']}/replies", json={"body": "Still here."}))["post"]["id"]
    w.ids["board"] = 1

    goal = _ok(owner.post("/api/v1/me/recovery/goals", json={"title": "Walk daily", "steps": ["Buy shoes"]}))["goal"]
    w.ids["goal"], w.ids["step"] = goal["id"], goal["steps"][0]["id"]
    start = (date.today() - timedelta(days=3)).isoformat()
    counter = _ok(owner.post("/api/v1/me/recovery/day-counts", json={"label": "Days", "start_date": start, "shared": True}))["day_count"]
    w.ids["counter"] = counter["id"]
    w.ids["milestone_key"] = "1d"
    w.ids["milestone"] = _ok(owner.post(f"/api/v1/me/recovery/day-counts/{counter['id']}/milestones/1d/share", json={}))["milestone_id"]
    w.ids["day"] = _ok(owner.post("/api/v1/me/recovery/check-ins", json={"mood": 3, "craving": 2}))["check_in"]["day"]
    partnership = _ok(owner.post("/api/v1/me/recovery/partners", json={"pseudonym": friend.pseudonym}))["partnership"]
    _ok(friend.post(f"/api/v1/me/recovery/partners/{partnership['id']}/accept"))
    w.ids["partnership"] = partnership["id"]
    w.ids["consent"] = _ok(owner.post("/api/v1/me/recovery/early-warning/consents", json={"pseudonym": friend.pseudonym}))["consent"]["id"]
    w.ids["mentor_request"] = _ok(owner.post("/api/v1/mentorship/requests", json={"focus": "alcohol", "tz_band": "europe_africa"}))["request"]["id"]
    w.ids["talk"] = _ok(owner.post("/api/v1/talk-now"))["request"]["id"]
    w.ids["meeting"] = _ok(moderator.post("/api/v1/meetings", json={"room_id": 2, "title": "Evening", "day": 2, "time": "19:00"}))["meeting"]["id"]
    _ok(owner.post("/api/v1/blocks", json={"pseudonym": p["nuisance"].pseudonym}))
    w.ids["blocked_user"] = p["nuisance"].user["id"]
    w.ids["owner_id"] = owner.user["id"]
    w.ids["other_pseudonym"] = p["other"].pseudonym
    second = w.fresh_token("owner")
    sessions = _ok(http.get(server.base + "/api/v1/me/sessions", headers={"Authorization": f"Bearer {second}"}))["sessions"]
    w.ids["owner_session"] = next(s["id"] for s in sessions if s.get("current"))  # the second one, not the world's
    w.ids["partnership_pending"] = _ok(owner.post("/api/v1/me/recovery/partners", json={"pseudonym": mentor.pseudonym}))["partnership"]["id"]
    # A mentorship between the friend and the mentor (the owner is no party to it).
    friend_request = _ok(friend.post("/api/v1/mentorship/requests", json={"focus": "alcohol", "tz_band": "europe_africa"}))["request"]
    w.ids["mentorship"] = _ok(mentor.post(f"/api/v1/mentorship/inbox/{friend_request['id']}/accept"))["mentorship"]["id"]
    _moderation(w)
    return w


def _moderation(w: World) -> None:
    """Reports and their cases, actions, an appeal, a watched word, pauses; then the suspension and the ban."""
    p, server = w.people, w.server
    owner, moderator, admin, nuisance = p["owner"], p["moderator"], p["admin"], p["nuisance"]
    mod = "/api/v1/moderation"
    w.ids["nuisance_id"] = nuisance.user["id"]
    _ok(owner.post("/api/v1/reports", json={"kind": "message", "id": w.ids["reported_message"], "reason": "harassment"}))
    _ok(owner.post("/api/v1/reports", json={"kind": "member", "id": nuisance.user["id"], "reason": "harassment"}))
    cases = _ok(moderator.get(f"{mod}/cases"))["cases"]
    w.ids["case"] = next(c["id"] for c in cases if c["target"]["kind"] == "message" and c["target"]["id"] == w.ids["reported_message"])
    w.ids["case_elsewhere"] = next(c["id"] for c in cases if c["target"]["kind"] == "member")  # no room: not the host's
    assert w.ids["case"] in {c["id"] for c in _ok(p["host"].get(f"{mod}/cases"))["cases"]}

    def act(member: Member, body: dict[str, Any]) -> int:
        return int(_ok(moderator.post(f"{mod}/members/{member.user['id']}/actions", json=body))["action"]["id"])

    w.ids["appealed_action"] = act(owner, {"action": "warn", "reason": "Please keep names out of it."})
    w.ids["owner_action"] = act(owner, {"action": "warn", "reason": "Gentle reminder about the guidelines."})
    w.ids["mute_action"] = act(nuisance, {"action": "mute", "minutes": 60, "scope": "everywhere", "reason": "Cooling off."})
    w.ids["appeal"] = _ok(owner.post("/api/v1/appeals", json={"action_id": w.ids["appealed_action"], "body": "I didn't name anyone."}))["appeal"]["id"]
    w.ids["word"] = _ok(admin.post(f"{mod}/watched-words", json={"pattern": "matrixword", "action": "flag"}))["watched_word"]["id"]
    # Pauses for new accounts only (none here: HEARTH_NEW_ACCOUNT_HOURS=0), so nobody's sends change.
    for room in (2, 4):
        _ok(moderator.post(f"{mod}/rooms/{room}/pause", json={"minutes": 60, "slow_seconds": 0, "quiet_new": True}))

    async def sanction() -> None:
        socks = {role: await p[role].socket() for role in ("suspended", "banned")}
        act(p["suspended"], {"action": "suspend", "minutes": 60, "reason": "Spamming links."})
        act(p["banned"], {"action": "ban", "reason": "Selling drugs to members."})
        for role, sock in socks.items():
            assert await asyncio.wait_for(sock.closed, 10) == (1008, role), role  # an open socket closes at once
            await sock.close()

    asyncio.run(sanction())
    for role in ("suspended", "banned"):
        refused = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": p[role].pseudonym, "password": PASSWORD})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == f"account_{role}", refused.text
