"""A member takes away everything Hearth holds about them (export as JSON) and
deletes their account, choosing whether their words stay as "a former member"
or go; afterwards nothing of theirs remains but a crisis flag's preserved copy
(issue 11 point 9; SECURITY-GUIDE C16)."""

from __future__ import annotations

import secrets
from typing import Any, Iterator

import httpx
import pytest

from server.actions.member_data import COVERAGE
from tests.e2e.db_dump import dump, where
from tests.e2e.dm_support import OPEN_DMS, pair
from tests.e2e.moderation_support import acted, case_for, report
from tests.support import PASSWORD, Database, Member, ServerProcess, create_staff, http, sign_up

CRISIS = "I have the pills lined up and tonight is the night"
ROOM = 2


@pytest.fixture(scope="module")
def site() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env=OPEN_DMS).start()
    yield proc
    proc.stop()


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), (response.request.method, response.request.url, response.text)
    return response.json()  # type: ignore[no-any-return]


def _put(member: Member, path: str, body: dict[str, Any]) -> httpx.Response:
    return http.put(member.server.base + path, headers=member.headers, json=body)


def _delete_account(member: Member, body: dict[str, Any]) -> httpx.Response:
    return http.request("DELETE", member.server.base + "/api/v1/me", headers=member.headers, json=body)


async def _live_a_little(member: Member, friend: Member, mark: str) -> dict[str, Any]:
    """Use every area once, each text carrying `mark`. Returns the ids made."""
    sock = await member.socket()
    await sock.join(ROOM)
    room_message = (await sock.say(ROOM, f"Hello room {mark}"))["message"]
    crisis = (await sock.say(ROOM, CRISIS))["message"]  # raises a crisis flag about this member
    conversation = pair(member, friend)
    await sock.join(conversation)
    direct = (await sock.say(conversation, f"Just between us {mark}"))["message"]
    thread = _ok(member.post("/api/v1/forum/boards/1/threads", {"title": f"My story {mark}", "body": f"It began {mark}"}))
    reply = _ok(member.post(f"/api/v1/forum/threads/{thread['thread']['id']}/replies", {"body": f"And then {mark}"}))
    _ok(_put(member, f"/api/v1/forum/posts/{thread['post']['id']}/reactions/support", {}))
    _ok(_put(member, f"/api/v1/forum/threads/{thread['thread']['id']}/follow", {}))
    _ok(_put(member, "/api/v1/me/messaging", {"who_can_message": "anyone", "read_receipts": False}))
    blocked = sign_up(member.server)
    _ok(member.post("/api/v1/blocks", {"pseudonym": blocked.pseudonym}))
    _ok(_put(member, "/api/v1/me/safety-plan", {"warning_signs": f"Not sleeping {mark}", "coping_steps": f"Walk {mark}"}))
    _ok(member.post("/api/v1/me/recovery/check-ins", {"mood": 3, "craving": 4, "note": f"Hard day {mark}"}))
    _ok(member.post("/api/v1/me/recovery/goals", {"title": f"Call my sister {mark}"}))
    _ok(member.post("/api/v1/me/recovery/day-counts", {"label": f"Sober {mark}"[:40]}))
    await sock.close()
    return {"room_message": room_message, "crisis": crisis, "direct": direct, "conversation": conversation, "thread": thread, "reply": reply["post"]}


def _texts(found: dict[str, list[dict[str, str]]]) -> str:
    return "\n".join(v for rows in found.values() for row in rows for v in row.values())


async def test_the_export_holds_everything_about_the_member_and_nothing_about_others(site: ServerProcess) -> None:
    member, friend = sign_up(site), sign_up(site)
    mark = "mk" + secrets.token_hex(6)
    made = await _live_a_little(member, friend, mark)
    friend_sock = await friend.socket()
    await friend_sock.join(made["conversation"])
    friends_words = (await friend_sock.say(made["conversation"], "the friend's own words fr" + mark))["message"]
    await friend_sock.close()
    # Moderation: the member reports the friend's message; the friend reports the member's, and a moderator warns them.
    _ok(report(member, "message", friends_words["id"], "other", f"Not kind {mark}"))
    _ok(report(friend, "message", made["room_message"]["id"], "harassment", "report text of the friend fr" + mark))
    moderator = create_staff(site, "moderator")
    acted(moderator, case_for(moderator, "message", made["room_message"]["id"])["id"], "warn", f"Please keep it kind {mark}")
    _ok(friend.post("/api/v1/blocks", {"pseudonym": member.pseudonym}))  # never told to the blocked member

    response = member.get("/api/v1/me/export")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["account"]["pseudonym"] == member.pseudonym
    bodies = [m["body"] for m in data["messages"]]
    assert f"Hello room {mark}" in bodies and f"Just between us {mark}" in bodies and CRISIS in bodies
    assert {c["with"] for c in data["conversations"]} == {friend.pseudonym}
    assert [t["title"] for t in data["forum"]["threads"]] == [f"My story {mark}"]
    assert {p["body"] for p in data["forum"]["posts"]} == {f"It began {mark}", f"And then {mark}"}
    assert data["forum"]["reactions"] and data["forum"]["follows"] == [made["thread"]["thread"]["id"]]
    assert data["messaging_settings"] == {"who_can_message": "anyone", "read_receipts": False}
    assert len(data["blocks"]) == 1
    assert data["safety_plan"]["warning_signs"] == f"Not sleeping {mark}"
    assert data["recovery"]["check_ins"][0]["note"] == f"Hard day {mark}"
    assert data["recovery"]["goals"][0]["title"] == f"Call my sister {mark}"
    assert data["recovery"]["day_counts"] and data["sessions"]
    assert data["crisis_flags"] and CRISIS in data["crisis_flags"][0]["your_words"]
    assert [(r["reason"], r["text"]) for r in data["moderation"]["reports_made"]] == [("other", f"Not kind {mark}")]
    assert [(a["kind"], a["reason"]) for a in data["moderation"]["actions_on_my_account"]] == [("warn", f"Please keep it kind {mark}")]
    assert data["moderation"]["notices"]
    text = response.text
    assert "fr" + mark not in text  # the friend's words are theirs, not in this export
    assert friend.pseudonym + '"' not in text.replace(f'"with":"{friend.pseudonym}"', "")  # who blocked them: never
    assert "password_hash" not in text and "token_hash" not in text and "code_hash" not in text


