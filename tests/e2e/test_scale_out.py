"""Several processes on one PostgreSQL + Redis: no acknowledged message is
lost, duplicated or reordered through crashes, restarts and reconnects."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
from typing import Iterator

import httpx
import pytest

from tests.resilient import ResilientClient
from tests.support import Database, ServerProcess, configured_database_url, configured_redis_url, free_port, http, sign_up

pytestmark = pytest.mark.skipif(
    not (configured_database_url() and configured_redis_url()),
    reason="several processes need PostgreSQL + Redis (CI runs this in its PostgreSQL + Redis pass)",
)
ROOM = 5


@pytest.fixture
def pair() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    database = Database.fresh()
    first = ServerProcess(database).start()
    second = ServerProcess(database).start()
    yield first, second
    first.stop()
    second.stop()


def _assert_exactly_once_in_order(clients: list[ResilientClient], stored_ids: list[int]) -> None:
    for client in clients:
        ids = [m["id"] for m in client.received]
        assert len(ids) == len(set(ids)), f"{client.member.pseudonym} got duplicates"
        seqs = [m["seq"] for m in client.received]
        assert seqs == sorted(seqs), f"{client.member.pseudonym} got messages out of order"
        assert set(ids) == set(stored_ids), f"{client.member.pseudonym} missed {sorted(set(stored_ids) - set(ids))}"


def _stored_ids(server: ServerProcess, member_headers: dict[str, str]) -> list[int]:
    messages = http.get(f"{server.base}/api/v1/rooms/{ROOM}/messages?limit=100", headers=member_headers).json()["messages"]
    return sorted(m["id"] for m in messages)


async def test_members_on_different_processes_see_every_message_once_in_order(pair: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = pair
    members = [sign_up(first) for _ in range(4)]
    clients = [ResilientClient(m, [(first if i % 2 == 0 else second).ws_url], ROOM) for i, m in enumerate(members)]
    for client in clients:
        await client.start()

    async def chatter(client: ResilientClient, n: int) -> list[int]:
        acks = [await client.send(f"{client.member.pseudonym} says {i}") for i in range(n)]
        return [a["id"] for a in acks if a]

    sent = await asyncio.gather(*(chatter(c, 10) for c in clients))
    all_ids = {i for ids in sent for i in ids}
    assert len(all_ids) == 40
    for client in clients:
        await client.wait_until_received(all_ids)
    _assert_exactly_once_in_order(clients, _stored_ids(first, members[0].headers))
    for client in clients:
        await client.stop()


async def test_a_resend_to_another_process_returns_the_same_message(pair: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = pair
    member, watcher = sign_up(first), sign_up(first)
    on_first, on_second, watching = await member.socket(first), await member.socket(second), await watcher.socket(second)
    for sock in (on_first, on_second, watching):
        await sock.join(ROOM)
    original = await on_first.say(ROOM, "said once, sent twice", "same-client-id")
    again = await on_second.say(ROOM, "said once, sent twice", "same-client-id")
    assert again["duplicate"] is True and original["duplicate"] is False
    assert again["message"] == original["message"]
    await watching.wait_for(lambda f: f["type"] == "message" and f["message"]["client_id"] == "same-client-id")
    await watching.quiet(0.5)
    assert len([f for f in watching.events("message", ROOM) if f["message"]["client_id"] == "same-client-id"]) == 1
    stored = http.get(f"{first.base}/api/v1/rooms/{ROOM}/messages", headers=member.headers).json()["messages"]
    assert [m["id"] for m in stored if m["client_id"] == "same-client-id"] == [original["message"]["id"]]
    for sock in (on_first, on_second, watching):
        await sock.close()


async def test_a_killed_process_loses_nothing_that_was_acknowledged(pair: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = pair
    members = [sign_up(first) for _ in range(4)]
    # Two members start on the process that will be killed; everyone falls back to the other.
    clients = [ResilientClient(m, [first.ws_url, second.ws_url] if i < 2 else [second.ws_url, first.ws_url], ROOM)
               for i, m in enumerate(members)]
    for client in clients:
        await client.start()
    killed = asyncio.Event()

    async def chatter(client: ResilientClient) -> None:
        for i in range(25):
            await client.send(f"{client.member.pseudonym} {i}")
            if i == 8 and client is clients[0]:
                first.kill()  # SIGKILL mid-stream: no goodbye to anyone
                killed.set()
            await asyncio.sleep(0.01)

    await asyncio.gather(*(chatter(c) for c in clients))
    assert killed.is_set()
    assert clients[0].reconnects >= 1 and clients[1].reconnects >= 1
    assert clients[0].resent >= 1, "the send after the kill went out again after the reconnect"

    stored = _stored_ids(second, members[0].headers)
    stored_set = set(stored)
    for client in clients:
        acked_ids = {m["id"] for m in client.acked.values()}
        assert acked_ids <= stored_set, "an acknowledged message was lost"
        assert not client.unacked, "every retried send was finally acknowledged"
    # Each client's 25 sends appear exactly once in the room, retries included.
    messages = http.get(f"{second.base}/api/v1/rooms/{ROOM}/messages?limit=100", headers=members[0].headers).json()["messages"]
    for member in members:
        mine = [m for m in messages if m["author"]["id"] == member.user["id"]]
        assert sorted(m["body"] for m in mine) == sorted(f"{member.pseudonym} {i}" for i in range(25))
    for client in clients:
        await client.wait_until_received(stored_set)
    _assert_exactly_once_in_order(clients, stored)
    for client in clients:
        await client.stop()


async def test_sigterm_drains_with_1012_and_nothing_acknowledged_is_lost(pair: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = pair
    member, other = sign_up(first), sign_up(first)
    leaving = ResilientClient(member, [first.ws_url, second.ws_url], ROOM)
    staying = ResilientClient(other, [second.ws_url], ROOM)
    await leaving.start()
    await staying.start()
    before = [await leaving.send(f"before {i}") for i in range(5)]
    # uvicorn re-raises the signal once its graceful shutdown is done.
    assert await asyncio.to_thread(first.stop, signal.SIGTERM) in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in first.log()
    for _ in range(100):
        if leaving.close_codes:
            break
        await asyncio.sleep(0.05)
    assert leaving.close_codes[0] == 1012
    after = [await leaving.send(f"after {i}") for i in range(5)]
    ids = {m["id"] for m in before + after if m}
    assert len(ids) == 10
    for client in (leaving, staying):
        await client.wait_until_received(ids)
    _assert_exactly_once_in_order([leaving, staying], _stored_ids(second, member.headers))
    await leaving.stop()
    await staying.stop()


async def test_sigterm_lets_a_write_in_flight_finish(pair: tuple[ServerProcess, ServerProcess]) -> None:
    """A message being written when SIGTERM arrives is committed, even when events
    for the closing socket keep arriving from the other process meanwhile."""
    import asyncpg

    first, second = pair
    writer, neighbour = sign_up(first), sign_up(first)
    sock = await writer.socket(first)
    await sock.join(6)
    await sock.join(7)
    other = await neighbour.socket(second)
    await other.join(7)
    assert first.database.url
    lock = await asyncpg.connect(first.database.url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        # Hold room 6's row: the write below takes its next seq from that row, so it waits.
        transaction = lock.transaction()
        await transaction.start()
        await lock.execute("SELECT 1 FROM rooms WHERE id = 6 FOR UPDATE")
        await sock.send({"type": "send", "room_id": 6, "body": "written while the server stops", "client_id": "in-flight-1"})
        for _ in range(100):
            if await lock.fetchval("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the write never reached the database")
        stopping = asyncio.create_task(asyncio.to_thread(first.stop, signal.SIGTERM, 30))
        assert (await asyncio.wait_for(sock.closed, 10))[0] == 1012
        with pytest.raises(httpx.ConnectError):  # draining: no new connections
            http.get(first.base + "/healthz", timeout=2)
        for i in range(3):  # news for the closed socket, from the process that stays
            await other.say(7, f"meanwhile {i}")
            await asyncio.sleep(0.2)
        await transaction.commit()
        assert await stopping in (0, -signal.SIGTERM)
    finally:
        await lock.close()
    stored = http.get(f"{second.base}/api/v1/rooms/6/messages", headers=writer.headers).json()["messages"]
    assert [m["body"] for m in stored if m["client_id"] == "in-flight-1"] == ["written while the server stops"]
    assert "unexpected error" not in first.log()
    await other.close()


@pytest.fixture
def private_redis() -> Iterator["RedisServer"]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


class RedisServer:
    """A Redis of the test's own, so restarting it disturbs nobody else."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                import socket

                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                import time

                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _ready(server: ServerProcess) -> bool:
    return http.get(server.base + "/readyz").status_code == 200


