"""Reports, the review queue, claims, every action's effect as the member and the
others see it, appeals, staff notes, the audit log, and who may see what."""

from __future__ import annotations

import asyncio
from typing import Iterator

import pytest

from tests.e2e.dm_support import OPEN_DMS, open_dm, pair, post_together, set_policy
from tests.e2e.forum_support import run_sql, start_thread
from tests.e2e.moderation_support import MOD, act, acted, audit, case_for, notices, queue, report, set_trust
from tests.support import Database, Member, ServerProcess, create_staff, http, sign_up


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env={**OPEN_DMS, "HEARTH_FORUM_THREAD_RATE": "off",
                                                      "HEARTH_REPORT_RATE": "off"}).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def staff(server: ServerProcess) -> dict[str, Member]:
    return {"mod": create_staff(server, "moderator"), "mod2": create_staff(server, "moderator"),
            "admin": create_staff(server, "admin")}


async def _say(member: Member, room: int, body: str) -> dict[str, object]:
    sock = await member.socket()
    try:
        return (await sock.say(room, body))["message"]  # type: ignore[no-any-return]
    finally:
        await sock.close()


async def test_repeat_reports_merge_into_one_case_and_reporters_stay_unnamed(server: ServerProcess, staff: dict[str, Member]) -> None:
    """The reported member cannot infer who reported them from anything they can reach."""
    author, r1, r2, r3 = (sign_up(server) for _ in range(4))
    message = await _say(author, 2, "you're all pathetic")
    for reporter in (r1, r2, r3):
        assert report(reporter, "message", message["id"], "harassment").status_code == 201
    again = report(r1, "message", message["id"], "harassment")
    assert again.status_code == 200 and again.json()["duplicate"] is True  # one reporter counts once
    found = case_for(staff["mod"], "message", message["id"])
    assert found["report_count"] == 3 and found["source"] == "report" and found["reasons"] == ["harassment"]
    detail = staff["mod"].get(f"{MOD}/cases/{found['id']}").json()["case"]
    assert {r["reporter"] for r in detail["reports"]} == {r1.pseudonym, r2.pseudonym, r3.pseudonym}

    acted(staff["mod"], found["id"], "hide", "Name-calling hurts people here.")
    told = notices(author)
    assert told[0]["kind"] == "action" and "Name-calling hurts people here." in told[0]["body"] and told[0]["appealable"]
    everything_author_sees = " ".join([str(told), author.get("/api/v1/reports/mine").text, author.get("/api/v1/appeals/mine").text,
                                       author.get(f"/api/v1/rooms/2/messages").text])
    for reporter in (r1, r2, r3):
        assert reporter.pseudonym not in everything_author_sees
    assert staff["mod"].pseudonym not in str(told)
    outcome = r2.get("/api/v1/reports/mine").json()["reports"][0]
    assert outcome["status"] == "closed" and "hid it" in outcome["outcome"] and staff["mod"].pseudonym not in outcome["outcome"]
    assert any(n["kind"] == "report_outcome" for n in notices(r2))


async def test_queue_orders_by_severity_then_age_and_filters(server: ServerProcess, staff: dict[str, Member]) -> None:
    a, b, c, reporter = (sign_up(server) for _ in range(4))
    spam1 = await _say(a, 3, "buy followers cheap today")
    drugs = await _say(b, 3, "anyone around tonight")
    spam2 = await _say(c, 3, "buy more followers cheap today")
    report(reporter, "message", spam1["id"], "spam")
    report(reporter, "message", drugs["id"], "drugs")
    report(reporter, "message", spam2["id"], "spam")
    ids = [x["target"]["id"] for x in queue(staff["mod"], room_id="3", status="open")]
    assert ids.index(drugs["id"]) < ids.index(spam1["id"]) < ids.index(spam2["id"])
    spam_only = queue(staff["mod"], room_id="3", reason="spam")
    assert {x["target"]["id"] for x in spam_only} == {spam1["id"], spam2["id"]}
    assert all(x["source"] == "report" for x in queue(staff["mod"], source="report"))
    assert staff["mod"].get(f"{MOD}/cases", params={"status": "sideways"}).status_code == 400


