"""SQLite's write path (server/db.py `Database.write`, server/sqlite_driver.py):
the write gate's holder uses one kept-open connection. That must never block the
event loop, lose or half-commit a write, or let one writer's leftovers into the
next writer's transaction."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions import accounts
from server.models import Message, Room
from server.services import Hearth
from server.sqlite_driver import HotStatement
from tests.support import PASSWORD, unique_name

_rooms, _messages = Room.__table__, Message.__table__
ROOM = 1  # "Welcome", seeded by the first migration
# The next-seq UPDATE of server/actions/messages.py, also telling which thread ran it.
NEXT_SEQ_AND_THREAD = HotStatement(update(_rooms).where(_rooms.c.id == bindparam("room"))
                                   .values(last_seq=_rooms.c.last_seq + 1)
                                   .returning(_rooms.c.last_seq, func.hearth_test_thread()), writes=True)
NEXT_SEQ = HotStatement(update(_rooms).where(_rooms.c.id == bindparam("room")).values(last_seq=_rooms.c.last_seq + 1)
                        .returning(_rooms.c.last_seq), writes=True)
KEYS = ("room_id", "author_id", "client_id", "body", "seq", "version_seq", "created_at", "held_at", "reply_to_id")
INSERT = HotStatement(_messages.insert().returning(_messages.c.id), column_keys=KEYS, writes=True)
BY_CLIENT = HotStatement(select(_messages.c.id).where(_messages.c.client_id == bindparam("client")))


@pytest.fixture(autouse=True)
def _sqlite_only(hearth: Hearth) -> None:
    if not hearth.settings.is_sqlite:
        pytest.skip("SQLite's own write path; PostgreSQL writes on pooled connections with row locks")


async def _reports_its_thread(session: AsyncSession) -> None:
    driver = (await (await session.connection()).get_raw_connection()).driver_connection
    await driver._execute(driver._conn.create_function, "hearth_test_thread", 0, threading.get_ident)


def record_trips(driver: object) -> list[object]:
    """Note each trip to aiosqlite's thread (its SQL, or the function run) until
    `del driver._execute`."""
    trips: list[object] = []
    real_execute = driver._execute  # type: ignore[attr-defined]

    async def counted(fn, *args):  # type: ignore[no-untyped-def]
        trips.append(args[0] if args and isinstance(args[0], str) else getattr(fn, "__name__", "?"))
        return await real_execute(fn, *args)

    driver._execute = counted  # type: ignore[attr-defined]
    return trips


async def _insert(h: Hearth, session: AsyncSession, author: int, client: str) -> None:
    seq = await NEXT_SEQ.scalar(session, {"room": ROOM})
    await INSERT.scalar(session, dict(room_id=ROOM, author_id=author, client_id=client, body="hello", seq=seq,
                                      version_seq=seq, created_at=datetime.now(timezone.utc), held_at=None,
                                      reply_to_id=None))


async def _stored(h: Hearth, client: str) -> bool:
    async with h.db.read() as session:
        return bool(await BY_CLIENT.rows(session, {"client": client}))


async def test_a_write_begins_on_aiosqlites_thread_even_with_the_lock_free_then_runs_on_the_loop(hearth: Hearth) -> None:
    """Its BEGIN IMMEDIATE could wait for another process's lock, and its trip is also
    the moment other writes gather at the write gate, where a crisis message goes first:
    without a trip that costs crisis alerts their urgent lane (docs/performance.md).
    Holding the lock, its statements cannot wait: they run on the event loop."""
    driver = (await (await hearth.db._write_connection()).get_raw_connection()).driver_connection
    trips = record_trips(driver)
    try:
        async with hearth.db.write() as session:
            assert trips == ["BEGIN IMMEDIATE"]
            await _reports_its_thread(session)
            [(_seq, thread)] = await NEXT_SEQ_AND_THREAD.rows(session, {"room": ROOM})
            assert thread == threading.get_ident()
    finally:
        del driver._execute
    assert trips == ["BEGIN IMMEDIATE", "hearth_test_thread"]  # (the test's own set-up) and it committed on the loop


async def test_with_the_lock_held_elsewhere_the_first_write_waits_on_aiosqlites_thread_and_the_loop_runs_on(
        hearth: Hearth) -> None:
    """Another process (a `hearth` command, say) holds the write lock: the write waits
    for it on aiosqlite's thread while the loop serves everyone else."""
    async with hearth.db.write() as session:  # Hearth has connected (and put the file in WAL mode)
        await NEXT_SEQ.scalar(session, {"room": ROOM})
    other = sqlite3.connect(hearth.settings.data_dir / "hearth.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # takes SQLite's write lock
    other.execute("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = 1")
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def write() -> tuple[int, int]:
        async with hearth.db.write() as session:
            await _reports_its_thread(session)
            [(seq, thread)] = await NEXT_SEQ_AND_THREAD.rows(session, {"room": ROOM})
            return seq, thread

    ticker = asyncio.create_task(ticking())
    writing = asyncio.create_task(write())
    try:
        await asyncio.sleep(0.4)
        assert not writing.done()  # waiting for the lock...
        assert ticks >= 10  # ...without blocking the loop
        before = other.execute("SELECT last_seq FROM rooms WHERE id = 1").fetchone()[0]
        other.execute("COMMIT")
        seq, thread = await asyncio.wait_for(writing, 10)
    finally:
        ticker.cancel()
        other.close()
    assert seq == before + 1  # after the other connection's update, which it waited for


async def test_writes_share_one_connection_and_a_broken_one_is_replaced(hearth: Hearth) -> None:
    async def driver_of_a_write() -> object:
        async with hearth.db.write() as session:
            return (await (await session.connection()).get_raw_connection()).driver_connection

    first = await driver_of_a_write()
    assert await driver_of_a_write() is first
    await hearth.db._writer.invalidate()  # type: ignore[union-attr]  # as SQLAlchemy does on a lost connection
    author = (await accounts.sign_up(hearth, unique_name(), PASSWORD))[0].id  # a write: works
    assert await driver_of_a_write() is not first
    async with hearth.db.write() as session:
        await _insert(hearth, session, author, "writer-after-replace")
    assert await _stored(hearth, "writer-after-replace")


async def test_a_cancelled_writer_leaves_nothing_behind_for_the_next(hearth: Hearth) -> None:
    author = (await accounts.sign_up(hearth, unique_name(), PASSWORD))[0].id
    inside = asyncio.Event()

    async def cancelled_write() -> None:
        async with hearth.db.write() as session:
            await _insert(hearth, session, author, "writer-cancelled")
            inside.set()
            await asyncio.Event().wait()  # e.g. the member's socket went away mid-write

    task = asyncio.create_task(cancelled_write())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with hearth.db.write() as session:
        await _insert(hearth, session, author, "writer-next")
    assert await _stored(hearth, "writer-next")
    assert not await _stored(hearth, "writer-cancelled")


async def test_a_transaction_left_open_on_the_shared_connection_is_rolled_back_not_joined(hearth: Hearth) -> None:
    """Should a writer ever leave the connection mid-transaction (cancelled while its
    rollback ran), the next writer's session must not join it and commit its words."""
    author = (await accounts.sign_up(hearth, unique_name(), PASSWORD))[0].id
    writer = await hearth.db._write_connection()
    await writer.execute(_messages.insert().values(room_id=ROOM, author_id=author, client_id="writer-left-open",
                                                    body="hello", seq=999_001, version_seq=999_001,
                                                    created_at=datetime.now(timezone.utc)))
    assert writer.in_transaction()
    async with hearth.db.write() as session:
        await _insert(hearth, session, author, "writer-after-left-open")
    assert await _stored(hearth, "writer-after-left-open")
    assert not await _stored(hearth, "writer-left-open")


async def test_a_failed_commit_rolls_back_and_the_next_write_works(hearth: Hearth) -> None:
    """A write whose ORM flush fails at commit (a duplicate) is rolled back whole; the
    shared connection is clean for the next writer."""
    from sqlalchemy.exc import IntegrityError

    author = (await accounts.sign_up(hearth, unique_name(), PASSWORD))[0].id
    async with hearth.db.write() as session:
        await _insert(hearth, session, author, "writer-dup")
    with pytest.raises(IntegrityError):
        async with hearth.db.write() as session:
            await _insert(hearth, session, author, "writer-in-failed-transaction")
            session.add(Message(room_id=ROOM, author_id=author, client_id="writer-dup", body="again", seq=999_002,
                                version_seq=999_002, created_at=datetime.now(timezone.utc)))
    assert not await _stored(hearth, "writer-in-failed-transaction")
    async with hearth.db.write() as session:
        await _insert(hearth, session, author, "writer-after-failure")
    assert await _stored(hearth, "writer-after-failure")


async def test_a_commit_that_fails_in_sqlite_leaves_the_shared_connection_ready_for_the_next_write(hearth: Hearth) -> None:
    """SQLite itself refuses the COMMIT (a full disk in production; here a deferred
    foreign key): the write fails, and the next one must still begin and commit."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    author = (await accounts.sign_up(hearth, unique_name(), PASSWORD))[0].id
    with pytest.raises(IntegrityError):
        async with hearth.db.write() as session:
            await session.execute(text("PRAGMA defer_foreign_keys=ON"))  # checked at COMMIT, and refused there
            await _insert(hearth, session, author, "writer-commit-refused")
            await session.execute(_messages.update().where(_messages.c.client_id == "writer-commit-refused")
                                  .values(author_id=999_999_999))  # nobody
    async with hearth.db.write() as session:
        await _insert(hearth, session, author, "writer-after-refused-commit")
    assert await _stored(hearth, "writer-after-refused-commit")
    assert not await _stored(hearth, "writer-commit-refused")


async def test_when_even_the_rollback_fails_the_connection_is_replaced(hearth: Hearth, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    author = (await accounts.sign_up(hearth, unique_name(), PASSWORD))[0].id

    async def close_fails(self: AsyncSession) -> None:
        raise OSError("disk I/O error")

    with monkeypatch.context() as patched:
        patched.setattr(AsyncSession, "close", close_fails)
        with pytest.raises(RuntimeError):
            async with hearth.db.write() as session:
                await _insert(hearth, session, author, "writer-rollback-failed")
                raise RuntimeError("the write fails, and so does its rollback")
    assert hearth.db._writer is not None and hearth.db._writer.invalidated  # dropped, not reused
    async with hearth.db.write() as session:
        await _insert(hearth, session, author, "writer-after-failed-rollback")
    assert await _stored(hearth, "writer-after-failed-rollback")
    assert not await _stored(hearth, "writer-rollback-failed")


async def test_a_writer_cancelled_again_while_rolling_back_keeps_the_gate_until_the_rollback_ends(hearth: Hearth) -> None:
    """The rollback runs shielded; a second cancellation must not hand the shared
    connection to the next writer while that rollback is still running on it."""
    author = (await accounts.sign_up(hearth, unique_name(), PASSWORD))[0].id
    inside = asyncio.Event()

    async def cancelled_write() -> None:
        async with hearth.db.write() as session:
            await _insert(hearth, session, author, "writer-cancelled-twice")
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(cancelled_write())
    await inside.wait()
    driver = hearth.db._writer.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    busy_thread = asyncio.create_task(driver._execute(time.sleep, 0.3))  # the rollback will wait behind this
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.sleep(0.05)  # the rollback is on its way, queued for aiosqlite's thread
    assert driver._conn.in_transaction and not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not driver._conn.in_transaction  # the rollback had ended before the gate was let go
    await busy_thread
    async with hearth.db.write() as session:
        await _insert(hearth, session, author, "writer-after-two-cancels")
    assert await _stored(hearth, "writer-after-two-cancels")
    assert not await _stored(hearth, "writer-cancelled-twice")
