"""No scraping (C17, C14): there is no member directory; profile details
(day-count badges) only for people who share a room; every list has a page
cap; and one per-member budget covers every page and list, so a loop of
fetches is cut off with 429 while everyone else carries on. Refusals are
logged as security events without names, ids or addresses (C21)."""

from __future__ import annotations

import asyncio
import json
from typing import Iterator

import httpx
import pytest

from tests.support import Database, Member, ServerProcess, http, sign_up

BUDGET = 40


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env={"HEARTH_READ_RATE": f"{BUDGET}/minute"}).start()
    yield proc
    proc.stop()


async def _take_part(member: Member, room_id: int) -> None:
    sock = await member.socket()
    await sock.join(room_id)
    await sock.close()


def test_there_is_no_member_directory(server: ServerProcess) -> None:
    member = sign_up(server)
    for path in ("/api/v1/users", "/api/v1/members", "/api/v1/rooms/2/members", "/api/v1/users/1", "/api/v1/profiles/1"):
        assert member.get(path).status_code == 404, path


async def test_badges_only_for_people_who_share_a_room(server: ServerProcess) -> None:
    sharer, neighbour, stranger = sign_up(server), sign_up(server), sign_up(server)
    assert sharer.post("/api/v1/me/recovery/day-counts", json={"label": "Days", "shared": True}).status_code == 201
    await _take_part(sharer, 4)
    await _take_part(neighbour, 4)
    await _take_part(stranger, 5)
    ids = ",".join(str(i) for i in range(1, 40))  # paging through every id finds only the neighbours
    seen_by_neighbour = neighbour.get(f"/api/v1/recovery/badges?users={ids}").json()["badges"]
    seen_by_stranger = stranger.get(f"/api/v1/recovery/badges?users={ids}").json()["badges"]
    assert str(sharer.user["id"]) in seen_by_neighbour
    assert str(sharer.user["id"]) not in seen_by_stranger
    assert sharer.get(f"/api/v1/recovery/badges?users={sharer.user['id']}").json()["badges"]  # your own, always
    too_many = ",".join(str(i) for i in range(1, 102))
    assert neighbour.get(f"/api/v1/recovery/badges?users={too_many}").status_code == 400


def test_every_paged_list_has_a_cap(server: ServerProcess) -> None:
    member = sign_up(server)
    for path in ("/api/v1/rooms/2/messages?limit=101", "/api/v1/forum/boards/1/threads?limit=101",
                 "/api/v1/search?q=hello&limit=51", "/api/v1/recovery/wins?limit=1000000"):
        response = member.get(path)
        assert response.status_code == 400 or len(next(v for v in response.json().values() if isinstance(v, list))) <= 100, path


def test_a_loop_of_fetches_is_cut_off_and_others_carry_on(server: ServerProcess) -> None:
    scraper, other = sign_up(server), sign_up(server)
    statuses = []
    with httpx.Client(base_url=server.base, headers=scraper.headers) as client:
        for i in range(BUDGET + 10):
            statuses.append(client.get(f"/api/v1/recovery/badges?users={i + 1}"))
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, "the loop was never cut off"
    assert sum(r.status_code == 200 for r in statuses) <= BUDGET
    assert int(limited[0].headers["retry-after"]) >= 1
    assert limited[0].json()["error"]["code"] == "rate_limited"
    assert other.get("/api/v1/rooms").status_code == 200  # one member's budget is not another's
    # Writes are not counted against it: the scraper can still post (their own windows apply).
    assert scraper.post("/api/v1/me/recovery/goals", json={"title": "Rest"}).status_code == 201


def test_refusals_are_logged_without_names_ids_or_addresses(server: ServerProcess) -> None:
    member = sign_up(server)
    assert member.get("/api/v1/crisis/flags").status_code == 403
    assert http.get(server.base + "/api/v1/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    events = [e["msg"] for e in lines if e.get("logger") == "hearth.security"]
    assert any("403 GET /api/v1/crisis/flags: forbidden" in e for e in events), events[-5:]
    assert any("401 GET /api/v1/me" in e for e in events)
    for event in events:
        assert member.pseudonym not in event and member.token not in event and "not-a-token" not in event
        assert "127.0.0.1" not in event