async def test_exactly_one_of_two_concurrent_claims_wins(server: ServerProcess, staff: dict[str, Member]) -> None:
    author, reporter = sign_up(server), sign_up(server)
    message = await _say(author, 4, "spam spam spam here")
    report(reporter, "message", message["id"], "spam")
    found = case_for(staff["mod"], "message", message["id"])
    results = await post_together([(staff["mod"], f"{MOD}/cases/{found['id']}/claim", None),
                                   (staff["mod2"], f"{MOD}/cases/{found['id']}/claim", None)])
    assert sorted(r.status_code for r in results) == [200, 409]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.json()["error"]["code"] == "already_claimed"
    winner_name = next(r for r in results if r.status_code == 200).json()["case"]["claimed_by"]["pseudonym"]
    other = staff["mod2"] if winner_name == staff["mod"].pseudonym else staff["mod"]
    assert act(other, found["id"], "dismiss").json()["error"]["code"] == "claimed_by_other"


async def test_hide_disappears_live_for_others_and_the_author_keeps_a_copy(server: ServerProcess, staff: dict[str, Member]) -> None:
    author, other, reporter = sign_up(server), sign_up(server), sign_up(server)
    sa, so = await author.socket(), await other.socket()
    await sa.join(5)
    await so.join(5)
    sent = (await sa.say(5, "here is something cruel"))["message"]
    await so.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == sent["id"])
    report(reporter, "message", sent["id"], "harassment")
    found = case_for(staff["mod"], "message", sent["id"])
    acted(staff["mod"], found["id"], "hide")
    for sock in (sa, so):
        hidden = await sock.wait_for(lambda f: f["type"] == "message_hidden" and f["message"]["id"] == sent["id"])
        assert hidden["message"]["body"] is None
    notice = await sa.wait_for(lambda f: f["type"] == "moderation_notice")
    assert "hid your message" in notice["notice"]["body"]
    history = {m["id"]: m for m in other.get("/api/v1/rooms/5/messages").json()["messages"]}
    assert history[sent["id"]]["body"] is None
    mine = {m["id"]: m for m in author.get("/api/v1/rooms/5/messages").json()["messages"]}
    assert mine[sent["id"]]["body"] == "here is something cruel" and mine[sent["id"]]["hidden"]
    await sa.close()
    await so.close()


async def test_redact_warn_and_mute_in_one_room(server: ServerProcess, staff: dict[str, Member]) -> None:
    author, other, reporter = sign_up(server), sign_up(server), sign_up(server)
    so = await other.socket()
    await so.join(6)
    sent = await _say(author, 6, "anyone want to meet? text me on 555-867-5309 after the meeting")
    assert sent["held"] is True  # identifying details wait for a moderator by default
    found = case_for(staff["mod"], "message", sent["id"])
    assert found["source"] == "auto" and "identifying" in found["reasons"]
    assert report(reporter, "message", sent["id"], "identifying").status_code == 404  # held: nobody else has seen it
    acted(staff["mod"], found["id"], "redact", "Phone numbers stay off Hearth.", resolve=False)
    shown = await so.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == sent["id"])
    assert "[removed]" in shown["message"]["body"] and "867" not in shown["message"]["body"]  # let through, without the number
    acted(staff["mod"], found["id"], "warn", "Please keep contact details private.", resolve=False)
    acted(staff["mod"], found["id"], "mute", "Take a breather.", minutes=30, scope="room")
    kinds = [n["body"] for n in notices(author)]
    assert any("took personal details" in b for b in kinds) and any("Take a breather." in b for b in kinds)
    sa = await author.socket()
    await sa.join(6)
    refused = await sa.request({"type": "send", "room_id": 6, "body": "hello again", "client_id": "m-1"})
    assert refused["type"] == "error" and refused["code"] == "muted"
    await sa.join(7)
    assert (await sa.say(7, "another room is fine"))["type"] == "ack"
    await sa.close()
    await so.close()