def test_every_column_pointing_at_a_member_is_exported_or_explained() -> None:
    from server.models import Base

    pointing = {(t.name, c.name) for t in Base.metadata.tables.values() for c in t.columns
                for fk in c.foreign_keys if fk.column.table.name == "users"}
    assert pointing - set(COVERAGE) == set(), "export: say where these are, or why not (server/actions/member_data.py COVERAGE)"
    assert set(COVERAGE) - pointing == set()


async def test_deleting_with_remove_leaves_nothing_of_theirs_but_the_flag_copy(site: ServerProcess) -> None:
    specialist = create_staff(site, "specialist")
    member, friend = sign_up(site), sign_up(site)
    mark = "mk" + secrets.token_hex(6)
    made = await _live_a_little(member, friend, mark)
    sock = await member.socket()
    friend_sock = await friend.socket()
    await friend_sock.join(made["conversation"])

    for bad in ({"messages": "remove"}, {"password": "wrong password here", "messages": "remove"}, {"password": PASSWORD}):
        refused = _delete_account(member, bad)
        assert refused.status_code in (400, 401), refused.text
    assert member.get("/api/v1/me").status_code == 200  # nothing changed

    gone = _delete_account(member, {"password": PASSWORD, "messages": "remove"})
    assert gone.status_code == 200, gone.text
    assert await sock.closed == (1008, "account_deleted")
    removed = await friend_sock.wait_for(lambda f: f["type"] == "message_deleted" and f["message"]["id"] == made["direct"]["id"])
    assert removed["message"]["body"] is None and removed["message"]["author"] is None
    await friend_sock.close()
    assert member.get("/api/v1/me").status_code == 401
    assert http.post(site.base + "/api/v1/auth/login", json={"pseudonym": member.pseudonym, "password": PASSWORD}).status_code == 401

    found = dump(site.database)
    # Their words remain only in their crisis flag's preserved copy; their name only on that flag.
    assert where(found, mark) <= {"crisis_flags.items"}, where(found, mark)
    assert {row["member_pseudonym"] for row in found["crisis_flags"] if mark in row["items"]} <= {member.pseudonym}
    assert where(found, member.pseudonym) <= {"crisis_flags.member_pseudonym", "crisis_flags.items"}, where(found, member.pseudonym)
    assert {row["member_pseudonym"] for row in found["crisis_flags"] if member.pseudonym in row["items"]} <= {member.pseudonym}
    assert CRISIS in _texts({"crisis_flags": found["crisis_flags"]})
    erased = {str(made[k]["id"]) for k in ("room_message", "crisis", "direct")}
    assert [row["body"] for row in found["messages"] if row["id"] in erased] == ["", "", ""]
    uid = str(member.user["id"])
    for table, column in COVERAGE:
        assert all(row[column] != uid for row in found.get(table, [])), f"{table}.{column} still points at the deleted member"
    history = friend.get(f"/api/v1/rooms/{made['conversation']}/messages").json()["messages"]
    theirs = [m for m in history if m["id"] == made["direct"]["id"]][0]
    assert theirs["deleted"] and theirs["body"] is None and theirs["author"] is None
    flag = [f for f in specialist.get("/api/v1/crisis/flags").json()["flags"] if f["member"]["pseudonym"] == member.pseudonym]
    assert len(flag) == 1


async def test_deleting_with_keep_leaves_their_words_as_a_former_member(site: ServerProcess) -> None:
    member, reader = sign_up(site), sign_up(site)
    mark = "mk" + secrets.token_hex(6)
    sock = await member.socket()
    await sock.join(ROOM)
    said = (await sock.say(ROOM, f"Keep this for others {mark}"))["message"]
    thread = _ok(member.post("/api/v1/forum/boards/1/threads", {"title": f"Kept {mark}", "body": f"Kept words {mark}"}))
    await sock.close()
    assert _delete_account(member, {"password": PASSWORD, "messages": "keep"}).status_code == 200
    history = reader.get(f"/api/v1/rooms/{ROOM}/messages?limit=100").json()["messages"]
    kept = [m for m in history if m["id"] == said["id"]][0]
    assert kept["body"] == f"Keep this for others {mark}" and kept["author"] is None
    page = reader.get(f"/api/v1/forum/threads/{thread['thread']['id']}").json()
    assert page["thread"]["author"] is None and page["posts"][0]["author"] is None
    found = dump(site.database)
    assert where(found, member.pseudonym) == set()
