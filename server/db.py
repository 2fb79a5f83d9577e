"""Engine, sessions, the write transaction, and migrations.

SQLite allows one writer at a time. Rather than let concurrent transactions
collide on SQLITE_BUSY, each process funnels its writes through one asyncio
lock (WAL mode lets reads continue meanwhile). PostgreSQL needs no such lock:
row locks order the writes that must be ordered.

The lock has an urgent lane: a write carrying words the crisis detector rates
high or imminent goes ahead of ordinary writes already waiting, so a crisis
alert never queues behind a busy room's chat (issue 7). Whether a write is
urgent is asked only when there is a queue to jump: a free gate, and
PostgreSQL, cost nothing extra per message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from server import metrics
from server.config import Settings
from server.sqlite_driver import OneTripConnection, connect_arguments, connector_for, prime_hot_statements

if TYPE_CHECKING:
    from server.errors import HearthError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
CLOSE_WAIT_SECONDS = 10.0  # for the write in progress, when the process stops
CHECKPOINT_SECONDS = 1.0  # a busy room's second of messages is a few hundred WAL pages
log = logging.getLogger("hearth.db")


def make_engine(settings: Settings) -> AsyncEngine:
    # hide_parameters: a database error's text (which can reach a logged traceback)
    # never carries the values bound to it, i.e. what a member wrote.
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # No extra rollback when a connection goes back to the pool: pooled
        # connections only read (SQLite opens no transaction for that), writes
        # have a connection of their own that ends even a refused COMMIT's
        # transaction (`Database._write_connection`), and each rollback is a
        # round trip to aiosqlite's thread (docs/performance.md).
        # One trip to aiosqlite's thread per statement (server/sqlite_driver.py).
        engine = create_async_engine(settings.database_url, async_creator=connector_for(settings.database_url, timeout=30),
                                     pool_reset_on_return=None, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    from server.models.base import Base, with_postgresql_options

    with_postgresql_options(Base.metadata)
    return create_async_engine(settings.database_url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # a no-op once `migrate` has set it (serve --no-migrate)
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL mode
    # No checkpoint inside a commit (small commits run on the event loop, and a
    # checkpoint copies pages and syncs the file): `Database.checkpoints` runs them
    # on aiosqlite's thread instead; a process without it checkpoints on closing.
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Deleted words are overwritten with zeros in the file, not left in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class WriteGate:
    """One writer at a time, first come first served, except that urgent writers
    are let in before every ordinary writer still waiting."""

    def __init__(self, on_free: Callable[[], None] | None = None) -> None:
        self._busy = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._ordinary: deque[asyncio.Future[None]] = deque()
        self._on_free = on_free  # called whenever the gate goes free with nobody to hand it to

    @property
    def waiting(self) -> int:
        return sum(not f.done() for f in (*self._urgent, *self._ordinary))

    async def acquire(self, urgent: Callable[[], bool] | None = None) -> None:
        """`urgent` is called only when the gate is busy: is this write urgent?"""
        if not self._busy and not self.waiting:
            self._busy = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if urgent is not None and urgent() else self._ordinary).append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # the gate was handed to us as we were cancelled: pass it on
            raise

    def release(self) -> None:
        for queue in (self._urgent, self._ordinary):
            while queue:
                turn = queue.popleft()
                if not turn.done():  # skip writers that gave up waiting
                    turn.set_result(None)  # handed over: the gate stays busy
                    return
        self._busy = False
        if self._on_free is not None:
            self._on_free()


class Database:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_gate = WriteGate(on_free=self._gate_went_free) if settings.is_sqlite else None
        # SQLite: the gate lets one write in at a time, so writes share one connection,
        # kept open: checking one out of the pool and back was ~40 µs a chat message.
        self._writer: AsyncConnection | None = None
        self._group: _CommitGroup | None = None  # writes done, waiting for their shared COMMIT
        self._closing_group: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self, urgent: Callable[[], bool] | None = None) -> AsyncIterator[AsyncSession]:
        """One transaction: committed on normal exit, rolled back on error.
        `urgent`: asked when writes are queued; True lets this one in before ordinary writes."""
        started = time.perf_counter()
        try:
            if self._write_gate is None:
                async with self.sessions() as session, session.begin():
                    yield session
                return
            await self._write_gate.acquire(urgent)
            async with self._group_write(urgent) as session:
                yield session
        finally:
            metrics.db_seconds.observe(time.perf_counter() - started)

    @asynccontextmanager
    async def _group_write(self, urgent: Callable[[], bool] | None) -> AsyncIterator[AsyncSession]:
        """One write, holding the gate, inside a commit group: the writes that arrive
        while the room is busy share one SQLite transaction and one COMMIT, each in a
        savepoint of its own, so one write's failure undoes only its own work. A write
        whose work is done while others wait at the gate passes the gate on and waits
        for the commit; the last of the group (nobody waiting, the group full, or an
        urgent write: a crisis alert never waits for chat) commits for all. Nobody's
        write returns before the COMMIT that keeps it (docs/performance.md)."""
        gate = self._write_gate
        assert gate is not None
        passed_on = False
        try:
            writer = await self._write_connection()
            driver: OneTripConnection = writer.sync_connection.connection.driver_connection  # type: ignore[union-attr,assignment]
            group = self._group
            if group is None:
                try:
                    await _run_to_the_end(driver.begin_group())
                except sqlite3.Error as error:  # another process held the lock past busy_timeout
                    raise _wrapped(error, writer) from error
                finally:  # begun even if cancelled meanwhile: the gate, going free, commits it
                    if driver.group_open:
                        group = self._group = _CommitGroup()
            assert group is not None
            driver.begin_group_write()
            session = self.sessions(bind=writer)
            try:
                # Begin, commit and close as AsyncSession does, but with no hand-over to
                # SQLAlchemy's greenlet for the start (on an open connection beginning does
                # no I/O; were that to change, SQLAlchemy would raise MissingGreenlet, not
                # block) and one for the end instead of five (each 12-40 µs of a chat
                # message's CPU), and no task to shield the close of a committed session,
                # which has nothing left to undo.
                _begin_on_bind(session.sync_session)
                prime_hot_statements(session, writer, driver, holds_write_lock=True)  # BEGIN IMMEDIATE took it
                yield session
                await session.run_sync(_commit_and_close)  # releases this write's savepoint
            except BaseException:
                # To its end even if cancelled again: the gate (and with it this
                # connection) goes to the next writer only once the rollback is done.
                await _run_to_the_end(self._end_failed_group_write(session, writer, driver, group))
                raise
            if gate.waiting and len(group.waiting) + 1 < GROUP_MOST and not (urgent is not None and urgent()):
                done = group.wait()
                gate.release()
                passed_on = True
                await _run_to_the_end(done)
            else:
                # The COMMIT runs as a task of its own, so the writes it wakes resume before
                # this one: each group's events are published in the order they were written
                # (a socket takes one ahead of its turn as a hole and reads the database).
                await _run_to_the_end(self._commit_group(writer, driver))
        finally:
            if not passed_on:
                gate.release()

    async def _commit_group(self, writer: AsyncConnection, driver: OneTripConnection) -> None:
        group, self._group = self._group, None
        if group is None:
            return
        try:
            await driver.commit_group()
        except BaseException as error:
            group.fail(error, writer)
            await _end_failed_write_raw(writer, driver)
            if isinstance(error, sqlite3.Error):
                raise _wrapped(error, writer) from error
            raise
        group.done()

    async def _end_failed_group_write(self, session: AsyncSession, writer: AsyncConnection, driver: OneTripConnection,
                                      group: _CommitGroup) -> None:
        """Undo a write that raised: its savepoint only, and commit for the writes of
        the group waiting unless another writer waits to go on with it. Should SQLite
        have ended the group's whole transaction meanwhile (an I/O error does), the
        writes waiting are lost too and are told so."""
        await _end_failed_write(session, writer)  # the group's transaction stays open (OneTripConnection.rollback)
        if driver.in_group_write:  # the session never reached SQLite's connection
            with contextlib.suppress(Exception):
                await driver.rollback()
        if self._group is group and (writer.invalidated or not driver._conn.in_transaction):
            self._group = None
            driver.group_open = False
            group.fail(sqlite3.OperationalError("the transaction these writes shared was lost"), writer)
            await _end_failed_write_raw(writer, driver)
        elif self._group is group and not self._write_gate.waiting:  # type: ignore[union-attr]
            with contextlib.suppress(Exception):  # those waiting are told; this write raises its own error
                await self._commit_group(writer, driver)

    def _gate_went_free(self) -> None:
        """Nobody took the gate after a write passed it on (the writer waiting gave up):
        commit the group those before it wait for."""
        if self._group is not None and (self._closing_group is None or self._closing_group.done()):
            self._closing_group = asyncio.get_running_loop().create_task(self._close_group())

    async def _close_group(self) -> None:
        gate = self._write_gate
        assert gate is not None
        await gate.acquire()
        try:
            await _run_to_the_end(self._commit_open_group())
        finally:
            gate.release()

    async def _commit_open_group(self) -> None:
        """Holding the gate, with no write running: commit the group left waiting."""
        if self._group is not None and self._writer is not None:
            driver = self._writer.sync_connection.connection.driver_connection  # type: ignore[union-attr]
            with contextlib.suppress(Exception):  # the writes waiting are told
                await self._commit_group(self._writer, driver)  # type: ignore[arg-type]

    async def _write_connection(self) -> AsyncConnection:
        """The writes' connection, only ever used by the write gate's holder."""
        writer = self._writer
        if writer is None or writer.closed or writer.invalidated:
            if self._group is not None:  # its transaction went with the connection
                self._group, group = None, self._group
                group.fail(sqlite3.OperationalError("the connection these writes shared was lost"), writer)  # type: ignore[arg-type]
            if writer is not None:
                await writer.close()
            writer = self._writer = await self.engine.connect()
        elif self._group is None:
            # Should the last writer have been cancelled before its rollback finished,
            # end what it left here: the next session must never join it.
            await _roll_back_leftovers(writer)
        return writer

    async def checkpoints(self, every_seconds: float = CHECKPOINT_SECONDS) -> None:
        """Copy SQLite's write-ahead log into the database file now and then, as
        SQLite's automatic checkpoint would inside a commit (turned off above). PASSIVE:
        it never waits for readers or writers, and what it cannot copy yet waits for
        the next round."""
        from sqlalchemy import text

        while True:
            await asyncio.sleep(every_seconds)
            try:
                async with self.engine.connect() as connection:
                    await connection.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))
            except Exception:
                log.exception("write-ahead log checkpoint failed; trying again next round")

    async def ping(self) -> None:
        from sqlalchemy import text

        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        if self._write_gate is not None:
            # Once no write runs on it: closing the connection under a statement (or a
            # rollback finishing after a cancellation) would be two threads on one SQLite
            # connection. The gate stays taken: this Database writes no more.
            try:
                await asyncio.wait_for(self._write_gate.acquire(), CLOSE_WAIT_SECONDS)
            except asyncio.TimeoutError:  # a write stuck on something else: close under it rather than hang
                log.warning("closing the database while a write still holds the write gate")
            await self._commit_open_group()
        if self._writer is not None:
            await self._writer.close()
            self._writer = None
        await self.engine.dispose()


# Writes sharing one COMMIT at most. It bounds how long the first waits, and how many
# fan-outs follow one COMMIT back to back, unbroken by reading sockets: with 16, a
# crisis message read meanwhile waited behind them (alert p99 44-123 ms against
# 30-41 with one write a COMMIT; with 4, 39-48: docs/performance.md).
GROUP_MOST = 4


class _CommitGroup:
    """Writes sharing one SQLite transaction; `waiting`: those done, awaiting the COMMIT."""

    __slots__ = ("waiting",)

    def __init__(self) -> None:
        self.waiting: list[asyncio.Future[None]] = []

    def wait(self) -> "asyncio.Future[None]":
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(done)
        return done

    def done(self) -> None:
        metrics.writes_per_commit.observe(len(self.waiting) + 1)
        for done in self.waiting:
            if not done.done():
                done.set_result(None)

    def fail(self, error: BaseException, writer: AsyncConnection) -> None:
        """Each waiting write gets an error of its own (a shared exception object
        would collect every raiser's traceback)."""
        for done in self.waiting:
            if not done.done():
                done.set_exception(_wrapped(error, writer) if isinstance(error, sqlite3.Error)
                                   else _commit_lost(writer))
        self.waiting = []


def _commit_lost(writer: AsyncConnection) -> Exception:
    return _wrapped(sqlite3.OperationalError("the commit these writes shared did not happen"), writer)


def _wrapped(error: sqlite3.Error, writer: AsyncConnection) -> Exception:
    """SQLAlchemy's exception for a driver error, as a statement run through it raises."""
    from sqlalchemy.exc import DBAPIError

    return DBAPIError.instance("COMMIT", None, error, sqlite3.Error, hide_parameters=True, dialect=writer.dialect)


async def _end_failed_write_raw(writer: AsyncConnection, driver: OneTripConnection) -> None:
    """After a COMMIT that failed: end what SQLite may keep open, or replace the connection."""
    driver.group_open = False
    try:
        if driver._conn.in_transaction:
            await driver.rollback()
    except Exception:
        log.exception("rolling back a failed commit failed; its connection is replaced")
        with contextlib.suppress(Exception):
            await writer.invalidate()


def _begin_on_bind(session: Session) -> None:
    session.begin()
    session.connection()  # the transaction takes its connection now, not at the first statement


def _commit_and_close(session: Session) -> None:
    session.commit()
    session.close()


async def _run_to_the_end(work: Awaitable[None]) -> None:
    """Await `work` to its end; a cancellation meanwhile is raised after it."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    task.result()


async def _end_failed_write(session: AsyncSession, writer: AsyncConnection) -> None:
    """Roll back a write that raised (run shielded: it must finish even if the
    writer is cancelled meanwhile). Should even that fail (the disk gone), the
    connection is dropped and the next write opens a new one."""
    try:
        await session.close()  # rolls back whatever SQLAlchemy still holds open
        await _roll_back_leftovers(writer)
    except Exception:
        log.exception("rolling back a failed write failed; its connection is replaced")
        with contextlib.suppress(Exception):
            await writer.invalidate()


async def _roll_back_leftovers(writer: AsyncConnection) -> None:
    """After a COMMIT that SQLite refused (a full disk, a deferred constraint),
    SQLAlchemy marks its transaction inactive and a rollback then skips the
    database, but SQLite keeps the transaction open, holding the write lock."""
    if writer.closed or writer.invalidated:
        return  # its SQLite connection is gone; the next write takes a new one
    if writer.get_transaction() is not None:
        await writer.rollback()
    driver = writer.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    if driver._conn.in_transaction:
        await driver.rollback()


def storage_error(error: BaseException) -> "HearthError | None":
    """A database that is away (restarting, unreachable) or full becomes a clear
    503 / `unavailable` error frame instead of a 500: nothing was stored, and the
    member can try again. Anything else stays a bug (None)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    from server.errors import ServiceUnavailable

    text = str(getattr(error, "orig", error)).lower()
    if isinstance(error, DBAPIError) and ("full" in text or "no space" in text or "disk i/o" in text):
        return ServiceUnavailable("Hearth's storage is full, so nothing new can be saved right now. "
                                  "Nothing you sent before is lost; please try again later.", code="storage_full")
    if isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated):
        return ServiceUnavailable("Hearth can't reach its database for a moment. Nothing was saved; please try again shortly.")
    if isinstance(error, (ConnectionError, OSError)) or type(error).__module__.startswith("asyncpg"):
        return ServiceUnavailable("Hearth can't reach its database for a moment. Nothing was saved; please try again shortly.")
    return None