async def test_mute_everywhere_suspend_and_ban_close_sockets_and_logins(server: ServerProcess, staff: dict[str, Member]) -> None:
    mod = staff["mod"]
    muted, suspended, banned = (sign_up(server) for _ in range(3))
    r = mod.post(f"{MOD}/members/{muted.user['id']}/actions", {"action": "mute", "reason": "cool off", "minutes": 10, "scope": "everywhere"})
    assert r.status_code == 201, r.text
    thread_try = muted.post("/api/v1/forum/boards/1/threads", {"title": "Hello there", "body": "hi"})
    assert thread_try.status_code == 403 and thread_try.json()["error"]["code"] == "muted"

    sock = await suspended.socket()
    r = mod.post(f"{MOD}/members/{suspended.user['id']}/actions", {"action": "suspend", "reason": "spamming links", "minutes": 60})
    assert r.status_code == 201, r.text
    assert await asyncio.wait_for(sock.closed, 10) == (1008, "suspended")
    login = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": suspended.pseudonym, "password": "correct horse battery staple"})
    assert login.status_code == 403 and login.json()["error"]["code"] == "account_suspended"
    assert "spamming links" in login.json()["error"]["detail"]
    assert suspended.get("/api/v1/me").status_code == 401  # every session ended

    r = mod.post(f"{MOD}/members/{banned.user['id']}/actions", {"action": "ban", "reason": "selling drugs to members"})
    assert r.status_code == 201
    login = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": banned.pseudonym, "password": "correct horse battery staple"})
    assert login.json()["error"]["code"] == "account_banned"
    appeal = http.post(server.base + "/api/v1/auth/appeal", json={"pseudonym": banned.pseudonym, "password": "correct horse battery staple",
                                                                    "body": "That wasn't me, my account was shared."})
    assert appeal.status_code == 201 and appeal.json()["appeal"]["action"]["kind"] == "ban"
    assert mod.post(f"{MOD}/members/{staff['mod2'].user['id']}/actions", {"action": "ban", "reason": "x"}).status_code == 403


async def test_lock_a_thread_and_pause_a_room(server: ServerProcess, staff: dict[str, Member]) -> None:
    author, reporter, newcomer = sign_up(server), sign_up(server), sign_up(server)
    started = start_thread(author, title="Heated thread", body="Let's argue about it")
    report(reporter, "post", started["post"]["id"], "harassment")
    found = case_for(staff["mod"], "post", started["post"]["id"])
    acted(staff["mod"], found["id"], "lock", "This thread has run its course.")
    locked = reporter.post(f"/api/v1/forum/threads/{started['thread']['id']}/replies", {"body": "one more thing"})
    assert locked.status_code == 403 and locked.json()["error"]["code"] == "thread_locked"

    r = staff["mod"].post(f"{MOD}/rooms/8/pause", {"minutes": 5, "slow_seconds": 60, "quiet_new": True, "reason": "raid"})
    assert r.status_code == 201, r.text
    set_trust(staff["mod"], newcomer, 0)
    sn = await newcomer.socket()
    await sn.join(8)
    quiet = await sn.request({"type": "send", "room_id": 8, "body": "hi all", "client_id": "q-1"})
    assert quiet["type"] == "error" and quiet["code"] == "room_quiet"
    sr = await reporter.socket()
    await sr.join(8)
    assert (await sr.say(8, "first is fine"))["type"] == "ack"
    slow = await sr.request({"type": "send", "room_id": 8, "body": "second too soon", "client_id": "s-2"})
    assert slow["type"] == "error" and slow["code"] == "rate_limited" and int(slow["retry_after"]) > 0
    assert http.delete(f"{server.base}{MOD}/rooms/8/pause", headers=staff["mod"].headers).status_code == 204
    assert (await sr.say(8, "slow mode is over"))["type"] == "ack"
    await sn.close()
    await sr.close()


