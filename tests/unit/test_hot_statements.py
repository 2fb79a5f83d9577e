"""HotStatement (server/sqlite_driver.py): the statements every chat message
runs, straight on aiosqlite's thread on SQLite and through SQLAlchemy elsewhere.
Either way they must behave exactly like SQLAlchemy: the same rows, the same
stored values (dates through their column type), the same errors, in the
session's own transaction. These run on SQLite and, in CI's second pass, on
PostgreSQL."""

from __future__ import annotations

import gc
import threading
import weakref
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Message, Room
from server.services import Hearth
from server.sqlite_driver import HotStatement
from tests.support import PASSWORD, unique_name
from server.actions import accounts

_rooms, _messages = Room.__table__, Message.__table__
NEXT_SEQ = HotStatement(update(_rooms).where(_rooms.c.id == bindparam("room")).values(last_seq=_rooms.c.last_seq + 1)
                        .returning(_rooms.c.last_seq), writes=True)
KEYS = ("room_id", "author_id", "client_id", "body", "seq", "version_seq", "created_at", "held_at", "reply_to_id")
INSERT = HotStatement(_messages.insert().returning(_messages.c.id), column_keys=KEYS, writes=True)
BY_CLIENT = HotStatement(select(_messages.c.id, _messages.c.body).where(_messages.c.client_id == bindparam("client")))
ROOM = 1  # "Welcome", seeded by the first migration


async def _author(h: Hearth) -> int:
    user, _token, _codes = await accounts.sign_up(h, unique_name(), PASSWORD)
    return user.id


def _values(author: int, client: str, seq: int, at: datetime) -> dict[str, object]:
    return dict(room_id=ROOM, author_id=author, client_id=client, body="a plain hello, and 'quotes'", seq=seq,
                version_seq=seq, created_at=at, held_at=None, reply_to_id=None)


async def test_a_constant_in_the_statement_and_a_given_parameter_both_reach_the_database(hearth: Hearth) -> None:
    async with hearth.db.write() as session:
        before = await session.scalar(select(Room.last_seq).where(Room.id == ROOM))
        first = await NEXT_SEQ.scalar(session, {"room": ROOM})
        second = await NEXT_SEQ.scalar(session, {"room": ROOM})
    assert (first, second) == (before + 1, before + 2)
    async with hearth.db.write() as session:
        assert await NEXT_SEQ.scalar(session, {"room": 999_999}) is None  # no row: None, as Result.scalar()


async def test_an_inserted_row_reads_back_through_the_orm_with_its_dates_intact(hearth: Hearth) -> None:
    author = await _author(hearth)
    at = datetime(2026, 11, 27, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=2)))
    async with hearth.db.write() as session:
        new_id = await INSERT.scalar(session, _values(author, "hot-1", 10_001, at))
        assert await BY_CLIENT.rows(session, {"client": "hot-1"}) == [(new_id, "a plain hello, and 'quotes'")]
    async with hearth.db.read() as session:
        stored = await session.get(Message, new_id)
    assert stored is not None and stored.author_id == author and stored.held_at is None
    assert stored.created_at == at  # the same instant, through UTCDateTime's bind processing


async def test_work_is_in_the_sessions_transaction_and_rolls_back_with_it(hearth: Hearth) -> None:
    author = await _author(hearth)
    with pytest.raises(RuntimeError):
        async with hearth.db.write() as session:
            await INSERT.scalar(session, _values(author, "hot-rolled-back", 10_002, datetime.now(timezone.utc)))
            raise RuntimeError("the transaction fails after the insert")
    async with hearth.db.read() as session:
        assert await BY_CLIENT.rows(session, {"client": "hot-rolled-back"}) == []