def alembic_config(database_url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(settings: Settings) -> None:
    """Apply pending migrations. Runs before the event loop starts (Alembic's
    env.py runs its own loop)."""
    from alembic import command

    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        use_write_ahead_log(settings.database_url)
    command.upgrade(alembic_config(settings.database_url), "heads")  # one branch per feature area


def use_write_ahead_log(database_url: str) -> None:
    """Put the SQLite file in WAL mode, which it keeps. Done here, by the one process
    migrating, so that a serving process's connections never convert it: converting
    takes an exclusive lock, and the first connections to a fresh database, opening
    together, were refused ("database is locked") while one of them converted."""
    args, kwargs = connect_arguments(database_url, timeout=30)
    with contextlib.closing(sqlite3.connect(*args, **kwargs)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")  # an in-memory database stays "memory"


class MigrationFailed(Exception):
    pass


def migrate_apart(settings: Settings) -> None:
    """`migrate` in a forked child process. Alembic, its templates and every
    migration script stay out of the serving process: about 13 MB of resident
    memory it would otherwise keep for as long as it serves (docs/performance.md).
    Raises MigrationFailed when the child did not finish; it has printed why."""
    import os
    import sys
    import traceback

    if not hasattr(os, "fork"):  # no fork (Windows): migrate here
        migrate(settings)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child; its effect is tested
        code = 1
        try:
            migrate(settings)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise MigrationFailed("database migrations did not finish (the reason is printed above)")
