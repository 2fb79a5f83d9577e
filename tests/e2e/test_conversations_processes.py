"""Private conversations across two server processes sharing one database and
the Redis broker: delivery, idempotency, resume, blocks and the race-safe
claims (talk-now take, mentor accept) with each contender on its own process."""

from __future__ import annotations

import asyncio
import secrets
from typing import Iterator

import pytest

from tests.e2e.dm_support import OPEN_DMS, pair, post_together, put
from tests.support import Database, Member, ServerProcess, configured_redis_url, create_staff, sign_up

pytestmark = pytest.mark.skipif(
    not configured_redis_url(), reason="two processes share events only through Redis (set HEARTH_TEST_REDIS_URL)"
)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    database = Database.fresh()
    first = ServerProcess(database, extra_env=OPEN_DMS).start()
    second = ServerProcess(database, extra_env=OPEN_DMS).start()
    yield first, second
    second.stop()
    first.stop()


def on(member: Member, server: ServerProcess) -> Member:
    """The same account, talking to another process."""
    return Member(server, member.pseudonym, member.token, member.user)


async def test_delivery_idempotency_and_resume_across_processes(servers: tuple[ServerProcess, ServerProcess]) -> None:
    one, two = servers
    alice, bob = sign_up(one), sign_up(two)
    conv = pair(alice, on(bob, one))
    a, b = await alice.socket(one), await bob.socket(two)
    await a.join(conv)
    last = (await b.join(conv))["room"]["last_seq"]
    activity_start = len(b.frames)
    client_id = "xp-" + secrets.token_hex(4)
    first = await a.say(conv, "across the processes", client_id)
    got = await b.wait_for(lambda f: f["type"] == "message" and f["room_id"] == conv)
    assert got["message"]["id"] == first["message"]["id"]
    await b.wait_for(lambda f: f["type"] == "conversation_activity", start=activity_start)

    # The same client_id sent to the other process: the same message, nothing new published.
    a2 = await alice.socket(two)
    again = await a2.say(conv, "across the processes", client_id)
    assert again["duplicate"] is True and again["message"]["id"] == first["message"]["id"]
    for i in range(5):
        await (a if i % 2 else a2).say(conv, f"burst {i}")
    await b.wait_for(lambda f: f["type"] == "message" and f["message"]["body"] == "burst 4")
    await b.quiet()
    bodies = [f["message"]["body"] for f in b.events("message", conv)]
    assert bodies == ["across the processes"] + [f"burst {i}" for i in range(5)]
    seqs = [f["seq"] for f in b.events("message", conv)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)

    # Bob reconnects to the other process and resumes from where he was.
    await b.close()
    b2 = await bob.socket(one)
    await b2.join(conv, after_seq=last)
    await b2.wait_for(lambda f: f["type"] == "message" and f["message"]["body"] == "burst 4")
    assert [f["message"]["body"] for f in b2.events("message", conv)] == bodies
    for sock in (a, a2, b2):
        await sock.close()


async def test_a_block_on_one_process_hides_posts_served_by_the_other(servers: tuple[ServerProcess, ServerProcess]) -> None:
    one, two = servers
    blocker, blocked, bystander = sign_up(one), sign_up(two), sign_up(two)
    s_blocker, s_blocked, s_bystander = await blocker.socket(two), await blocked.socket(one), await bystander.socket(one)
    for sock in (s_blocker, s_blocked, s_bystander):
        await sock.join(5)
    assert blocker.post("/api/v1/blocks", {"pseudonym": blocked.pseudonym}).status_code == 201  # on process one
    await s_blocker.wait_for(lambda f: f["type"] == "blocks_changed")  # reached the socket on process two
    hidden = (await s_blocked.say(5, "you won't see this"))["message"]
    shown = (await s_bystander.say(5, "but you'll see this"))["message"]
    await s_blocker.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == shown["id"])
    assert hidden["id"] not in [f["message"]["id"] for f in s_blocker.events("message", 5)]
    for sock in (s_blocker, s_blocked, s_bystander):
        await sock.close()


@pytest.mark.parametrize("round_", range(3))
def test_two_helpers_on_two_processes_take_one_request_once(servers: tuple[ServerProcess, ServerProcess], round_: int) -> None:
    one, two = servers
    member = sign_up(one)
    request = member.post("/api/v1/talk-now").json()["request"]
    a, b = create_staff(one, "specialist"), on(create_staff(one, "specialist"), two)
    for helper in (a, b):
        assert put(helper, "/api/v1/talk-now/availability", {"available": True, "max_chats": 1}).status_code == 200
    path = f"/api/v1/talk-now/{request['id']}/take"
    results = asyncio.run(post_together([(a, path, None), (b, path, None)]))
    assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
    for helper in (a, b):
        put(helper, "/api/v1/talk-now/availability", {"available": False})


@pytest.mark.parametrize("round_", range(3))
def test_two_mentors_on_two_processes_accept_one_request_once(servers: tuple[ServerProcess, ServerProcess], round_: int) -> None:
    one, two = servers
    focus = ["opioids", "stimulants", "gambling"][round_]
    mentors = [sign_up(one), on(sign_up(one), two)]
    for mentor in mentors:
        body = {"recovery_since": "2019-01-01", "focus": [focus], "tz_band": "americas", "languages": ["de"], "max_mentees": 3}
        assert put(mentor, "/api/v1/mentorship/profile", body).status_code == 200
    member = sign_up(one)
    request = member.post("/api/v1/mentorship/requests", {"focus": focus, "tz_band": "americas", "language": "de"}).json()["request"]
    path = f"/api/v1/mentorship/inbox/{request['id']}/accept"
    results = asyncio.run(post_together([(m, path, None) for m in mentors]))
    statuses = sorted(r.status_code for r in results)
    assert statuses[0] == 200 and statuses[1] in (404, 409), [r.text for r in results]
    assert len(member.get("/api/v1/mentorship").json()["mentorships"]) == 1
