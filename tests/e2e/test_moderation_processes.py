"""Moderation across two server processes sharing one database and the Redis
broker: a hidden message disappears from sockets on both, a suspension closes
a socket on the other process, a new watched word applies on both at once,
two moderators on different processes race for one case, and an untouched
host case is handed to site moderators exactly once."""

from __future__ import annotations

import asyncio
import secrets
from typing import Iterator

import pytest

from tests.e2e.dm_support import post_together
from tests.e2e.moderation_support import MOD, acted, audit, case_for, queue, report
from tests.support import Database, Member, ServerProcess, configured_redis_url, create_staff, sign_up

pytestmark = pytest.mark.skipif(
    not configured_redis_url(), reason="two processes share events only through Redis (set HEARTH_TEST_REDIS_URL)"
)
ENV = {"HEARTH_HOST_ESCALATE_SECONDS": "1"}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    database = Database.fresh()
    first = ServerProcess(database, extra_env=ENV).start()
    second = ServerProcess(database, extra_env=ENV).start()
    yield first, second
    second.stop()
    first.stop()


def on(member: Member, server: ServerProcess) -> Member:
    return Member(server, member.pseudonym, member.token, member.user)


async def test_hidden_message_disappears_on_both_processes(servers: tuple[ServerProcess, ServerProcess]) -> None:
    one, two = servers
    author, reader, reporter = sign_up(one), sign_up(two), sign_up(one)
    mod = create_staff(two, "moderator")
    sa, sr = await author.socket(one), await reader.socket(two)
    await sa.join(2)
    await sr.join(2)
    sent = (await sa.say(2, "something nasty about someone"))["message"]
    await sr.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == sent["id"])
    assert report(reporter, "message", sent["id"], "harassment").status_code == 201
    acted(mod, case_for(mod, "message", sent["id"])["id"], "hide", "Unkind about another member.")
    for sock in (sa, sr):
        frame = await sock.wait_for(lambda f: f["type"] == "message_hidden" and f["message"]["id"] == sent["id"])
        assert frame["message"]["body"] is None
    await sa.wait_for(lambda f: f["type"] == "moderation_notice")
    await sa.close()
    await sr.close()


async def test_suspension_closes_a_socket_on_the_other_process(servers: tuple[ServerProcess, ServerProcess]) -> None:
    one, two = servers
    member = sign_up(one)
    mod = create_staff(one, "moderator")
    sock = await member.socket(two)
    response = mod.post(f"{MOD}/members/{member.user['id']}/actions", {"action": "suspend", "reason": "spam raid", "minutes": 5})
    assert response.status_code == 201
    assert await asyncio.wait_for(sock.closed, 10) == (1008, "suspended")


async def test_a_new_watched_word_applies_on_both_processes(servers: tuple[ServerProcess, ServerProcess]) -> None:
    one, two = servers
    admin = create_staff(one, "admin")
    member = sign_up(two)
    sock = await member.socket(two)
    await sock.join(3)
    word = f"zq{secrets.token_hex(3)}"
    assert (await sock.say(3, f"{word} is fine for now"))["type"] == "ack"  # process two has loaded its list
    assert admin.post(f"{MOD}/watched-words", {"pattern": word, "action": "block"}).status_code == 201
    for _ in range(50):  # the change reaches process two through the broker
        reply = await sock.request({"type": "send", "room_id": 3, "body": f"{word} again", "client_id": secrets.token_hex(6)})
        if reply["type"] == "error":
            break
        await asyncio.sleep(0.1)
    assert reply["type"] == "error" and reply["code"] == "message_blocked"
    await sock.close()


async def test_two_moderators_on_two_processes_race_for_one_case(servers: tuple[ServerProcess, ServerProcess]) -> None:
    one, two = servers
    author, reporter = sign_up(one), sign_up(one)
    mod_a, mod_b = create_staff(one, "moderator"), create_staff(two, "moderator")
    sock = await author.socket(one)
    sent = (await sock.say(4, "spam spam spam"))["message"]
    await sock.close()
    report(reporter, "message", sent["id"], "spam")
    case_id = case_for(mod_a, "message", sent["id"])["id"]
    body = {"action": "warn", "reason": "Please don't spam the room.", "resolve": False}
    results = await post_together([(mod_a, f"{MOD}/cases/{case_id}/actions", body), (mod_b, f"{MOD}/cases/{case_id}/actions", body)])
    assert sorted(r.status_code for r in results) == [200, 409]
    assert {r.json()["error"]["code"] for r in results if r.status_code == 409} <= {"already_claimed", "claimed_by_other"}
    warnings = [n for n in author.get("/api/v1/me/notices").json()["notices"] if n["kind"] == "action"]
    assert len(warnings) == 1  # one moderator acted, once


async def test_untouched_host_case_goes_to_site_moderators_once(servers: tuple[ServerProcess, ServerProcess]) -> None:
    one, two = servers
    admin = create_staff(one, "admin")
    host, author, reporter = sign_up(one), sign_up(two), sign_up(two)
    assert admin.post(f"{MOD}/rooms/7/hosts", {"pseudonym": host.pseudonym}).status_code == 201
    hs = await host.socket(one)
    sock = await author.socket(two)
    sent = (await sock.say(7, "get lost, nobody wants you here"))["message"]
    await sock.close()
    assert report(reporter, "message", sent["id"], "harassment").status_code == 201
    opened = await hs.wait_for(lambda f: f["type"] == "case_opened")
    assert opened["case"]["tier"] == "host" and "reporter" not in str(opened)
    assert [c["id"] for c in queue(host)] == [opened["case"]["id"]]  # the host sees their room's case
    for _ in range(100):
        found = case_for(admin, "message", sent["id"])
        if found["tier"] == "site":
            break
        await asyncio.sleep(0.1)
    assert found["tier"] == "site" and found["escalated"]
    await asyncio.sleep(1.0)  # both sweepers have had several more turns
    assert len(audit(admin, action="case_escalated", target_id=str(found["id"]))) == 1
    await hs.close()
