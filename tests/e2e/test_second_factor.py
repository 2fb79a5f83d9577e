"""Staff can use, and by a setting must use, an authenticator app (TOTP): the
secret is shown once, codes work once, a recovery code stands in for a lost
phone (C24; issue 11 point 6)."""

from __future__ import annotations

import time
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.accounts.totp import code_at
from tests.support import PASSWORD, Database, Member, ServerProcess, create_staff, http, run_hearth, sign_up


def _login(server: ServerProcess, name: str, **extra: str) -> httpx.Response:
    return http.post(server.base + "/api/v1/auth/login", json={"pseudonym": name, "password": PASSWORD, **extra})


def _delete(member: Member, path: str, body: dict[str, str]) -> httpx.Response:
    return http.request("DELETE", member.server.base + path, headers=member.headers, json=body)


def _enrol(member: Member) -> str:
    started = member.post("/api/v1/me/second-factor", {"password": PASSWORD})
    assert started.status_code == 201, started.text
    body = started.json()
    uri = urlsplit(body["otpauth_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp" and parse_qs(uri.query)["issuer"] == ["Hearth"]
    assert parse_qs(uri.query)["secret"] == [body["secret"]]
    confirmed = member.post("/api/v1/me/second-factor/confirm", {"code": code_at(body["secret"], time.time())})
    assert confirmed.status_code == 200 and confirmed.json()["enabled"], confirmed.text
    return str(body["secret"])


def test_staff_enrol_and_then_need_a_code_that_works_once(server: ServerProcess) -> None:
    guide = create_staff(server, "specialist")
    assert guide.get("/api/v1/me/second-factor").json() == {"enabled": False, "pending": False, "required": False}
    assert guide.post("/api/v1/me/second-factor", {"password": "not my password"}).status_code == 401
    started = guide.post("/api/v1/me/second-factor", {"password": PASSWORD}).json()
    assert guide.post("/api/v1/me/second-factor/confirm", {"code": "000000"}).status_code == 400
    assert guide.get("/api/v1/me/second-factor").json()["pending"]
    # A pending set-up does not count yet: the password alone still logs in.
    assert _login(server, guide.pseudonym).status_code == 200
    secret = started["secret"]
    assert guide.post("/api/v1/me/second-factor/confirm", {"code": code_at(secret, time.time())}).json()["enabled"]
    assert guide.get("/api/v1/me/second-factor").json()["enabled"]
    assert "secret" not in guide.get("/api/v1/me/second-factor").text  # shown once, never again
    assert guide.post("/api/v1/me/second-factor", {"password": PASSWORD}).status_code == 409  # no quiet swap

    needs = _login(server, guide.pseudonym)
    assert needs.status_code == 401 and needs.json()["error"]["code"] == "second_factor_required"
    wrong = _login(server, guide.pseudonym, totp_code="123456" if code_at(secret, time.time()) != "123456" else "654321")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "second_factor_failed"
    later = code_at(secret, time.time() + 30)  # the next step: within the allowed drift, after the confirm's step
    assert _login(server, guide.pseudonym, totp_code=later).status_code == 200
    replay = _login(server, guide.pseudonym, totp_code=later)
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "second_factor_failed"


def test_a_recovery_code_stands_in_for_a_lost_phone_once(server: ServerProcess) -> None:
    name = "Modx" + str(int(time.time() * 1000))[-8:]
    result = run_hearth(server, "user", "create", name, "--role", "moderator", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    codes = [line for line in result.stdout.splitlines() if line.count("-") == 2]
    token = _login(server, name).json()["token"]
    moderator = Member(server, name, token, {})
    _enrol(moderator)
    assert _login(server, name, recovery_code=codes[0]).status_code == 200
    again = _login(server, name, recovery_code=codes[0])
    assert again.status_code == 401 and again.json()["error"]["code"] == "second_factor_failed"
    # Resetting the password with a recovery code also needs the app's code.
    reset = http.post(server.base + "/api/v1/auth/recover", json={"pseudonym": name, "recovery_code": codes[1],
                                                                    "new_password": "another long passphrase"})
    assert reset.status_code == 401 and reset.json()["error"]["code"] == "second_factor_required"
    # An admin can remove a lost authenticator from the command line.
    done = run_hearth(server, "user", "reset-second-factor", name)
    assert done.returncode == 0, done.stderr
    assert moderator.get("/api/v1/me").status_code == 401  # their sessions ended
    assert _login(server, name).status_code == 200


def test_turning_it_off_needs_the_password_and_a_code(server: ServerProcess) -> None:
    member = sign_up(server)  # members may use one too
    secret = _enrol(member)
    assert _delete(member, "/api/v1/me/second-factor", {"password": PASSWORD, "code": "000000"}).status_code == 401
    off = _delete(member, "/api/v1/me/second-factor", {"password": PASSWORD, "code": code_at(secret, time.time() + 30)})
    assert off.status_code == 200 and not off.json()["enabled"]
    assert _login(server, member.pseudonym).status_code == 200


@pytest.fixture(scope="module")
def strict() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env={"HEARTH_STAFF_REQUIRE_TOTP": "true"}).start()
    yield proc
    proc.stop()


async def test_when_required_staff_can_do_nothing_but_enrol(strict: ServerProcess) -> None:
    guide = create_staff(strict, "specialist")
    me = guide.get("/api/v1/me").json()
    assert me["second_factor_setup_required"] is True
    refused = guide.get("/api/v1/crisis/flags")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "second_factor_setup_required"
    assert guide.get("/api/v1/rooms").status_code == 403
    with pytest.raises(InvalidStatus):
        await connect(strict.ws_url, additional_headers=guide.headers, open_timeout=5)
    assert guide.get("/api/v1/me/second-factor").json()["required"] is True
    secret = _enrol(guide)
    assert guide.get("/api/v1/crisis/flags").status_code == 200
    sock = await guide.socket()
    await sock.close()
    # Required means it stays on.
    stays = _delete(guide, "/api/v1/me/second-factor", {"password": PASSWORD, "code": code_at(secret, time.time() + 30)})
    assert stays.status_code == 409
    # Members are not asked for one.
    member = sign_up(strict)
    assert member.get("/api/v1/rooms").status_code == 200
    assert member.get("/api/v1/me").json()["second_factor_setup_required"] is False
