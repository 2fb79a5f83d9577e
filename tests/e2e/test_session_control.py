"""A member sees their own sessions (to the day, nothing about devices or
places) and ends any of them; ending a session, changing or recovering the
password closes the affected sockets at once (C6, C7; issue 11 point 6)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support import PASSWORD, Member, ServerProcess, configured_redis_url, http, run_hearth, sign_up

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _login(member: Member) -> Member:
    response = http.post(member.server.base + "/api/v1/auth/login", json={"pseudonym": member.pseudonym, "password": PASSWORD},
                          headers={"User-Agent": "Mozilla/5.0 (SessionProbe)"})
    assert response.status_code == 200, response.text
    return Member(member.server, member.pseudonym, response.json()["token"], member.user, member.recovery_codes)


def _delete(member: Member, path: str) -> httpx.Response:
    return http.delete(member.server.base + path, headers=member.headers)


async def test_members_list_their_own_sessions_to_the_day_only(server: ServerProcess) -> None:
    first = sign_up(server)
    second = _login(first)
    other = sign_up(server)
    listed = second.get("/api/v1/me/sessions").json()["sessions"]
    assert len(listed) == 2 and [s["current"] for s in listed] == [True, False]
    for entry in listed:
        assert set(entry) == {"id", "current", "created_on", "last_used_on", "expires_on", "remember"}
        assert all(DAY.match(entry[k]) for k in ("created_on", "last_used_on", "expires_on"))
    assert "SessionProbe" not in second.get("/api/v1/me/sessions").text
    # Another member's session looks exactly like a missing one.
    theirs = other.get("/api/v1/me/sessions").json()["sessions"][0]["id"]
    for probe in (theirs, 999_999_999):
        refused = _delete(first, f"/api/v1/me/sessions/{probe}")
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert other.get("/api/v1/me").status_code == 200


async def test_ending_a_session_closes_its_sockets_at_once_and_no_others(server: ServerProcess) -> None:
    phone = sign_up(server)
    laptop = _login(phone)
    phone_socket, laptop_socket = await phone.socket(), await laptop.socket()
    phone_id = next(s["id"] for s in laptop.get("/api/v1/me/sessions").json()["sessions"] if not s["current"])
    assert _delete(laptop, f"/api/v1/me/sessions/{phone_id}").status_code == 200
    code, reason = await phone_socket.closed
    assert (code, reason) == (1008, "ended_by_member")
    assert phone.get("/api/v1/me").status_code == 401
    assert (await laptop_socket.request({"type": "ping"}))["type"] == "pong"
    third = _login(phone)
    third_socket = await third.socket()
    assert _delete(laptop, "/api/v1/me/sessions/others").status_code == 200
    assert (await third_socket.closed)[0] == 1008
    assert third.get("/api/v1/me").status_code == 401 and laptop.get("/api/v1/me").status_code == 200
    await laptop_socket.close()


async def test_a_password_change_closes_every_other_session_socket_and_keeps_this_one(server: ServerProcess) -> None:
    here = sign_up(server)
    elsewhere = _login(here)
    here_socket, elsewhere_socket = await here.socket(), await elsewhere.socket()
    changed = here.post("/api/v1/me/password", {"current_password": PASSWORD, "new_password": "a different long passphrase"})
    assert changed.status_code == 200, changed.text
    assert await elsewhere_socket.closed == (1008, "password_changed")
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert (await here_socket.request({"type": "ping"}))["type"] == "pong"
    assert here.get("/api/v1/me").status_code == 200
    await here_socket.close()


async def test_recovery_ends_every_session_and_closes_every_socket(server: ServerProcess) -> None:
    member = sign_up(server)
    other = _login(member)
    sockets = [await member.socket(), await other.socket()]
    recovered = http.post(server.base + "/api/v1/auth/recover", json={
        "pseudonym": member.pseudonym, "recovery_code": member.recovery_codes[0], "new_password": "a recovered long passphrase"})
    assert recovered.status_code == 200
    for sock in sockets:
        assert await sock.closed == (1008, "password_changed")
    assert member.get("/api/v1/me").status_code == 401 and other.get("/api/v1/me").status_code == 401


@pytest.mark.skipif(not configured_redis_url(), reason="the command line reaches running servers through Redis (CI's PostgreSQL + Redis pass)")
async def test_a_role_change_from_the_command_line_closes_open_sockets(server: ServerProcess) -> None:
    member = sign_up(server)
    sock = await member.socket()
    done = run_hearth(server, "user", "set-role", member.pseudonym, "specialist")
    assert done.returncode == 0, done.stderr
    assert await sock.closed == (1008, "role_changed")
    again = await member.socket()
    assert again.frames[0]["user"]["role"] == "specialist"
    await again.close()
