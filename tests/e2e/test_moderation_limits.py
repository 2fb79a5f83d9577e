"""Rate limits on messages, reports, forum posts and new conversations, per account
and per network address: 429 with Retry-After over REST, a `rate_limited` error
frame over the socket, and room again once the window has passed. Then the
whole database and the server's log are scanned: no network address anywhere."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any, Iterator

import httpx
import pytest

from tests.e2e.dm_support import OPEN_DMS, open_dm, set_policy
from tests.e2e.forum_support import run_sql
from tests.e2e.moderation_support import set_trust
from tests.support import Database, Member, ServerProcess, Socket, create_staff, http, sign_up

# Made-up addresses from the documentation ranges (RFC 5737), sent as a trusted
# proxy would: the server is told to trust loopback as its reverse proxy.
ADDRESSES = ["203.0.113.77", "198.51.100.23", "192.0.2.149", "203.0.113.201", "192.0.2.1"]
LIMITS = {
    **OPEN_DMS,
    "HEARTH_TRUSTED_PROXIES": "127.0.0.1",
    "HEARTH_MESSAGE_RATE": "3/2seconds",
    "HEARTH_NEW_MEMBER_MESSAGE_RATE": "1/3seconds",
    "HEARTH_NEW_MEMBER_THREAD_RATE": "1/hour",
    "HEARTH_REPORT_RATE": "2/3seconds",
    "HEARTH_ADDRESS_REPORT_RATE": "3/3seconds",
    "HEARTH_ADDRESS_WRITE_RATE": "5/3seconds",
    "HEARTH_CONVERSATION_OPEN_RATE": "1/3seconds",
    "HEARTH_FORUM_REPLY_RATE": "off",
    "HEARTH_FORUM_THREAD_RATE": "off",
}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env=LIMITS).start()
    yield proc
    proc.stop()


def from_address(member: Member, address: str) -> dict[str, str]:
    return {**member.headers, "X-Forwarded-For": address}


async def send(sock: Socket, room: int, body: str) -> dict[str, Any]:
    return await sock.request({"type": "send", "room_id": room, "body": body, "client_id": secrets.token_hex(6)})


async def test_messages_get_an_error_frame_over_the_limit_and_recover(server: ServerProcess) -> None:
    member = sign_up(server)
    sock = await Socket.open(server.ws_url, from_address(member, ADDRESSES[0]))
    await sock.join(2)
    for i in range(3):
        assert (await send(sock, 2, f"one of three {i}"))["type"] == "ack"
    refused = await send(sock, 2, "the fourth")
    assert refused["type"] == "error" and refused["code"] == "rate_limited"
    wait = int(refused["retry_after"])
    assert 1 <= wait <= 2
    history = [m["body"] for m in member.get("/api/v1/rooms/2/messages").json()["messages"]]
    assert "the fourth" not in history  # a refused send changes nothing
    await asyncio.sleep(wait + 0.2)
    assert (await send(sock, 2, "after the window"))["type"] == "ack"
    await sock.close()


def report(member: Member, address: str, target: int) -> httpx.Response:
    return http.post(server_base(member) + "/api/v1/reports", headers=from_address(member, address),
                      json={"kind": "member", "id": target, "reason": "spam"})


def server_base(member: Member) -> str:
    return member.server.base


def test_reports_per_account_429_with_retry_after_then_recover(server: ServerProcess) -> None:
    reporter, *targets = (sign_up(server) for _ in range(4))
    assert [report(reporter, ADDRESSES[1], t.user["id"]).status_code for t in targets[:2]] == [201, 201]
    over = report(reporter, ADDRESSES[1], targets[2].user["id"])
    assert over.status_code == 429 and over.json()["error"]["code"] == "rate_limited"
    wait = int(over.headers["Retry-After"])
    assert 1 <= wait <= 3
    time.sleep(wait + 0.2)
    assert report(reporter, ADDRESSES[1], targets[2].user["id"]).status_code == 201


def test_reports_per_network_address_across_accounts(server: ServerProcess) -> None:
    """Fresh accounts on one address share its allowance; another address is unaffected."""
    a, b, c, *targets = (sign_up(server) for _ in range(7))
    shared = ADDRESSES[2]
    assert [report(a, shared, t.user["id"]).status_code for t in targets[:2]] == [201, 201]
    first_of_b = report(b, shared, targets[2].user["id"])
    assert first_of_b.status_code == 201, first_of_b.text
    over = report(b, shared, targets[3].user["id"])  # b has used one of its own two: the address is what's full
    assert over.status_code == 429 and "Retry-After" in over.headers
    by_c = report(c, ADDRESSES[3], targets[3].user["id"])
    assert by_c.status_code == 201, by_c.text


async def test_messages_and_posts_per_network_address(server: ServerProcess) -> None:
    a, b = sign_up(server), sign_up(server)
    shared = ADDRESSES[3]
    sa = await Socket.open(server.ws_url, from_address(a, shared))
    await sa.join(3)
    assert all([(await send(sa, 3, f"from a {i}"))["type"] == "ack" for i in range(3)])
    post = http.post(server.base + "/api/v1/forum/boards/1/threads", headers=from_address(b, shared),
                      json={"title": "Hello from b", "body": "first post"})
    assert post.status_code == 201
    second = http.post(server.base + f"/api/v1/forum/threads/{post.json()['thread']['id']}/replies",
                        headers=from_address(b, shared), json={"body": "second post"})
    assert second.status_code == 201
    over = http.post(server.base + f"/api/v1/forum/threads/{post.json()['thread']['id']}/replies",
                      headers=from_address(b, shared), json={"body": "third post"})
    assert over.status_code == 429 and "Retry-After" in over.headers
    assert (await send(sa, 3, "a again"))["code"] == "rate_limited"
    await sa.close()


def test_opening_conversations_is_rate_limited(server: ServerProcess) -> None:
    opener, x, y = sign_up(server), sign_up(server), sign_up(server)
    set_policy(x, "anyone")
    set_policy(y, "anyone")
    assert open_dm(opener, x).status_code == 201
    over = open_dm(opener, y)
    assert over.status_code == 429 and "Retry-After" in over.headers
    assert open_dm(opener, x).status_code in (200, 201)  # an existing conversation is always there to return to


async def test_new_accounts_have_their_own_limits(server: ServerProcess) -> None:
    """Trust level 0 (here set by a moderator, as during a raid): one message per window, one new thread."""
    member = sign_up(server)
    moderator = create_staff(server, "moderator")
    set_trust(moderator, member, 0)
    sock = await Socket.open(server.ws_url, from_address(member, "192.0.2.1"))
    await sock.join(4)
    assert (await send(sock, 4, "hello, I'm new"))["type"] == "ack"
    refused = await send(sock, 4, "and again")
    assert refused["code"] == "rate_limited" and "New accounts" in refused["detail"]
    await sock.close()
    first = http.post(server.base + "/api/v1/forum/boards/1/threads", headers=from_address(member, "192.0.2.1"),
                       json={"title": "My first thread", "body": "hello"})
    assert first.status_code == 201
    second = http.post(server.base + "/api/v1/forum/boards/1/threads", headers=from_address(member, "192.0.2.1"),
                        json={"title": "My second thread", "body": "hello"})
    assert second.status_code == 429 and "New accounts" in second.json()["error"]["detail"]
    set_trust(moderator, member, None)
    third = http.post(server.base + "/api/v1/forum/boards/1/threads", headers=from_address(member, "192.0.2.1"),
                       json={"title": "Trusted again", "body": "hello"})
    assert third.status_code == 201


def test_no_network_address_in_the_database_or_the_log(server: ServerProcess) -> None:
    """Runs last in this module: everything above sent these addresses."""
    if server.database.url:
        tables = [r[0] for r in run_sql(server, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
    else:
        tables = [r[0] for r in run_sql(server, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert "moderation_audit" in tables and "mod_reports" in tables
    dump = []
    for table in tables:
        dump.extend(str(row) for row in run_sql(server, f'SELECT * FROM "{table}"'))
    everything = "\n".join(dump)
    assert "Hello from b" in everything  # the dump is real
    log = server.log()
    for address in ADDRESSES + ["127.0.0.1"]:
        assert address not in everything, f"{address} found in the database"
    for address in ADDRESSES:
        assert address not in log, f"{address} found in the log"
