"""Meetings end to end: scheduling in local time, .ics and Meeting Guide JSON,
meeting mode over WebSocket (host controls, hand queue order, quiet mode) and
the reminder before start — once, even with two processes sweeping."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import httpx
import icalendar
import pytest

from tests.support import Database, Member, ServerProcess, configured_redis_url, create_staff, http, sign_up

ROOM = 2  # "Early recovery", seeded


def put(m: Member, path: str, json: Any) -> httpx.Response:
    return http.put(m.server.base + path, headers=m.headers, json=json)


def new_meeting(mod: Member, **fields: Any) -> dict[str, Any]:
    body = {"room_id": ROOM, "title": "Evening share", "day": 0, "time": "23:30", "timezone": "UTC", "types": ["O", "D"], **fields}
    r = mod.post("/api/v1/meetings", body)
    assert r.status_code == 201, r.text
    return r.json()["meeting"]  # type: ignore[no-any-return]


async def test_scheduling_is_for_staff_and_shows_each_members_local_time(server: ServerProcess) -> None:
    mod, member = create_staff(server, "moderator"), sign_up(server)
    assert member.post("/api/v1/meetings", {"room_id": ROOM, "title": "Mine", "day": 1, "time": "10:00"}).status_code == 403
    assert mod.post("/api/v1/meetings", {"room_id": ROOM, "title": "Bad", "day": 7, "time": "10:00"}).status_code == 400
    assert mod.post("/api/v1/meetings", {"room_id": ROOM, "title": "Bad", "day": 1, "time": "24:10"}).status_code == 400
    assert mod.post("/api/v1/meetings", {"room_id": 9999, "title": "Nowhere", "day": 1, "time": "10:00"}).status_code == 404
    meeting = new_meeting(mod, host=member.pseudonym)
    assert meeting["host"]["pseudonym"] == member.pseudonym and meeting["time"] == "23:30"
    put(member, "/api/v1/me/recovery/profile", {"timezone": "America/New_York"})
    listed = [m for m in member.get(f"/api/v1/meetings?room_id={ROOM}").json()["meetings"] if m["id"] == meeting["id"]][0]
    start = datetime.fromisoformat(listed["next_start"])
    assert start.weekday() == 6 and (start.hour, start.minute) == (23, 30)
    offset = "-04:00" if listed["local"]["utc_offset"] == "-04:00" else "-05:00"  # whichever season the test runs in
    assert listed["local"]["time"] == ("19:30" if offset == "-04:00" else "18:30") and listed["local"]["zone"] == "America/New_York"
    far = member.get("/api/v1/meetings?tz=Pacific/Kiritimati").json()["meetings"]
    mine = [m for m in far if m["id"] == meeting["id"]][0]
    assert mine["local"]["day"] == 1 and mine["local"]["time"] == "13:30"  # Monday afternoon at UTC+14
    assert member.get("/api/v1/meetings?tz=Nowhere").status_code == 400
    assert member.patch(f"/api/v1/meetings/{meeting['id']}", {"title": "Hijacked"}).status_code == 403


async def test_ics_export_parses_back(server: ServerProcess) -> None:
    mod, member = create_staff(server, "moderator"), sign_up(server)
    meeting = new_meeting(mod, title="Step study", day=2, time="19:00", timezone="America/New_York", duration_minutes=90)
    r = member.get(f"/api/v1/meetings/{meeting['id']}.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == "Step study"
    assert event["dtstart"].params["TZID"] == "America/New_York"
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, (start.weekday() + 1) % 7) == (19, 0, 2)
    assert event["rrule"]["FREQ"] == ["WEEKLY"] and event["rrule"]["BYDAY"] == ["TU"]
    assert event.decoded("duration") == timedelta(minutes=90)
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["America/New_York"]
    room_cal = icalendar.Calendar.from_ical(member.get(f"/api/v1/meetings.ics?room_id={ROOM}").content)
    assert meeting["title"] in [str(e["summary"]) for e in room_cal.walk("VEVENT")]
    assert http.get(server.base + "/api/v1/meetings.ics").status_code == 401


async def test_meeting_guide_import_and_export(server: ServerProcess) -> None:
    mod, member = create_staff(server, "moderator"), sign_up(server)
    feed = [
        {"name": "Sunday Serenity", "slug": "sunday-serenity", "day": 0, "time": "18:00", "end_time": "19:30",
         "timezone": "America/Los_Angeles", "types": ["O", "T"], "notes": "Newcomers welcome.", "city": "Anytown", "state": "CA", "country": "US"},
        {"name": "Twice weekly", "slug": "twice", "day": [1, 4], "time": "07:00"},
        {"name": "By appointment", "slug": "appt"},
        {"name": "Broken", "slug": "broken", "day": 2, "time": "7pm"},
    ]
    assert member.post("/api/v1/meetings/meeting-guide", {"room_id": ROOM, "meetings": feed}).status_code == 403
    result = mod.post("/api/v1/meetings/meeting-guide", {"room_id": ROOM, "timezone": "Europe/Dublin", "meetings": feed}).json()
    assert sorted(result["created"]) == ["sunday-serenity", "twice-1", "twice-4"]
    assert sorted(s["slug"] for s in result["skipped"]) == ["appt", "broken"]
    assert all(s["reason"] for s in result["skipped"])
    # Importing again updates by slug instead of duplicating.
    feed[0]["time"] = "18:30"
    again = mod.post("/api/v1/meetings/meeting-guide", {"room_id": ROOM, "meetings": feed[:1]}).json()
    assert again["updated"] == ["sunday-serenity"] and again["created"] == []
    exported = member.get("/api/v1/meetings/meeting-guide.json").json()
    by_slug = {m["slug"]: m for m in exported}
    serenity = by_slug["sunday-serenity"]
    assert (serenity["day"], serenity["time"], serenity["end_time"], serenity["timezone"]) == (0, "18:30", "19:30", "America/Los_Angeles")
    assert serenity["types"] == ["O", "T"] and serenity["formatted_address"] == "Anytown, CA, US" and serenity["approximate"] == "yes"
    assert by_slug["twice-4"]["timezone"] == "Europe/Dublin" and by_slug["twice-4"]["day"] == 4
    assert len(serenity["updated"]) == 19 and serenity["conference_url"].startswith("http")
    assert "host" not in serenity
    # Not public unless the operator says so.
    assert http.get(server.base + "/api/v1/meetings/meeting-guide.json").status_code == 401
    assert mod.post("/api/v1/meetings/meeting-guide", {"room_id": ROOM, "meetings": "nope"}).status_code == 400


async def test_meeting_mode_host_controls_hand_queue_and_quiet_mode(server: ServerProcess) -> None:
    host, mod = sign_up(server), create_staff(server, "moderator")
    a, b, c = sign_up(server), sign_up(server), sign_up(server)
    meeting = new_meeting(mod, host=host.pseudonym)
    mid = meeting["id"]
    hs, as_, bs, cs = [await m.socket() for m in (host, a, b, c)]
    for sock in (hs, as_, bs, cs):
        await sock.join(ROOM)
    # Nobody raises a hand before it opens, and only the host opens it.
    closed = await as_.request({"type": "hand_raise", "meeting_id": mid})
    assert closed["type"] == "error" and closed["code"] == "meeting_closed"
    denied = await as_.request({"type": "meeting_open", "meeting_id": mid})
    assert denied["type"] == "error" and denied["code"] == "not_host"
    opened = await hs.request({"type": "meeting_open", "meeting_id": mid, "quiet": True})
    assert opened["type"] == "meeting_opened" and opened["state"]["open"] and opened["state"]["quiet"]
    # Hands go up in order; the queue keeps that order.
    for sock in (bs, as_, cs):
        raised = await sock.request({"type": "hand_raise", "meeting_id": mid})
        assert raised["type"] == "hand_raised"
    await bs.request({"type": "hand_raise", "meeting_id": mid})  # raising twice keeps the first place
    state = (await hs.request({"type": "meeting_state", "meeting_id": mid}))["state"]
    assert [h["user"]["pseudonym"] for h in state["hands"]] == [b.pseudonym, a.pseudonym, c.pseudonym]
    # Only the host gives the floor, first hand first.
    refused = await as_.request({"type": "floor_give", "meeting_id": mid})
    assert refused["type"] == "error" and refused["code"] == "not_host"
    given = (await hs.request({"type": "floor_give", "meeting_id": mid}))["state"]
    assert given["speaker"]["pseudonym"] == b.pseudonym
    assert [h["user"]["pseudonym"] for h in given["hands"]] == [a.pseudonym, c.pseudonym]
    # Everyone in the room saw each change, in version order, without a seq.
    seen = await cs.wait_for(lambda f: f["type"] == "meeting_state" and f["state"]["version"] == given["version"])
    assert "seq" not in seen
    versions = [f["state"]["version"] for f in cs.events("meeting_state", ROOM)]
    assert versions == sorted(versions)
    # Quiet mode: the speaker and the host may post, the others wait for the floor.
    await bs.say(ROOM, "Thanks for letting me share.")
    await hs.say(ROOM, "Thank you.")
    quiet = await cs.request({"type": "send", "room_id": ROOM, "body": "me too", "client_id": "q-1"})
    assert quiet["type"] == "error" and quiet["code"] == "meeting_quiet"
    # The host may lower someone's hand; a member only their own.
    other = await as_.request({"type": "hand_lower", "meeting_id": mid, "user_id": c.user["id"]})
    assert other["type"] == "error" and other["code"] == "not_host"
    lowered = (await hs.request({"type": "hand_lower", "meeting_id": mid, "user_id": c.user["id"]}))["state"]
    assert [h["user"]["pseudonym"] for h in lowered["hands"]] == [a.pseudonym]
    nxt = (await hs.request({"type": "floor_give", "meeting_id": mid, "user_id": a.user["id"]}))["state"]
    assert nxt["speaker"]["pseudonym"] == a.pseudonym and nxt["hands"] == []
    done = (await as_.request({"type": "floor_end", "meeting_id": mid}))["state"]
    assert done["speaker"] is None
    empty = await hs.request({"type": "floor_give", "meeting_id": mid})
    assert empty["type"] == "error" and empty["code"] == "not_found"
    # Closing ends quiet mode.
    closed_state = (await hs.request({"type": "meeting_close", "meeting_id": mid}))["state"]
    assert closed_state["open"] is False and closed_state["hands"] == []
    await cs.say(ROOM, "Good meeting, everyone.")
    bad = await cs.request({"type": "hand_raise", "meeting_id": "x"})
    assert bad["type"] == "error" and bad["code"] == "invalid"
    for sock in (hs, as_, bs, cs):
        await sock.close()


def _soon(minutes: int) -> tuple[int, str]:
    at = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    return (at.weekday() + 1) % 7, at.strftime("%H:%M")


REMINDER_ENV = {"HEARTH_MEETING_REMINDER_MINUTES": "30", "HEARTH_RECOVERY_SWEEP_SECONDS": "1"}


@pytest.fixture
def reminder_servers(request: pytest.FixtureRequest) -> Iterator[list[ServerProcess]]:
    database = Database.fresh()
    servers: list[ServerProcess] = []
    try:
        for _ in range(request.param):
            servers.append(ServerProcess(database, extra_env=REMINDER_ENV).start())
        yield servers
    finally:
        for proc in servers:
            proc.stop()


async def _reminder_arrives_once(servers: list[ServerProcess]) -> None:
    server = servers[0]
    mod, member, bystander = create_staff(server, "moderator"), sign_up(server), sign_up(server)
    m_sock, b_sock = await member.socket(), await bystander.socket(servers[-1])
    later_day, later_time = _soon(120)  # not due yet, so the member can ask first
    meeting = new_meeting(mod, day=later_day, time=later_time, title="Morning check-in")
    assert put(member, f"/api/v1/meetings/{meeting['id']}/reminder", {"on": True}).json()["remind_me"] is True
    day, time = _soon(10)
    assert mod.patch(f"/api/v1/meetings/{meeting['id']}", {"day": day, "time": time}).status_code == 200
    got = await m_sock.wait_for(lambda f: f["type"] == "meeting_reminder" and f["meeting"]["id"] == meeting["id"], timeout=15)
    assert got["minutes"] in (9, 10) and got["meeting"]["title"] == "Morning check-in"
    # A few more sweeps of every process go by: still exactly one reminder.
    await m_sock.quiet(2.5)
    assert len([f for f in m_sock.events("meeting_reminder") if f["meeting"]["id"] == meeting["id"]]) == 1
    assert b_sock.events("meeting_reminder") == []  # did not ask, not in the room
    await m_sock.close()
    await b_sock.close()


@pytest.mark.parametrize("reminder_servers", [1], indirect=True)
async def test_reminder_before_start_arrives_once(reminder_servers: list[ServerProcess]) -> None:
    await _reminder_arrives_once(reminder_servers)


@pytest.mark.skipif(not configured_redis_url(), reason="two processes share events only through Redis")
@pytest.mark.parametrize("reminder_servers", [2], indirect=True)
async def test_reminder_fires_once_with_two_processes_sweeping(reminder_servers: list[ServerProcess]) -> None:
    """Both processes sweep the same database every second; the claim lets only one announce."""
    await _reminder_arrives_once(reminder_servers)