async def test_one_appeal_per_action_decided_by_a_different_moderator(server: ServerProcess, staff: dict[str, Member]) -> None:
    author, reporter, other = sign_up(server), sign_up(server), sign_up(server)
    message = await _say(author, 2, "you lot are the worst")
    report(reporter, "message", message["id"], "harassment")
    found = case_for(staff["mod"], "message", message["id"])
    action = acted(staff["mod"], found["id"], "hide", "Unkind.")["action"]
    appeal = author.post("/api/v1/appeals", {"action_id": action["id"], "body": "I was quoting a song, sorry."})
    assert appeal.status_code == 201, appeal.text
    assert author.post("/api/v1/appeals", {"action_id": action["id"], "body": "again"}).json()["error"]["code"] == "already_appealed"
    assert other.post("/api/v1/appeals", {"action_id": action["id"], "body": "not mine"}).status_code == 404
    appeal_id = appeal.json()["appeal"]["id"]
    own = staff["mod"].post(f"{MOD}/appeals/{appeal_id}/decide", {"decision": "overturned", "note": "fair"})
    assert own.status_code == 403 and own.json()["error"]["code"] == "own_decision"
    open_ones = staff["mod2"].get(f"{MOD}/appeals").json()["appeals"]
    assert any(a["id"] == appeal_id and a["yours_to_decide"] for a in open_ones)
    decided = staff["mod2"].post(f"{MOD}/appeals/{appeal_id}/decide", {"decision": "overturned", "note": "Song lyrics, fair enough."})
    assert decided.status_code == 200 and decided.json()["appeal"]["status"] == "overturned"
    history = {m["id"]: m for m in other.get("/api/v1/rooms/2/messages").json()["messages"]}
    assert history[message["id"]]["body"] == "you lot are the worst"  # back for everyone
    assert any(n["kind"] == "appeal_decided" and "changed the decision" in n["body"] for n in notices(author))
    again = staff["admin"].post(f"{MOD}/appeals/{appeal_id}/decide", {"decision": "upheld", "note": "x"})
    assert again.json()["error"]["code"] == "already_decided"


async def test_members_cannot_see_the_queue_reports_notes_or_audit(server: ServerProcess, staff: dict[str, Member]) -> None:
    """A member can't reach any staff view, and a case's existence doesn't leak."""
    member, target = sign_up(server), sign_up(server)
    assert member.get(f"{MOD}/cases").status_code == 403
    assert member.get(f"{MOD}/cases/1").status_code == 404
    assert member.get(f"{MOD}/cases/999999").status_code == 404
    assert member.post(f"{MOD}/cases/1/claim").status_code == 404
    assert member.post(f"{MOD}/cases/1/actions", {"action": "dismiss"}).status_code == 404
    assert staff["mod"].post(f"{MOD}/members/{target.user['id']}/notes", {"body": "Second report this week."}).status_code == 201
    assert member.get(f"{MOD}/members/{target.user['id']}/notes").status_code == 403
    assert target.get(f"{MOD}/members/{target.user['id']}/notes").status_code == 403
    assert "Second report" not in target.get("/api/v1/me/notices").text
    assert staff["mod"].get(f"{MOD}/members/{target.user['id']}/notes").json()["notes"][0]["body"] == "Second report this week."
    assert member.get(f"{MOD}/audit").status_code == 403
    assert staff["mod"].get(f"{MOD}/audit").status_code == 403  # admins only
    assert member.get(f"{MOD}/appeals").status_code == 403
    assert member.get(f"{MOD}/watched-words").status_code == 403


