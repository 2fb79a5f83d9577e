"""No IP address, user agent or real-world identifier reaches the database or
the logs (issue 11 point 9; SECURITY-GUIDE C16, scenario 3a): a scripted
session through every area, sent with addresses (through a trusted proxy, so
Hearth really sees them), a user agent and an e-mail in the Referer, then every
table and every log line is scanned."""

from __future__ import annotations

import ipaddress
import re
from typing import Iterator

import httpx
import pytest

from tests.e2e.db_dump import dump
from tests.e2e.dm_support import OPEN_DMS, pair
from tests.support import PASSWORD, Database, Member, ServerProcess, create_staff, unique_name

AGENT = "Mozilla/5.0 (X11; Linux x86_64) HearthPrivacyProbe/7.3 Gecko/20100101 Firefox/128.0"
EMAIL = "river.person@example.org"
ADDRESSES = ("203.0.113.77", "2001:db8:4:5::77", "198.51.100.23")
ROOM = 2

_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def addresses_in(text: str) -> set[str]:
    """Real IPv4/IPv6 addresses in `text` (a time like 12:30:05 is not one)."""
    found = set()
    for match in [*_IPV4.findall(text), *_IPV6.findall(text)]:
        try:
            ipaddress.ip_address(match)
        except ValueError:
            continue
        if match not in ("::",):
            found.add(match)
    return found


def test_the_address_finder_finds_addresses_and_not_times() -> None:
    assert addresses_in("at 203.0.113.7:5555 and [2001:db8::1]:80 and ::1") == {"203.0.113.7", "2001:db8::1", "::1"}
    assert addresses_in("2026-01-02T12:30:05+00:00 v1.2.3 $argon2id$v=19$m=65536,t=3,p=4") == set()


@pytest.fixture(scope="module")
def proxied() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env={**OPEN_DMS, "HEARTH_TRUSTED_PROXIES": "127.0.0.1"}).start()
    yield proc
    proc.stop()


def _client(address: str) -> httpx.Client:
    return httpx.Client(headers={"User-Agent": AGENT, "X-Forwarded-For": address, "X-Real-IP": address,
                                 "Forwarded": f'for="{address}"', "Referer": f"https://mail.example.org/inbox?u={EMAIL}",
                                 "From": EMAIL}, timeout=30)


async def test_a_whole_session_leaves_no_address_agent_or_email_behind(proxied: ServerProcess) -> None:
    base = proxied.base
    specialist = create_staff(proxied, "specialist")
    members: list[Member] = []
    for address in ADDRESSES[:2]:
        with _client(address) as client:
            name = unique_name("Scan")
            body = client.post(base + "/api/v1/auth/signup", json={"pseudonym": name, "password": PASSWORD}).json()
            client.post(base + "/api/v1/auth/login", json={"pseudonym": name, "password": "wrong password entirely"})
            login = client.post(base + "/api/v1/auth/login", json={"pseudonym": name, "password": PASSWORD})
            assert login.status_code == 200
            members.append(Member(proxied, name, login.json()["token"], body["user"], body["recovery_codes"]))
    first, second = members
    with _client(ADDRESSES[2]) as client:
        auth = {"Authorization": f"Bearer {first.token}"}
        client.post(base + "/api/v1/forum/boards/1/threads", headers=auth, json={"title": "Week one", "body": "Hello, forum."})
        client.get(base + "/api/v1/search?q=hello", headers=auth)
        client.put(base + "/api/v1/me/safety-plan", headers=auth, json={"warning_signs": "Skipping meals"})
        client.post(base + "/api/v1/me/recovery/check-ins", headers=auth, json={"mood": 4, "craving": 1})
        client.get(base + "/api/v1/no/such/page", headers=auth)
        client.post(base + "/api/v1/auth/login", content=b"{not json")
        client.get(base + "/api/v1/me/export", headers=auth)
    sock = await first.socket()
    await sock.join(ROOM)
    sent = (await sock.say(ROOM, "Day three, feeling steadier"))["message"]
    await sock.say(ROOM, "I have the pills lined up and tonight is the night")  # a crisis flag
    conversation = pair(first, second)
    await sock.join(conversation)
    await sock.say(conversation, "Thanks for listening yesterday")
    await sock.send_raw("not json at all")
    await sock.close()
    second.post("/api/v1/concerns", {"message_id": sent["id"]})
    specialist.get("/api/v1/crisis/flags")
    with _client(ADDRESSES[0]) as client:
        client.post(base + "/api/v1/auth/logout", headers={"Authorization": f"Bearer {second.token}"})

    tables = dump(proxied.database)
    stored = "\n".join(f"{t}.{c}={v}" for t, rows in tables.items() for row in rows for c, v in row.items())
    assert addresses_in(stored) == set(), addresses_in(stored)
    assert "HearthPrivacyProbe" not in stored and "Mozilla" not in stored
    assert _EMAIL.findall(stored) == []

    log = proxied.log()
    assert log, "the server wrote no log at all"
    # The one address a log may name is the server's own, where it listens (not a person's).
    own = f"Hearth is listening on http://127.0.0.1:{proxied.port}"
    people = [line for line in log.splitlines() if own not in line]
    found = addresses_in("\n".join(people))
    assert found == set(), [line for line in people if addresses_in(line)][:5]
    assert "HearthPrivacyProbe" not in log and _EMAIL.findall(log) == []
    assert "Day three" not in log and "pills" not in log  # and no message text
