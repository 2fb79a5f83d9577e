"""Talk to someone now: queue order and places, one helper per request when two
take it at once, per-helper caps, and the path when nobody is free."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import Iterator

import pytest

from tests.e2e.dm_support import OPEN_DMS, delete, post_together, put
from tests.e2e.forum_support import run_sql, sql_ago
from tests.support import Database, Member, ServerProcess, create_staff, http, sign_up

OFFER_SECONDS = 2


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    env = {**OPEN_DMS, "HEARTH_TALK_NOW_OFFER_SECONDS": str(OFFER_SECONDS), "HEARTH_TALK_NOW_MAX_CHATS": "3"}
    proc = ServerProcess(Database.fresh(), extra_env=env).start()
    yield proc
    proc.stop()


_helpers: list[Member] = []


def available(helper: Member, on: bool = True, max_chats: int = 1) -> None:
    response = put(helper, "/api/v1/talk-now/availability", {"available": on, "max_chats": max_chats})
    assert response.status_code == 200, response.text
    _helpers.append(helper)


def nobody_on_call() -> None:
    for helper in _helpers:
        put(helper, "/api/v1/talk-now/availability", {"available": False})


_sweepers: dict[int, Member] = {}


def empty_queue(server: ServerProcess) -> None:
    """Each test starts from an empty queue: a specialist takes and ends whatever is waiting."""
    sweeper = _sweepers.get(server.port) or _sweepers.setdefault(server.port, create_staff(server, "specialist"))
    available(sweeper, max_chats=3)
    while waiting := sweeper.get("/api/v1/talk-now/queue").json()["queue"]:
        taken = sweeper.post(f"/api/v1/talk-now/{waiting[0]['id']}/take")
        assert taken.status_code == 200, taken.text
        assert sweeper.post(f"/api/v1/talk-now/{waiting[0]['id']}/end").status_code == 200
    available(sweeper, on=False)


async def test_queue_order_places_and_taking(server: ServerProcess) -> None:
    empty_queue(server)
    first, second, third = sign_up(server), sign_up(server), sign_up(server)
    socks = [await m.socket() for m in (first, second, third)]
    places = [m.post("/api/v1/talk-now").json()["request"]["position"] for m in (first, second, third)]
    assert places == [1, 2, 3]
    assert first.post("/api/v1/talk-now").json()["request"]["position"] == 1  # asking again keeps the place

    specialist = create_staff(server, "specialist")
    assert specialist.get("/api/v1/talk-now/queue").status_code == 200  # may look before going on call
    available(specialist, max_chats=2)
    queue = specialist.get("/api/v1/talk-now/queue").json()["queue"]
    assert [q["member"]["pseudonym"] for q in queue] == [first.pseudonym, second.pseudonym, third.pseudonym]

    taken = specialist.post(f"/api/v1/talk-now/{queue[0]['id']}/take")
    assert taken.status_code == 200, taken.text
    conv = taken.json()["request"]["conversation_id"]
    got = await socks[0].wait_for(lambda f: f["type"] == "talk_now_taken")
    assert got["request"]["conversation_id"] == conv and got["request"]["helper"]["pseudonym"] == specialist.pseudonym
    # The others move up, and are told.
    await socks[1].wait_for(lambda f: f["type"] == "talk_now_position" and f["position"] == 1)
    await socks[2].wait_for(lambda f: f["type"] == "talk_now_position" and f["position"] == 2)
    assert third.get("/api/v1/talk-now").json()["request"]["position"] == 2
    # They have a private conversation, marked as such.
    assert first.get(f"/api/v1/conversations/{conv}").json()["conversation"]["purpose"] == "talk_now"
    assert second.get(f"/api/v1/conversations/{conv}").status_code == 404
    # Leaving the queue moves the next one up.
    assert delete(second, "/api/v1/talk-now").status_code == 200
    await socks[2].wait_for(lambda f: f["type"] == "talk_now_position" and f["position"] == 1)
    assert delete(second, "/api/v1/talk-now").status_code == 404
    # Either side ends the chat; the helper's slot comes back.
    assert second.post(f"/api/v1/talk-now/{queue[0]['id']}/end").status_code == 404
    assert first.post(f"/api/v1/talk-now/{queue[0]['id']}/end").status_code == 200
    assert specialist.get("/api/v1/talk-now/availability").json()["availability"]["active_chats"] == 0
    assert specialist.post(f"/api/v1/talk-now/{queue[2]['id']}/take").status_code == 200
    for sock in socks:
        await sock.close()


def test_only_helpers_see_and_take_the_queue(server: ServerProcess) -> None:
    member, other = sign_up(server), sign_up(server)
    request = member.post("/api/v1/talk-now").json()["request"]
    assert other.get("/api/v1/talk-now/queue").status_code == 403
    assert other.post(f"/api/v1/talk-now/{request['id']}/take").status_code == 403
    assert put(other, "/api/v1/talk-now/availability", {"available": True}).status_code == 403
    specialist = create_staff(server, "specialist")
    not_on_call = specialist.post(f"/api/v1/talk-now/{request['id']}/take")
    assert not_on_call.status_code == 403 and not_on_call.json()["error"]["code"] == "not_available"
    assert put(specialist, "/api/v1/talk-now/availability", {"available": True, "max_chats": 4}).status_code == 400
    assert put(specialist, "/api/v1/talk-now/availability", {"available": "yes"}).status_code == 400
    # A mentor who offers to listen is a helper too.
    mentor = sign_up(server)
    profile = {"recovery_since": "2018-01-01", "focus": ["general"], "tz_band": "americas"}
    assert put(mentor, "/api/v1/mentorship/profile", profile).status_code == 200
    available(mentor)
    assert mentor.post(f"/api/v1/talk-now/{request['id']}/take").status_code == 200
    assert http.post(server.base + "/api/v1/talk-now").status_code == 401


@pytest.mark.parametrize("round_", range(3))
def test_two_helpers_taking_at_once_one_wins(server: ServerProcess, round_: int) -> None:
    empty_queue(server)
    member = sign_up(server)
    request = member.post("/api/v1/talk-now").json()["request"]
    a, b = create_staff(server, "specialist"), create_staff(server, "specialist")
    available(a)
    available(b)
    path = f"/api/v1/talk-now/{request['id']}/take"
    results = asyncio.run(post_together([(a, path, None), (b, path, None)]))
    assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
    loser = [r for r in results if r.status_code == 409][0]
    assert loser.json()["error"]["code"] == "already_taken"
    slots = [m.get("/api/v1/talk-now/availability").json()["availability"]["active_chats"] for m in (a, b)]
    assert sorted(slots) == [0, 1]  # the loser's slot was given back
    assert member.get("/api/v1/talk-now").json()["request"]["status"] == "taken"


def test_a_helpers_cap_holds_when_taking_two_at_once(server: ServerProcess) -> None:
    empty_queue(server)
    members = [sign_up(server) for _ in range(3)]
    requests = [m.post("/api/v1/talk-now").json()["request"] for m in members]
    helper = create_staff(server, "specialist")
    available(helper, max_chats=2)
    calls = [(helper, f"/api/v1/talk-now/{r['id']}/take", None) for r in requests]
    results = asyncio.run(post_together(calls))
    assert sorted(r.status_code for r in results) == [200, 200, 409], [r.text for r in results]
    assert [r.json()["error"]["code"] for r in results if r.status_code == 409] == ["at_capacity"]
    assert helper.get("/api/v1/talk-now/availability").json()["availability"] == {"available": True, "max_chats": 2, "active_chats": 2}
    empty_queue(server)


def test_when_nobody_takes_it_the_member_is_offered_other_help_and_may_stay(server: ServerProcess) -> None:
    empty_queue(server)
    nobody_on_call()
    member = sign_up(server)
    request = member.post("/api/v1/talk-now").json()["request"]
    assert request["alternatives"] is None
    assert request["helpers_free"] == 0 and request["estimate_seconds"] is None  # honest: nobody is free, no promise
    offer_at = datetime.fromisoformat(request["offer_alternatives_at"])
    time.sleep(max(0.0, (offer_at - datetime.now(timezone.utc)).total_seconds()) + 0.2)
    later = member.get("/api/v1/talk-now").json()["request"]
    assert later["status"] == "waiting" and later["position"] == 1  # still in the queue
    offer = later["alternatives"]
    assert offer["crisis_resources"] is True and offer["forum"] is True
    assert offer["room"]["id"] >= 1 and offer["room"]["name"]
    assert "Get help now" in offer["message"]
    # A helper arriving later still finds them.
    helper = create_staff(server, "specialist")
    available(helper)
    assert helper.post(f"/api/v1/talk-now/{request['id']}/take").status_code == 200


def test_the_estimate_is_recent_waits_scaled_by_place_and_free_helpers(server: ServerProcess) -> None:
    empty_queue(server)
    nobody_on_call()
    # Twenty recent chats that each waited exactly a minute: the history the estimate reads.
    past = sign_up(server)
    row = f"(:member, 'ended', {sql_ago(server, 120)}, {sql_ago(server, 60)}, {sql_ago(server, 60)})"
    run_sql(server, "INSERT INTO talk_requests (member_id, status, created_at, taken_at, ended_at) VALUES "
            + ", ".join([row] * 20), {"member": past.user["id"]})
    first, second = sign_up(server), sign_up(server)
    assert first.post("/api/v1/talk-now").json()["request"]["estimate_seconds"] is None  # nobody free: no promise
    one, two = create_staff(server, "specialist"), create_staff(server, "specialist")
    available(one)
    mine = first.get("/api/v1/talk-now").json()["request"]
    assert (mine["position"], mine["helpers_free"], mine["estimate_seconds"]) == (1, 1, 60)
    theirs = second.post("/api/v1/talk-now").json()["request"]
    assert (theirs["position"], theirs["estimate_seconds"]) == (2, 120)  # one helper: two waits ahead of them
    available(two)
    theirs = second.get("/api/v1/talk-now").json()["request"]
    assert (theirs["helpers_free"], theirs["estimate_seconds"]) == (2, 60)  # two helpers: the next one free
    empty_queue(server)