@pytest.mark.parametrize("after_a_write", [False, True])
async def test_a_duplicate_is_sqlalchemys_integrity_error_without_the_members_words(hearth: Hearth, after_a_write: bool) -> None:
    """`after_a_write`: the INSERT follows the transaction's first write, so on SQLite it
    runs on the event loop; same error, same rollback."""
    author = await _author(hearth)
    client = f"hot-dup-{after_a_write}"
    async with hearth.db.write() as session:
        await INSERT.scalar(session, _values(author, client, 10_003, datetime.now(timezone.utc)))
    with pytest.raises(IntegrityError) as raised:
        async with hearth.db.write() as session:
            seq = await NEXT_SEQ.scalar(session, {"room": ROOM}) if after_a_write else 10_004
            await INSERT.scalar(session, _values(author, client, seq, datetime.now(timezone.utc)))
    assert "a plain hello" not in str(raised.value)  # parameters hidden, as the engines are set up
    async with hearth.db.read() as session:
        assert len(await BY_CLIENT.rows(session, {"client": client})) == 1


async def test_a_missing_parameter_is_an_error_not_a_null(hearth: Hearth) -> None:
    values = _values(await _author(hearth), "hot-missing", 10_005, datetime.now(timezone.utc))
    del values["held_at"]  # a column that may be NULL: leaving it out must not quietly store NULL
    with pytest.raises(KeyError, match="held_at"):
        async with hearth.db.write() as session:
            await INSERT.scalar(session, values)
    async with hearth.db.read() as session:
        assert await BY_CLIENT.rows(session, {"client": "hot-missing"}) == []


async def test_a_session_that_runs_several_transactions_uses_each_ones_own_connection(hearth: Hearth) -> None:
    author = await _author(hearth)
    async with hearth.db.read() as session:
        assert await BY_CLIENT.rows(session, {"client": "hot-later"}) == []
        await session.rollback()  # that transaction ends; its connection goes back to the pool
        async with hearth.db.write() as writer:
            await INSERT.scalar(writer, _values(author, "hot-later", 10_006, datetime.now(timezone.utc)))
        rows = await BY_CLIENT.rows(session, {"client": "hot-later"})  # a new transaction sees the commit
    assert len(rows) == 1


async def test_a_session_that_ran_one_is_freed_at_once_not_left_to_the_garbage_collector(hearth: Hearth) -> None:
    """A reference cycle through the session made every message's session wait for
    the cyclic collector, whose pauses delayed crisis alerts by 200-300 ms."""
    gc.disable()
    try:
        async with hearth.db.write() as session:
            await NEXT_SEQ.scalar(session, {"room": ROOM})
            freed = weakref.ref(session.sync_session)
        del session
        assert freed() is None
    finally:
        gc.enable()


async def test_on_sqlite_only_plain_reads_and_statements_after_the_first_write_run_on_the_event_loop(hearth: Hearth) -> None:
    """Before the transaction holds SQLite's write lock a statement could wait for it
    (busy_timeout), which must never block the event loop; after, nothing can. The
    write path's commit groups begin holding the lock (BEGIN IMMEDIATE, on aiosqlite's
    thread), so there every statement runs on the loop."""
    if not hearth.settings.is_sqlite:
        pytest.skip("PostgreSQL's statements always go through SQLAlchemy")
    which_thread = HotStatement(select(func.hearth_test_thread()))
    plain_read = HotStatement(select(func.hearth_test_thread()), plain_read=True)  # WAL readers never wait
    loop_thread = threading.get_ident()

    async def thread_reporting(session: AsyncSession) -> None:  # SQL that tells which thread runs it
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
        await driver._execute(driver._conn.create_function, "hearth_test_thread", 0, threading.get_ident)

    async with hearth.db.sessions() as session, session.begin():  # a transaction begun without the lock
        await thread_reporting(session)
        assert await which_thread.scalar(session) != loop_thread  # no write yet: aiosqlite's thread
        assert await plain_read.scalar(session) == loop_thread
        await NEXT_SEQ.scalar(session, {"room": ROOM})
        assert await which_thread.scalar(session) == loop_thread  # the lock is held: right here
    async with hearth.db.sessions() as session, session.begin():  # a new transaction starts without the lock
        await thread_reporting(session)
        assert await which_thread.scalar(session) != loop_thread
    async with hearth.db.write() as session:
        await thread_reporting(session)
        assert await which_thread.scalar(session) == loop_thread


