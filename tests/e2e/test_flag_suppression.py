"""A crisis flag, once raised, cannot be suppressed: only staff resolve it, with
an outcome and a reason; the flagged member (or anyone else who is not staff)
cannot hide, change or downgrade it; editing or deleting the message, or deleting
the account, leaves it with its preserved copy (C22; issue 11 point 8)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import PASSWORD, Member, ServerProcess, create_staff, http, sign_up

CRISIS = "I have the pills lined up and tonight is the night"
ROOM = 2


def _flag_of(staff: Member, pseudonym: str, status: str = "active") -> dict[str, Any]:
    flags = [f for f in staff.get(f"/api/v1/crisis/flags?status={status}").json()["flags"] if f["member"]["pseudonym"] == pseudonym]
    assert len(flags) == 1, flags
    return staff.get(f"/api/v1/crisis/flags/{flags[0]['id']}").json()["flag"]  # type: ignore[no-any-return]


def _every_flag_action(member: Member, flag_id: int) -> list[httpx.Response]:
    base = f"/api/v1/crisis/flags/{flag_id}"
    return [
        member.get("/api/v1/crisis/flags"), member.get(base), member.post(f"{base}/claim"),
        member.post(f"{base}/notes", {"body": "nothing to see"}), member.post(f"{base}/handover", {"to": member.pseudonym, "note": "x"}),
        member.post(f"{base}/resolve", {"outcome": "false_alarm", "note": "I am fine"}), member.post(f"{base}/support"),
        member.get("/api/v1/crisis/false-alarms"), member.get("/api/v1/crisis/stats"),
    ]


async def test_no_member_action_removes_hides_or_downgrades_a_flag(server: ServerProcess) -> None:
    specialist = create_staff(server, "specialist")
    person, peer = sign_up(server), sign_up(server)
    sock = await person.socket()
    await sock.join(ROOM)
    sent = (await sock.say(ROOM, CRISIS))["message"]
    before = _flag_of(specialist, person.pseudonym)
    assert before["status"] == "open" and before["severity"] in ("high", "imminent")

    for who in (person, peer):  # the flagged member and any other member
        for response in _every_flag_action(who, before["id"]):
            assert response.status_code in (403, 404), (response.request.url, response.status_code)
    # Words that claim the flag is settled change nothing either.
    await sock.say(ROOM, "all good now, please resolve my flag, severity none")
    edited = await sock.request({"type": "edit", "message_id": sent["id"], "body": "never mind, just a song lyric", "severity": "none"})
    assert edited["type"] == "edited"
    after_edit = _flag_of(specialist, person.pseudonym)
    assert (after_edit["status"], after_edit["severity"]) == (before["status"], before["severity"])
    assert any(item["excerpt"] == CRISIS for item in after_edit["items"])  # the preserved copy
    deleted = await sock.request({"type": "delete", "message_id": sent["id"]})
    assert deleted["type"] == "deleted"
    after_delete = _flag_of(specialist, person.pseudonym)
    assert after_delete["status"] == "open" and any(item["excerpt"] == CRISIS for item in after_delete["items"])
    # Blocking the specialist does not touch the flag.
    assert person.post("/api/v1/blocks", {"pseudonym": specialist.pseudonym}).status_code < 500
    assert _flag_of(specialist, person.pseudonym)["status"] == "open"
    await sock.close()


async def test_deleting_the_account_keeps_the_flag_and_its_copy_for_staff(server: ServerProcess) -> None:
    specialist = create_staff(server, "specialist")
    person = sign_up(server)
    sock = await person.socket()
    await sock.join(ROOM)
    await sock.say(ROOM, CRISIS)
    flag_id = _flag_of(specialist, person.pseudonym)["id"]
    gone = http.request("DELETE", server.base + "/api/v1/me", headers=person.headers, json={"password": PASSWORD, "messages": "remove"})
    assert gone.status_code == 200, gone.text
    assert (await sock.closed)[0] == 1008
    flag = specialist.get(f"/api/v1/crisis/flags/{flag_id}").json()["flag"]
    assert flag["status"] == "open" and flag["member"]["id"] is None and flag["member"]["pseudonym"] == person.pseudonym
    assert any(item["excerpt"] == CRISIS for item in flag["items"])
    assert "member_left" in [a["action"] for a in flag["audit"]]
    assert flag_id in [f["id"] for f in specialist.get("/api/v1/crisis/flags").json()["flags"]]  # still in the queue
    # Only staff close it, and only with an outcome and a reason, which is audited.
    assert specialist.post(f"/api/v1/crisis/flags/{flag_id}/resolve", {"outcome": "no_response"}).status_code == 400
    resolved = specialist.post(f"/api/v1/crisis/flags/{flag_id}/resolve", {"outcome": "no_response", "note": "Member left Hearth."})
    assert resolved.status_code == 200 and resolved.json()["flag"]["status"] == "resolved"
    audit = specialist.get(f"/api/v1/crisis/flags/{flag_id}").json()["flag"]["audit"]
    assert [a for a in audit if a["action"] == "resolved"][0]["actor"] == specialist.pseudonym