async def test_chat_recovers_by_itself_when_redis_restarts(private_redis: RedisServer) -> None:
    database = Database.fresh()
    env = {"HEARTH_REDIS_URL": private_redis.url}
    first = ServerProcess(database, extra_env=env).start()
    second = ServerProcess(database, extra_env=env).start()
    try:
        a, b = sign_up(first), sign_up(first)
        on_first = ResilientClient(a, [first.ws_url], ROOM)
        on_second = ResilientClient(b, [second.ws_url], ROOM)
        await on_first.start()
        await on_second.start()
        ids = {m["id"] for m in [await on_first.send(f"before {i}") for i in range(3)] if m}

        private_redis.stop()
        for _ in range(100):
            if not _ready(first):
                break
            await asyncio.sleep(0.05)
        assert not _ready(first), "/readyz reports the broker outage"
        during = [await on_first.send(f"during {i}") for i in range(3)]  # committed, not published
        ids |= {m["id"] for m in during if m}
        assert len(ids) == 6

        private_redis.start()
        for _ in range(600):  # the listener retries at most 5 s apart; a loaded machine adds to it
            if _ready(first) and _ready(second):
                break
            await asyncio.sleep(0.05)
        assert _ready(first) and _ready(second)
        ids |= {m["id"] for m in [await on_second.send(f"after {i}") for i in range(3)] if m}
        for client in (on_first, on_second):
            await client.wait_until_received(ids)
        assert on_second.resync_notices >= 1
        for server in (first, second):  # the outage and the recovery are logged
            assert "lost the Redis connection" in server.log() and "Redis is back" in server.log()
        _assert_exactly_once_in_order([on_first, on_second], _stored_ids(first, a.headers))
        await on_first.stop()
        await on_second.stop()
    finally:
        first.stop()
        second.stop()