async def test_on_sqlite_a_session_that_only_read_ends_without_a_trip_and_a_write_still_commits(hearth: Hearth) -> None:
    """SQLite begins a transaction at the first write: a read-only session has nothing
    to commit or roll back, so ending it costs no trip to aiosqlite's thread."""
    if not hearth.settings.is_sqlite:
        pytest.skip("about aiosqlite's thread")
    trips: list[str] = []
    async with hearth.db.read() as session:
        assert await BY_CLIENT.rows(session, {"client": "hot-nothing"}) == []
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
        _count_trips(driver, trips)
    try:
        assert trips == []  # the session ended (rolled back) with no trip
        author = await _author(hearth)
        async with hearth.db.write() as session:
            await INSERT.scalar(session, _values(author, "hot-committed", 10_008, datetime.now(timezone.utc)))
        async with hearth.db.read() as session:
            assert len(await BY_CLIENT.rows(session, {"client": "hot-committed"})) == 1
    finally:
        del driver._execute


def _count_trips(driver: object, trips: list[str]) -> None:
    real_execute = driver._execute  # type: ignore[attr-defined]

    async def counted(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        trips.append(getattr(fn, "__name__", "?"))
        return await real_execute(fn, *args, **kwargs)

    driver._execute = counted  # type: ignore[attr-defined]


async def test_on_sqlite_a_small_commit_runs_on_the_loop_and_a_big_one_on_the_thread(hearth: Hearth) -> None:
    """A chat message's commit appends a few pages to the write-ahead log: cheaper here
    than a trip. A transaction of many rows commits on aiosqlite's thread."""
    if not hearth.settings.is_sqlite:
        pytest.skip("about aiosqlite's thread")
    from server.sqlite_driver import SMALL_COMMIT_ROWS

    author = await _author(hearth)
    now = datetime.now(timezone.utc)
    for rows, commits_on_thread in ((1, False), (SMALL_COMMIT_ROWS + 1, True)):
        trips: list[str] = []
        async with hearth.db.write() as session:
            driver = (await (await session.connection()).get_raw_connection()).driver_connection
            _count_trips(driver, trips)
            for i in range(rows):
                seq = await NEXT_SEQ.scalar(session, {"room": ROOM})
                await INSERT.scalar(session, _values(author, f"hot-batch-{rows}-{i}", seq, now))
        del driver._execute
        assert ("commit" in trips) is commits_on_thread
        async with hearth.db.read() as session:  # committed either way
            assert len(await BY_CLIENT.rows(session, {"client": f"hot-batch-{rows}-{rows - 1}"})) == 1


async def test_on_sqlite_checkpoints_run_apart_from_commits(hearth: Hearth) -> None:
    """Commits never checkpoint (wal_autocheckpoint is off); the running service's
    `Database.checkpoints` copies the write-ahead log into the database file."""
    if not hearth.settings.is_sqlite:
        pytest.skip("SQLite's write-ahead log")
    import asyncio

    from sqlalchemy import text

    from server.db import CHECKPOINT_SECONDS

    async with hearth.db.read() as session:
        assert await session.scalar(text("PRAGMA wal_autocheckpoint")) == 0
    database_file = hearth.settings.data_dir / "hearth.db"
    await asyncio.sleep(CHECKPOINT_SECONDS * 1.5)  # whatever the set-up wrote is copied in
    size_before = database_file.stat().st_size
    author = await _author(hearth)
    async with hearth.db.write() as session:
        for i in range(200):
            seq = await NEXT_SEQ.scalar(session, {"room": ROOM})
            await INSERT.scalar(session, _values(author, f"hot-wal-{i}", seq, datetime.now(timezone.utc)))
    for _ in range(int(CHECKPOINT_SECONDS * 4 / 0.05)):
        await asyncio.sleep(0.05)
        if database_file.stat().st_size > size_before:
            break
    assert database_file.stat().st_size > size_before  # the new pages reached the database file