async def test_private_chats_reach_moderators_only_through_a_participants_report(server: ServerProcess, staff: dict[str, Member]) -> None:
    a, b, outsider = sign_up(server), sign_up(server), sign_up(server)
    room = pair(a, b)
    sa = await a.socket()
    await sa.join(room)
    for line in ("hey", "how are you", "want to buy some oxy? cheap"):
        last = (await sa.say(room, line))["message"]
    await sa.close()
    mod = staff["mod"]
    assert mod.get(f"/api/v1/rooms/{room}/messages").status_code == 404  # no browsing
    assert not [c for c in queue(mod) if c["place"]["kind"] == "conversation" and c["place"]["room_id"] == room]
    assert report(outsider, "message", last["id"], "drugs").status_code == 404  # not a participant
    assert report(b, "message", last["id"], "drugs").status_code == 201
    found = case_for(mod, "message", last["id"])
    assert found["place"]["kind"] == "conversation"
    detail = mod.get(f"{MOD}/cases/{found['id']}").json()["case"]
    assert detail["snapshot"]["item"]["body"] == "want to buy some oxy? cheap"
    assert [m["body"] for m in detail["snapshot"]["context"]] == ["hey", "how are you"]
    assert mod.get(f"/api/v1/rooms/{room}/messages").status_code == 404  # still no browsing
    entries = audit(staff["admin"], action="private_case_viewed")
    assert entries and entries[0]["actor"] == mod.pseudonym and entries[0]["target"]["id"] == found["id"]
    assert audit(staff["admin"], action="private_messages_copied")[0]["detail"]["messages"] == 3


async def test_the_audit_log_records_each_action_and_cannot_be_edited(server: ServerProcess, staff: dict[str, Member]) -> None:
    admin, mod = staff["admin"], staff["mod"]
    author, reporter = sign_up(server), sign_up(server)
    message = await _say(author, 3, "audit me please")
    report(reporter, "message", message["id"], "spam")
    found = case_for(mod, "message", message["id"])
    acted(mod, found["id"], "dismiss", "Just chatter.")
    entries = audit(admin, target_kind="message", target_id=str(message["id"]))
    assert [e["action"] for e in entries] == ["dismiss"]
    entry = entries[0]
    assert entry["actor"] == mod.pseudonym and entry["actor_role"] == "moderator" and entry["reason"] == "Just chatter."
    assert entry["target"]["pseudonym"] == author.pseudonym and entry["at"]
    claimed = audit(admin, action="case_claimed", target_kind="case", target_id=str(found["id"]))
    assert len(claimed) == 0  # acting on an open case claims it inside the action
    before = audit(admin, limit="200")
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        for path in (f"{MOD}/audit", f"{MOD}/audit/{entry['id']}"):
            response = http.request(method, server.base + path, headers=admin.headers, json={"reason": "rewritten"})
            assert response.status_code in (404, 405), (method, path, response.status_code)
    assert audit(admin, limit="200") == before
    for statement in ("UPDATE moderation_audit SET reason = 'rewritten'", "DELETE FROM moderation_audit"):
        with pytest.raises(Exception, match="append-only"):
            run_sql(server, statement)
    assert audit(admin, limit="200") == before
    assert admin.get(f"{MOD}/audit", params={"since": "yesterday"}).status_code == 400


async def test_trust_levels_new_accounts_and_staff_changes(server: ServerProcess, staff: dict[str, Member]) -> None:
    member, other = sign_up(server), sign_up(server)
    assert member.get("/api/v1/me/trust").json()["trust"]["level"] == 2  # this server waives the waits (OPEN_DMS)
    set_trust(staff["mod"], member, 0)
    assert member.get("/api/v1/me/trust").json()["trust"] == {"level": 0, "name": "new", "set_by_staff": True}
    set_policy(other, "anyone")
    assert open_dm(member, other).json()["error"]["code"] == "too_new"
    set_trust(staff["mod"], member, None)
    assert open_dm(member, other).status_code == 201
    refused = http.put(f"{server.base}{MOD}/members/{other.user['id']}/trust", headers=member.headers, json={"level": 4, "reason": "me"})
    assert refused.status_code == 403
    assert [e["action"] for e in audit(staff["admin"], target_kind="member", target_id=str(member.user["id"]))][:2] == ["trust_set", "trust_set"]
