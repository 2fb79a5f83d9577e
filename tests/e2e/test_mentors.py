"""Mentors: eligibility, matching by focus, time-zone band and language, caps,
accept / decline / end, specialist assignment, and one request never going to
two mentors when both accept at once."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any, Iterator

import pytest

from tests.e2e.dm_support import OPEN_DMS, delete, post_together, put
from tests.support import Database, Member, ServerProcess, create_staff, sign_up


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env={**OPEN_DMS, "HEARTH_MENTOR_MAX_MENTEES": "3"}).start()
    yield proc
    proc.stop()


def volunteer(member: Member, **profile: Any) -> dict[str, Any]:
    body = {"recovery_since": "2020-02-02", "focus": ["alcohol"], "tz_band": "europe_africa", "languages": ["en"], "max_mentees": 1, **profile}
    response = put(member, "/api/v1/mentorship/profile", body)
    assert response.status_code == 200, response.text
    return dict(response.json()["profile"])


def ask(member: Member, **wanted: Any) -> dict[str, Any]:
    response = member.post("/api/v1/mentorship/requests", {"focus": "alcohol", "tz_band": "europe_africa", **wanted})
    assert response.status_code == 201, response.text
    return dict(response.json()["request"])


def inbox(mentor: Member) -> list[int]:
    return [r["id"] for r in mentor.get("/api/v1/mentorship/inbox").json()["requests"]]


def test_only_members_long_enough_in_recovery_can_volunteer(server: ServerProcess) -> None:
    member = sign_up(server)
    recent = (date.today() - timedelta(days=30)).isoformat()
    refused = put(member, "/api/v1/mentorship/profile", {"recovery_since": recent, "focus": ["alcohol"], "tz_band": "americas"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_yet_eligible"
    assert "180 days" in refused.json()["error"]["detail"]
    for bad in ({"recovery_since": "someday"}, {"recovery_since": "2099-01-01"}, {"focus": ["everything"]},
                {"focus": []}, {"tz_band": "mars"}, {"languages": ["english"]}, {"max_mentees": 4}, {"max_mentees": 0}):
        body = {"recovery_since": "2020-01-01", "focus": ["alcohol"], "tz_band": "americas", **bad}
        assert put(member, "/api/v1/mentorship/profile", body).status_code == 400, bad
    assert member.get("/api/v1/mentorship").json()["profile"] is None  # nothing was stored
    profile = volunteer(member, focus=["family", "alcohol"], languages=["es", "en"])
    assert profile["focus"] == ["alcohol", "family"] and profile["languages"] == ["en", "es"]
    assert set(profile) == {"user", "recovery_since", "focus", "tz_band", "languages", "max_mentees", "active_mentees", "volunteering"}


def test_matching_respects_focus_time_zone_and_language(server: ServerProcess) -> None:
    fits = sign_up(server)
    other_focus, other_band, other_language, resting = sign_up(server), sign_up(server), sign_up(server), sign_up(server)
    volunteer(fits, focus=["opioids"], tz_band="asia_pacific", languages=["pt"])
    volunteer(other_focus, focus=["alcohol"], tz_band="asia_pacific", languages=["pt"])
    volunteer(other_band, focus=["opioids"], tz_band="americas", languages=["pt"])
    volunteer(other_language, focus=["opioids"], tz_band="asia_pacific", languages=["en"])
    volunteer(resting, focus=["opioids"], tz_band="asia_pacific", languages=["pt"])
    assert delete(resting, "/api/v1/mentorship/profile").status_code == 200  # no longer volunteering

    newcomer = sign_up(server)
    request = ask(newcomer, focus="opioids", tz_band="asia_pacific", language="pt")
    assert request["offered_to"] == 1
    assert request["id"] in inbox(fits)
    for mentor in (other_focus, other_band, other_language, resting):
        assert request["id"] not in inbox(mentor)
        refused = mentor.post(f"/api/v1/mentorship/inbox/{request['id']}/accept")
        assert refused.status_code == 404
    again = newcomer.post("/api/v1/mentorship/requests", {"focus": "alcohol", "tz_band": "americas"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "request_waiting"
    assert newcomer.post("/api/v1/mentorship/requests", {"focus": "juggling", "tz_band": "americas"}).status_code == 400
    assert delete(newcomer, f"/api/v1/mentorship/requests/{request['id']}").status_code == 200
    assert request["id"] not in inbox(fits)


async def test_accept_opens_a_mentorship_conversation_and_either_side_can_end_it(server: ServerProcess) -> None:
    mentor, mentee, outsider = sign_up(server), sign_up(server), sign_up(server)
    volunteer(mentor, focus=["gambling"], tz_band="americas")
    request = ask(mentee, focus="gambling", tz_band="americas")
    m_sock = await mentee.socket()
    accepted = mentor.post(f"/api/v1/mentorship/inbox/{request['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    ship = accepted.json()["mentorship"]
    assert ship["role"] == "mentor" and ship["with"]["pseudonym"] == mentee.pseudonym
    started = await m_sock.wait_for(lambda f: f["type"] == "mentorship_started")
    assert started["mentorship"]["role"] == "mentee" and started["mentorship"]["conversation_id"] == ship["conversation_id"]
    conv = mentee.get(f"/api/v1/conversations/{ship['conversation_id']}").json()["conversation"]
    assert conv["purpose"] == "mentorship"
    assert mentee.get("/api/v1/mentorship").json()["mentorships"][0]["id"] == ship["id"]
    assert mentor.get("/api/v1/mentorship").json()["profile"]["active_mentees"] == 1

    # They talk in it like any conversation.
    await m_sock.join(ship["conversation_id"])
    await m_sock.say(ship["conversation_id"], "thank you for taking me on")

    # Only the two may end it; the other is told kindly.
    assert outsider.post(f"/api/v1/mentorship/{ship['id']}/end").status_code == 404
    assert mentor.post(f"/api/v1/mentorship/{ship['id']}/end").status_code == 200
    ended = await m_sock.wait_for(lambda f: f["type"] == "mentorship_ended")
    assert "Thank you" in ended["note"] and ended["mentorship"]["status"] == "ended"
    assert mentee.post(f"/api/v1/mentorship/{ship['id']}/end").status_code == 409
    assert mentor.get("/api/v1/mentorship").json()["profile"]["active_mentees"] == 0
    assert mentee.get(f"/api/v1/conversations/{ship['conversation_id']}").json()["conversation"]["purpose"] == "direct"
    await m_sock.close()


def test_decline_moves_on_and_caps_hold(server: ServerProcess) -> None:
    first, second = sign_up(server), sign_up(server)
    volunteer(first, focus=["cannabis"], tz_band="americas", max_mentees=1)
    volunteer(second, focus=["cannabis"], tz_band="americas", max_mentees=1)
    one, two = sign_up(server), sign_up(server)
    r1 = ask(one, focus="cannabis", tz_band="americas")
    assert r1["offered_to"] == 2
    assert first.post(f"/api/v1/mentorship/inbox/{r1['id']}/decline").status_code == 200
    assert r1["id"] not in inbox(first) and r1["id"] in inbox(second)
    assert one.get("/api/v1/mentorship").json()["requests"][0]["offered_to"] == 1
    assert second.post(f"/api/v1/mentorship/inbox/{r1['id']}/accept").status_code == 200
    # `second` is now full: a new request is offered to `first` only.
    r2 = ask(two, focus="cannabis", tz_band="americas")
    assert r2["offered_to"] == 1 and r2["id"] not in inbox(second)
    assert second.post(f"/api/v1/mentorship/inbox/{r2['id']}/accept").status_code == 404


async def test_specialists_can_assign_a_mentor_within_the_cap_and_the_mentee_can_end_it(server: ServerProcess) -> None:
    specialist = create_staff(server, "specialist")
    mentor, mentee, another = sign_up(server), sign_up(server), sign_up(server)
    volunteer(mentor, focus=["family"], max_mentees=1)
    assert mentee.post("/api/v1/mentorship/assign", {"mentee": mentee.pseudonym, "mentor": mentor.pseudonym}).status_code == 403
    assigned = specialist.post("/api/v1/mentorship/assign", {"mentee": mentee.pseudonym, "mentor": mentor.pseudonym})
    assert assigned.status_code == 201, assigned.text
    ship = assigned.json()["mentorship"]
    assert ship["assigned"] is True
    full = specialist.post("/api/v1/mentorship/assign", {"mentee": another.pseudonym, "mentor": mentor.pseudonym})
    assert full.status_code == 409 and full.json()["error"]["code"] == "at_capacity"
    not_mentor = specialist.post("/api/v1/mentorship/assign", {"mentee": mentee.pseudonym, "mentor": another.pseudonym})
    assert not_mentor.status_code == 400

    # The mentee may end it too; the mentor is told kindly and has room again.
    mentor_sock = await mentor.socket()
    assert mentee.post(f"/api/v1/mentorship/{ship['id']}/end").status_code == 200
    ended = await mentor_sock.wait_for(lambda f: f["type"] == "mentorship_ended")
    assert mentee.pseudonym in ended["note"] and "Thank you" in ended["note"]
    assert mentor.get("/api/v1/mentorship").json()["mentorships"] == []
    assert specialist.post("/api/v1/mentorship/assign", {"mentee": another.pseudonym, "mentor": mentor.pseudonym}).status_code == 201
    await mentor_sock.close()


@pytest.mark.parametrize("round_", range(3))
def test_two_mentors_accepting_at_once_never_both_get_the_request(server: ServerProcess, round_: int) -> None:
    a, b = sign_up(server), sign_up(server)
    volunteer(a, focus=["prescription"], tz_band="asia_pacific", languages=["ja"], max_mentees=3)
    volunteer(b, focus=["prescription"], tz_band="asia_pacific", languages=["ja"], max_mentees=3)
    member = sign_up(server)
    request = ask(member, focus="prescription", tz_band="asia_pacific", language="ja")
    path = f"/api/v1/mentorship/inbox/{request['id']}/accept"
    results = asyncio.run(post_together([(a, path, None), (b, path, None)]))
    statuses = sorted(r.status_code for r in results)
    assert statuses[0] == 200 and statuses[1] in (404, 409), [r.text for r in results]
    ships = member.get("/api/v1/mentorship").json()["mentorships"]
    assert len(ships) == 1
    counts = [m.get("/api/v1/mentorship").json()["profile"]["active_mentees"] for m in (a, b)]
    assert sorted(counts) == [0, 1]
    # Tidy up so the next round offers only its own pair.
    for m in (a, b):
        delete(m, "/api/v1/mentorship/profile")


def test_one_mentor_accepting_two_at_once_stays_within_the_cap(server: ServerProcess) -> None:
    mentor = sign_up(server)
    volunteer(mentor, focus=["stimulants"], tz_band="americas", languages=["fr"], max_mentees=1)
    requests = [ask(sign_up(server), focus="stimulants", tz_band="americas", language="fr") for _ in range(2)]
    results = asyncio.run(post_together([(mentor, f"/api/v1/mentorship/inbox/{r['id']}/accept", None) for r in requests]))
    assert sorted(r.status_code for r in results)[0] == 200
    assert [r.status_code for r in results].count(200) == 1, [r.text for r in results]
    assert mentor.get("/api/v1/mentorship").json()["profile"]["active_mentees"] == 1
