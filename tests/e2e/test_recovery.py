"""Recovery tools end to end over real HTTP and WebSocket: day counts and new
starts, milestones shared to the Wins room, check-ins, goals, partners and
what a non-partner can (not) see, early warning with and without consent,
and export / delete-all."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx

from tests.support import Member, ServerProcess, create_staff, http, sign_up

ME = "/api/v1/me/recovery"


def put(m: Member, path: str, json: Any) -> httpx.Response:
    return http.put(m.server.base + path, headers=m.headers, json=json)


def delete(m: Member, path: str) -> httpx.Response:
    return http.delete(m.server.base + path, headers=m.headers)


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def wins_room(m: Member) -> int:
    rooms = m.get("/api/v1/rooms").json()["rooms"]
    return next(r["id"] for r in rooms if r["slug"] == "wins-milestones")


async def test_day_count_new_start_keeps_the_past_and_is_private(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    assert put(alice, f"{ME}/profile", {"timezone": "Mars/Base"}).status_code == 400
    assert put(alice, f"{ME}/profile", {"timezone": "UTC"}).json() == {"profile": {"timezone": "UTC"}}
    today = utc_today()
    first = today - timedelta(days=40)
    r = alice.post(f"{ME}/day-counts", {"label": "Alcohol", "start_date": first.isoformat()})
    assert r.status_code == 201, r.text
    counter = r.json()["day_count"]
    assert counter["current_days"] == 40 and counter["total_days"] == 40 and counter["shared"] is False
    # Bad input changes nothing.
    bad = alice.post(f"{ME}/day-counts/{counter['id']}/starts", {"start_date": (today + timedelta(days=1)).isoformat()})
    assert bad.status_code == 400 and "future" in bad.json()["error"]["detail"]
    assert alice.post(f"{ME}/day-counts/{counter['id']}/starts", {"start_date": "not a date"}).status_code == 400
    # A new start: the streak restarts, the total keeps every day.
    renewed = alice.post(f"{ME}/day-counts/{counter['id']}/starts", {"start_date": (today - timedelta(days=10)).isoformat()}).json()["day_count"]
    assert renewed["current_days"] == 10 and renewed["total_days"] == 40 and renewed["new_starts"] == 1
    assert [s["start_date"] for s in renewed["starts"]] == [first.isoformat(), (today - timedelta(days=10)).isoformat()]
    # Nobody else can see or change it, and the badge is off by default.
    assert bob.patch(f"{ME}/day-counts/{counter['id']}", {"label": "mine now"}).status_code == 404
    assert delete(bob, f"{ME}/day-counts/{counter['id']}").status_code == 404
    assert bob.get(f"{ME}/day-counts").json()["day_counts"] == []
    assert bob.get(f"/api/v1/recovery/badges?users={alice.user['id']}").json()["badges"] == {}
    # One count per substance or behaviour, each with its own days.
    gambling = alice.post(f"{ME}/day-counts", {"label": "Gambling", "start_date": (today - timedelta(days=3)).isoformat()}).json()["day_count"]
    listed = {c["label"]: (c["current_days"], c["total_days"]) for c in alice.get(f"{ME}/day-counts").json()["day_counts"]}
    assert listed == {"Alcohol": (10, 40), "Gambling": (3, 3)} and gambling["shared"] is False
    alice.patch(f"{ME}/day-counts/{counter['id']}", {"shared": True})
    # Shared badges show only to people in a room with her (no paging through every member).
    assert bob.get(f"/api/v1/recovery/badges?users={alice.user['id']}").json()["badges"] == {}
    for m in (alice, bob):
        sock = await m.socket()
        await sock.join(1)
        await sock.close()
    badges = bob.get(f"/api/v1/recovery/badges?users={alice.user['id']}").json()["badges"]
    assert badges == {str(alice.user["id"]): [{"label": "Alcohol", "days": 10}]}  # only the count she shared


async def test_milestone_is_celebrated_then_shared_to_wins_with_support_cheers(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    wins = wins_room(bob)
    b = await bob.socket()
    await b.join(wins)
    counter = alice.post(f"{ME}/day-counts", {"label": "Opioids", "start_date": (utc_today() - timedelta(days=7)).isoformat()}).json()["day_count"]
    assert counter["celebrate"]["key"] == "7d" and counter["next_milestone"]["key"] == "30d"
    assert [m["key"] for m in counter["milestones"]] == ["1d", "7d"]
    # Not reached yet: cannot be shared.
    assert alice.post(f"{ME}/day-counts/{counter['id']}/milestones/30d/share", {}).status_code == 404
    seen = alice.post(f"{ME}/day-counts/{counter['id']}/milestones/7d/seen").json()["day_count"]
    assert seen["celebrate"] is None
    shared = alice.post(f"{ME}/day-counts/{counter['id']}/milestones/7d/share", {"note": "Thank you all."})
    assert shared.status_code == 201, shared.text
    message = shared.json()["message"]
    assert message["room_id"] == wins and "7 days" in message["body"] and "Opioids" not in message["body"]
    got = await b.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == message["id"])
    assert got["message"]["author"]["pseudonym"] == alice.pseudonym
    # Sharing twice posts once.
    again = alice.post(f"{ME}/day-counts/{counter['id']}/milestones/7d/share", {}).json()
    assert again["message"]["id"] == message["id"]
    milestone_id = shared.json()["milestone_id"]
    cheered = bob.post(f"/api/v1/recovery/wins/{milestone_id}/cheer")
    assert cheered.json() == {"milestone_id": milestone_id, "cheers": 1, "cheered_by_me": True}
    bob.post(f"/api/v1/recovery/wins/{milestone_id}/cheer")  # a second cheer from the same member counts once
    # A cheer is the room's own support reaction: everyone in Wins sees the count change, no seq.
    event = await b.wait_for(lambda f: f["type"] == "reactions" and f["message_id"] == message["id"])
    assert event["room_id"] == wins and event["counts"] == {"support": 1} and "seq" not in event
    # ...and support given in the room, the way the client does, counts as a cheer.
    carol = sign_up(server)
    c = await carol.socket()
    await c.join(wins)
    reacted = await c.request({"type": "react", "message_id": message["id"], "kind": "support", "on": True})
    assert reacted["type"] == "reacted" and reacted["counts"] == {"support": 2}
    await c.request({"type": "react", "message_id": message["id"], "kind": "hug", "on": True})
    listed = [w for w in alice.get("/api/v1/recovery/wins").json()["wins"] if w["milestone_id"] == milestone_id]
    assert listed and listed[0]["cheers"] == 2 and listed[0]["cheered_by_me"] is False and listed[0]["label"] == "7 days"
    assert listed[0]["reactions"]["counts"] == {"support": 2, "hug": 1}
    history = bob.get(f"/api/v1/rooms/{wins}/messages").json()["messages"]
    assert next(m for m in history if m["id"] == message["id"])["reactions"]["counts"] == {"support": 2, "hug": 1}
    # Taking a cheer back takes back the reaction.
    taken_back = delete(bob, f"/api/v1/recovery/wins/{milestone_id}/cheer").json()
    assert taken_back == {"milestone_id": milestone_id, "cheers": 1, "cheered_by_me": False}
    assert bob.post("/api/v1/recovery/wins/999999/cheer").status_code == 404
    await b.close()
    await c.close()


async def test_check_ins_streak_trend_and_bad_input(server: ServerProcess) -> None:
    alice = sign_up(server)
    today = utc_today()
    for back, (mood, craving) in enumerate([(4, 2), (3, 3), (4, 1)]):
        r = alice.post(f"{ME}/check-ins", {"day": (today - timedelta(days=back)).isoformat(), "mood": mood, "craving": craving,
                                           "sleep_hours": 7.5, "note": "private words"})
        assert r.status_code == 200, r.text
    for bad in ({"mood": 6, "craving": 1}, {"mood": 3, "craving": -1}, {"mood": 3, "craving": 1, "sleep_hours": 30},
                {"mood": 3, "craving": 1, "day": (today - timedelta(days=30)).isoformat()}, {"mood": "3", "craving": 1}):
        assert alice.post(f"{ME}/check-ins", bad).status_code == 400
    series = alice.get(f"{ME}/check-ins?days=7").json()
    assert series["streak"] == 3 and series["summary"]["count"] == 3 and series["summary"]["mood_avg"] == round(11 / 3, 2)
    assert [c["day"] for c in series["check_ins"]] == [(today - timedelta(days=d)).isoformat() for d in (2, 1, 0)]
    assert series["check_ins"][-1]["note"] == "private words"
    assert alice.get(f"{ME}/check-ins?days=12").status_code == 400
    # Saving the same day again updates it.
    alice.post(f"{ME}/check-ins", {"mood": 5, "craving": 0})
    latest = alice.get(f"{ME}/check-ins?days=30").json()["check_ins"][-1]
    assert (latest["mood"], latest["craving"], latest["note"]) == (5, 0, "")


async def test_partners_see_check_ins_and_shared_goals_and_a_non_partner_sees_nothing(server: ServerProcess) -> None:
    alice, bob, carol = sign_up(server), sign_up(server), sign_up(server)
    alice.post(f"{ME}/check-ins", {"mood": 4, "craving": 2, "note": "only mine"})
    alice.post(f"{ME}/goals", {"title": "Call my sponsor daily", "steps": ["Save the number", "Call on Monday"], "shared": True})
    private_goal = alice.post(f"{ME}/goals", {"title": "A private goal"}).json()["goal"]
    b = await bob.socket()
    request = alice.post(f"{ME}/partners", {"pseudonym": bob.pseudonym})
    assert request.status_code == 201, request.text
    partnership = request.json()["partnership"]
    assert partnership["status"] == "pending"
    await b.wait_for(lambda f: f["type"] == "partner_request" and f["partnership"]["partner"]["pseudonym"] == alice.pseudonym)
    # Pending is not yet agreement: nothing to see.
    assert bob.get(f"{ME}/partners/{partnership['id']}/view").status_code == 404
    assert alice.post(f"{ME}/partners/{partnership['id']}/accept").status_code == 404  # the asker can't accept for the other
    assert bob.post(f"{ME}/partners/{partnership['id']}/accept").json()["partnership"]["status"] == "active"
    view = bob.get(f"{ME}/partners/{partnership['id']}/view").json()
    assert view["partner"]["pseudonym"] == alice.pseudonym
    assert [c["mood"] for c in view["check_ins"]["check_ins"]] == [4]
    assert "note" not in view["check_ins"]["check_ins"][0]
    assert [g["title"] for g in view["goals"]] == ["Call my sponsor daily"] and view["goals"][0]["progress"] == 0
    # A non-partner sees nothing, and cannot touch the goals.
    assert carol.get(f"{ME}/partners/{partnership['id']}/view").status_code == 404
    assert carol.patch(f"{ME}/goals/{private_goal['id']}", {"shared": True}).status_code == 404
    assert bob.patch(f"{ME}/goals/{private_goal['id']}", {"title": "x"}).status_code == 404
    assert carol.get(f"{ME}/partners").json()["partners"] == []
    # Progress follows the steps.
    goal = alice.get(f"{ME}/goals").json()["goals"][0]
    updated = alice.patch(f"{ME}/goals/{goal['id']}/steps/{goal['steps'][0]['id']}", {"done": True}).json()["goal"]
    assert updated["progress"] == 50
    # Either can stop at any time; then nothing is visible.
    assert delete(bob, f"{ME}/partners/{partnership['id']}").status_code == 204
    assert bob.get(f"{ME}/partners/{partnership['id']}/view").status_code == 404
    assert alice.get(f"{ME}/partners/{partnership['id']}/view").status_code == 404
    await b.close()


def drop_series(m: Member) -> None:
    today = utc_today()
    for back, (mood, craving) in zip((2, 1, 0), [(4, 2), (3, 4), (2, 6)]):
        r = m.post(f"{ME}/check-ins", {"day": (today - timedelta(days=back)).isoformat(), "mood": mood, "craving": craving, "note": "never shared"})
        assert r.status_code == 200, r.text


async def test_early_warning_fires_only_with_consent_and_shows_what_was_shared(server: ServerProcess) -> None:
    specialist = create_staff(server, "specialist")
    unconsenting, consenting, stranger = sign_up(server), sign_up(server), sign_up(server)
    s = await specialist.socket()
    # Without consent: the same sharp drop tells nobody.
    drop_series(unconsenting)
    assert unconsenting.get(f"{ME}/early-warning").json() == {"consents": [], "shared": []}
    # A consent names a partner or a specialist, nobody else.
    assert consenting.post(f"{ME}/early-warning/consents", {"pseudonym": stranger.pseudonym}).status_code == 400
    consent = consenting.post(f"{ME}/early-warning/consents", {"pseudonym": specialist.pseudonym, "share_scores": False})
    assert consent.status_code == 201, consent.text
    drop_series(consenting)
    event = await s.wait_for(lambda f: f["type"] == "recovery_notice")
    notice = event["notice"]
    assert notice["about"]["pseudonym"] == consenting.pseudonym and notice["kind"] == "drop"
    assert notice["details"] is None and "gentle" in notice["body"] and "never shared" not in str(notice)
    received = specialist.get(f"{ME}/notices").json()["notices"]
    assert [n["about"]["pseudonym"] for n in received] == [consenting.pseudonym]  # nothing about the member who did not consent
    mine = consenting.get(f"{ME}/early-warning").json()
    assert [n["body"] for n in mine["shared"]] == [notice["body"]] and mine["shared"][0]["recipient"]["pseudonym"] == specialist.pseudonym
    # Checking in again the same day does not send the same notice twice.
    consenting.post(f"{ME}/check-ins", {"mood": 1, "craving": 8})
    await s.quiet()
    assert len(s.events("recovery_notice")) == 1
    # Withdrawing consent stops it.
    assert delete(consenting, f"{ME}/early-warning/consents/{mine['consents'][0]['id']}").status_code == 204
    assert consenting.get(f"{ME}/early-warning").json()["consents"] == []
    await s.close()


async def test_early_warning_to_a_partner_with_scores(server: ServerProcess) -> None:
    member, partner = sign_up(server), sign_up(server)
    p = member.post(f"{ME}/partners", {"pseudonym": partner.pseudonym}).json()["partnership"]
    partner.post(f"{ME}/partners/{p['id']}/accept")
    assert member.post(f"{ME}/early-warning/consents", {"pseudonym": partner.pseudonym, "share_scores": True}).status_code == 201
    drop_series(member)
    notices = partner.get(f"{ME}/notices").json()["notices"]
    assert len(notices) == 1
    assert [c["mood"] for c in notices[0]["details"]["check_ins"]] == [4, 3, 2]
    assert "note" not in str(notices[0]["details"])
    # The member sees exactly what the partner got, scores included, word for word.
    assert member.get(f"{ME}/early-warning").json()["shared"] == notices
    # Ending the partnership ends the consent with it.
    delete(partner, f"{ME}/partners/{p['id']}")
    assert member.get(f"{ME}/early-warning").json()["consents"] == []


async def test_export_covers_everything_and_delete_all_erases_it(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    put(alice, f"{ME}/profile", {"timezone": "Europe/Lisbon"})
    alice.post(f"{ME}/day-counts", {"label": "Gambling"})
    alice.post(f"{ME}/check-ins", {"mood": 3, "craving": 3, "note": "a private note"})
    alice.post(f"{ME}/goals", {"title": "Walk every day"})
    p = alice.post(f"{ME}/partners", {"pseudonym": bob.pseudonym}).json()["partnership"]
    bob.post(f"{ME}/partners/{p['id']}/accept")
    exported = alice.get(f"{ME}/export")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    assert data["timezone"] == "Europe/Lisbon"
    assert [c["label"] for c in data["day_counts"]] == ["Gambling"]
    assert data["check_ins"][0]["note"] == "a private note"
    assert [g["title"] for g in data["goals"]] == ["Walk every day"]
    assert data["partnerships"][0]["partner"] == bob.pseudonym
    assert delete(alice, ME).status_code == 204
    after = alice.get(f"{ME}/export").json()
    assert after["timezone"] == "UTC" and after["day_counts"] == [] and after["check_ins"] == [] and after["goals"] == []
    assert after["partnerships"] == [] and bob.get(f"{ME}/partners").json()["partners"] == []
