"""Brute force on log-in and recovery codes is throttled per pseudonym from one
address, per pseudonym from everywhere and per address, without locking the real
owner out; the 429 says nothing about whether the pseudonym exists; the client
address comes from X-Forwarded-For only behind a configured proxy (C10, C11, C18)."""

from __future__ import annotations

import time
from typing import Iterator

import httpx
import pytest

from tests.support import PASSWORD, Database, ServerProcess, http, sign_up, unique_name

WRONG = "not the password at all"


@pytest.fixture(scope="module")
def behind_proxy() -> Iterator[ServerProcess]:
    """Hearth behind a proxy on loopback: X-Forwarded-For names each test client."""
    proc = ServerProcess(Database.fresh(), extra_env={
        "HEARTH_TRUSTED_PROXIES": "127.0.0.1",
        "HEARTH_LOGIN_FAILURE_RATE": "5/minute;20/hour",
        "HEARTH_LOGIN_ACCOUNT_FAILURE_RATE": "6/8seconds",
        "HEARTH_LOGIN_ADDRESS_FAILURE_RATE": "10/minute",
    }).start()
    yield proc
    proc.stop()


def _login(server: ServerProcess, name: str, password: str, address: str, **headers: str) -> httpx.Response:
    return http.post(server.base + "/api/v1/auth/login", json={"pseudonym": name, "password": password},
                      headers={"X-Forwarded-For": address, **headers})


def _attack(server: ServerProcess, name: str, address: str, tries: int) -> list[httpx.Response]:
    return [_login(server, name, WRONG, address) for _ in range(tries)]


def test_a_guesser_from_one_address_is_slowed_and_the_owner_elsewhere_is_not(behind_proxy: ServerProcess) -> None:
    owner = sign_up(behind_proxy)
    replies = _attack(behind_proxy, owner.pseudonym, "203.0.113.10", 120)
    statuses = [r.status_code for r in replies]
    accepted = statuses.index(429)
    assert accepted == 5 and set(statuses[:5]) == {401} and set(statuses[5:]) == {429}, statuses
    assert accepted <= 100  # ASVS 4.0.3 2.2.1: at most 100 failed attempts an hour on one account
    refused = replies[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "rate_limited"
    # The right password from the guesser's address waits too: nothing to learn there.
    assert _login(behind_proxy, owner.pseudonym, PASSWORD, "203.0.113.10").status_code == 429
    # The owner, from their own address, is not locked out.
    assert _login(behind_proxy, owner.pseudonym, PASSWORD, "198.51.100.20").status_code == 200


def test_the_throttle_does_not_tell_real_pseudonyms_from_unknown_ones(behind_proxy: ServerProcess) -> None:
    real = sign_up(behind_proxy)
    made_up = unique_name("Nobody")
    for name, address in ((real.pseudonym, "203.0.113.30"), (made_up, "203.0.113.31")):
        replies = _attack(behind_proxy, name, address, 7)
        assert [r.status_code for r in replies] == [401] * 5 + [429] * 2
    real_bodies = [r.json()["error"] | {"retry_after": "-"} for r in _attack(behind_proxy, real.pseudonym, "203.0.113.30", 1)]
    fake_bodies = [r.json()["error"] | {"retry_after": "-"} for r in _attack(behind_proxy, made_up, "203.0.113.31", 1)]
    assert real_bodies == fake_bodies


def test_a_guesser_spread_over_many_addresses_meets_the_account_limit_and_the_owner_gets_in_after_the_pause(
        behind_proxy: ServerProcess) -> None:
    owner = sign_up(behind_proxy)
    statuses = [_login(behind_proxy, owner.pseudonym, WRONG, f"192.0.2.{i}").status_code for i in range(1, 10)]
    assert statuses[:6] == [401] * 6 and set(statuses[6:]) == {429}, statuses
    paused = _login(behind_proxy, owner.pseudonym, PASSWORD, "198.51.100.40")
    assert paused.status_code == 429
    time.sleep(int(paused.headers["Retry-After"]) + 0.5)  # the window moves on: no permanent lock-out
    assert _login(behind_proxy, owner.pseudonym, PASSWORD, "198.51.100.40").status_code == 200


def test_credential_stuffing_from_one_address_is_cut_off_across_pseudonyms(behind_proxy: ServerProcess) -> None:
    statuses = [_login(behind_proxy, unique_name("Stuffed"), WRONG, "203.0.113.50").status_code for _ in range(13)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}, statuses
    someone = sign_up(behind_proxy)
    assert _login(behind_proxy, someone.pseudonym, PASSWORD, "203.0.113.51").status_code == 200


def test_recovery_codes_share_the_throttle(behind_proxy: ServerProcess) -> None:
    owner = sign_up(behind_proxy)
    headers = {"X-Forwarded-For": "203.0.113.60"}
    statuses = [http.post(behind_proxy.base + "/api/v1/auth/recover", headers=headers, json={
        "pseudonym": owner.pseudonym, "recovery_code": f"aaaaa-bbbbb-ccc{i:02d}", "new_password": "a whole new passphrase"}).status_code
        for i in range(7)]
    assert statuses == [401] * 5 + [429] * 2
    # Same windows as log-in: the guesser cannot switch doors for a fresh allowance.
    assert _login(behind_proxy, owner.pseudonym, WRONG, "203.0.113.60").status_code == 429
    good = http.post(behind_proxy.base + "/api/v1/auth/recover", headers={"X-Forwarded-For": "198.51.100.61"}, json={
        "pseudonym": owner.pseudonym, "recovery_code": owner.recovery_codes[0], "new_password": "a whole new passphrase"})
    assert good.status_code == 200


def test_appeals_from_the_log_in_page_share_the_throttle(behind_proxy: ServerProcess) -> None:
    """POST /auth/appeal checks a password too: it must not be a way round the throttle."""
    owner = sign_up(behind_proxy)

    def appeal(password: str, address: str) -> httpx.Response:
        return http.post(behind_proxy.base + "/api/v1/auth/appeal", headers={"X-Forwarded-For": address},
                          json={"pseudonym": owner.pseudonym, "password": password, "body": "Please look again."})

    statuses = [appeal(WRONG, "203.0.113.70").status_code for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2, statuses
    assert _login(behind_proxy, owner.pseudonym, WRONG, "203.0.113.70").status_code == 429  # the same windows as log-in
    assert appeal(PASSWORD, "203.0.113.70").status_code == 429  # the right password waits too: nothing to learn
    elsewhere = appeal(PASSWORD, "198.51.100.71")
    assert elsewhere.status_code == 404 and elsewhere.json()["error"]["code"] == "not_found"  # not suspended: nothing to appeal


def test_without_a_trusted_proxy_forwarding_headers_are_ignored(server: ServerProcess) -> None:
    owner = sign_up(server)
    # A client inventing a new address on every try is still counted as itself.
    statuses = [http.post(server.base + "/api/v1/auth/login", json={"pseudonym": owner.pseudonym, "password": WRONG},
                           headers={"X-Forwarded-For": f"192.0.2.{i}", "Forwarded": f"for=192.0.2.{i}"}).status_code
                for i in range(1, 8)]
    assert statuses == [401] * 5 + [429] * 2
