"""aiosqlite with one trip to its thread per SQL statement instead of four.

aiosqlite runs SQLite in a worker thread and SQLAlchemy's adapter makes a
separate trip there to open a cursor, execute, fetch the rows and close the
cursor. Each trip hands the GIL over and back, and on a busy chat those trips,
not SQLite, were most of the database time (docs/performance.md). This cursor
does all four in one trip and keeps the rows; everything else is aiosqlite's.

`HotStatement` goes one step further for the few statements every chat message
runs: on SQLite it skips SQLAlchemy's execution layer altogether, and those that
cannot wait for a lock, like a small commit, make no trip at all: they run on the
event loop (docs/performance.md).
"""

from __future__ import annotations

import sqlite3
import weakref
from collections import deque
from functools import partial
from typing import Any, Callable, Iterable, Sequence

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.expression import Executable

# Rows a transaction may change and still commit on the event loop: a commit group
# of chat messages (server/db.py GROUP_MOST, a few rows each) and their flags; a
# retention purge or an import commits on aiosqlite's thread.
SMALL_COMMIT_ROWS = 128
# A commit group's transaction, and the savepoint of each write in it (server/db.py).
BEGIN_GROUP = "BEGIN IMMEDIATE"
SAVEPOINT_WRITE, RELEASE_WRITE, ROLLBACK_WRITE = ("SAVEPOINT hearth_write", "RELEASE hearth_write",
                                                  "ROLLBACK TO hearth_write")


class OneTripCursor:
    """The part of aiosqlite's Cursor that SQLAlchemy's adapter uses."""

    __slots__ = ("_connection", "_rows", "description", "rowcount", "lastrowid", "arraysize")

    def __init__(self, connection: "OneTripConnection") -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> "OneTripCursor":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._rows.clear()

    async def execute(self, sql: str, parameters: Any = ()) -> "OneTripCursor":
        return await self._run("execute", sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> "OneTripCursor":
        return await self._run("executemany", sql, parameters)

    async def _run(self, method: str, sql: str, parameters: Any) -> "OneTripCursor":
        self.description, self.rowcount, self.lastrowid, rows = await self._connection._execute(
            _run_statement, self._connection._conn, method, sql, parameters)
        self._rows = deque(rows)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(size or self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


def _run_statement(connection: sqlite3.Connection, method: str, sql: str, parameters: Any) -> tuple[Any, int, int | None, list[Any]]:
    """One statement with its rows, on whichever thread calls it (usually aiosqlite's)."""
    cursor = connection.cursor()
    try:
        getattr(cursor, method)(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripConnection(aiosqlite.Connection):
    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    _changes_at_last_end = 0  # the connection's total_changes when its last transaction ended
    # Set by `Database.write` while a write runs inside a commit group (server/db.py):
    # SQLAlchemy's commit and rollback then end that write's savepoint, not the
    # transaction the group shares.
    in_group_write = False
    group_open = False  # a commit group's transaction is open: only `commit_group` ends it

    async def begin_group(self) -> None:
        """Begin a commit group's transaction with SQLite's write lock taken at once
        (BEGIN IMMEDIATE), on aiosqlite's thread: it may wait for another process's
        lock, and this trip is the moment other writes gather at the write gate, where
        a crisis message goes first. Holding the lock from the start, every statement
        of the group then runs on the event loop, and its reads see the data its writes
        will change: a deferred BEGIN would give them a snapshot that another
        process's commit could leave stale, and SQLite refuses such a transaction's
        first write (SQLITE_BUSY_SNAPSHOT)."""
        self.group_open = False
        if self._conn.in_transaction:  # left by a writer cancelled mid-rollback: never joined
            await super().rollback()
        await self._execute(self._conn.execute, BEGIN_GROUP)
        self._changes_at_last_end = self._conn.total_changes  # `commit` sizes the group from here
        self.group_open = True

    def begin_group_write(self) -> None:
        """One write of the open group: a savepoint, so that its failure undoes only its
        own work. On the event loop: it neither waits for a lock nor touches the disk."""
        self._conn.execute(SAVEPOINT_WRITE)
        self.in_group_write = True

    async def commit_group(self) -> None:
        """COMMIT the group's transaction: on the loop when small, as any commit."""
        self.group_open = False
        await self.commit()

    # SQLite begins a transaction only at a session's first write, so most sessions
    # (every read) end with nothing to commit or roll back: no trip for them.
    async def commit(self) -> None:
        if self.in_group_write:
            self.in_group_write = False
            self._conn.execute(RELEASE_WRITE)  # its work stays in the group's transaction
            return
        connection = self._conn
        if not connection.in_transaction:
            return
        if connection.total_changes - self._changes_at_last_end <= SMALL_COMMIT_ROWS:
            # A chat message's commit appends a few pages to the WAL (no fsync with
            # synchronous=NORMAL, and checkpoints run apart: server/db.py), which costs
            # less than the trip to aiosqlite's thread: done right here on the loop.
            connection.commit()
        else:
            await super().commit()
        self._changes_at_last_end = connection.total_changes

    async def rollback(self) -> None:
        if self.in_group_write:
            self.in_group_write = False
            if self._conn.in_transaction:  # else SQLite itself ended the whole transaction (an I/O error)
                await self._execute(self._conn.execute, ROLLBACK_WRITE)  # undoing may read pages
                self._conn.execute(RELEASE_WRITE)
            return
        if self.group_open:
            return  # the group's transaction is not this session's to end: its own savepoint was
        if self._conn.in_transaction:
            await super().rollback()
        self._changes_at_last_end = self._conn.total_changes


def connect_arguments(database_url: str, **options: Any) -> tuple[Any, dict[str, Any]]:
    """`sqlite3.connect`'s arguments for the URL (as SQLAlchemy's aiosqlite dialect
    reads them) plus `options`."""
    args, kwargs = SQLiteDialect_aiosqlite().create_connect_args(make_url(database_url))
    return args, {**kwargs, **options}


def connector_for(database_url: str, **options: Any) -> Any:
    """An `async_creator` for create_async_engine, from `connect_arguments`."""
    args, kwargs = connect_arguments(database_url, **options)

    async def connect() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, *args, **kwargs), 64)
        connection._thread.daemon = True  # as SQLAlchemy does: never hold the process open
        return await connection

    return connect


_GIVEN = object()  # a parameter the caller gives with each run
_CONNECTION_KEY = "hot_statement_connection"


class _InTransaction:
    """What hot statements learn once per transaction, kept in `session.info`.

    The transaction is held weakly: it refers to the session, and a cycle through
    session.info would leave every session to the cyclic garbage collector, whose
    pauses showed as 200-300 ms crisis-alert outliers. The write lock is tracked
    rather than read from `in_transaction`: a SAVEPOINT also opens a transaction
    on SQLite without taking the lock."""

    __slots__ = ("transaction", "connection", "driver", "holds_write_lock")

    def __init__(self, transaction: Any, connection: Any, driver: "OneTripConnection | None") -> None:
        self.transaction = weakref.ref(transaction)
        self.connection = connection
        self.driver = driver
        self.holds_write_lock = False


def prime_hot_statements(session: AsyncSession, connection: AsyncConnection, driver: OneTripConnection,
                         holds_write_lock: bool = False) -> None:
    """Tell hot statements the transaction `session` has just begun on `connection`
    (an open SQLite connection), sparing their first run the two trips into
    SQLAlchemy's greenlet that finding it out costs. `holds_write_lock`: the
    transaction already holds SQLite's write lock (a commit group's BEGIN IMMEDIATE)."""
    state = _InTransaction(session.sync_session.get_transaction(), connection, driver)
    state.holds_write_lock = holds_write_lock
    session.info[_CONNECTION_KEY] = state


class HotStatement:
    """A Core statement that every chat message runs, compiled once.

    On SQLite it runs in the session's transaction straight on aiosqlite's
    thread: about 40 µs of CPU where SQLAlchemy's execution layer (statement
    cache lookup, greenlet, result object) made it about 120 µs, and a message
    runs four of them (docs/performance.md). On PostgreSQL it runs through
    SQLAlchemy as usual. Parameters get each column type's bind processing, and
    errors are SQLAlchemy's own (IntegrityError, OperationalError). Rows come
    back as plain tuples with no result processing: return integers or text only."""

    def __init__(self, statement: Executable, column_keys: Sequence[str] | None = None, *, writes: bool = False,
                 plain_read: bool = False) -> None:
        """`writes`: the statement writes, so once it has run the transaction holds
        SQLite's write lock (see `rows`). `plain_read`: a SELECT, which in WAL mode
        never waits for a writer, so it may run on the event loop at any time."""
        self.statement = statement
        self._writes = writes
        self._plain_read = plain_read
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: tuple[Dialect, str, list[tuple[str, Any, Callable[[Any], Any] | None]]] | None = None

    def _compile(self, dialect: Dialect) -> tuple[Dialect, str, list[tuple[str, Any, Callable[[Any], Any] | None]]]:
        if self._compiled is None or self._compiled[0] is not dialect:
            compiled: Any = self.statement.compile(dialect=dialect, column_keys=self._column_keys)
            # (name, the value when the statement fixes it (a literal) else _GIVEN, bind processor)
            order = [(name, _GIVEN if compiled.binds[name].required else compiled.binds[name].value,
                      compiled.binds[name].type.bind_processor(dialect)) for name in compiled.positiontup]
            self._compiled = (dialect, compiled.string, order)
        return self._compiled

    async def rows(self, session: AsyncSession, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        if self._column_keys is not None and params is not None and len(params) != len(self._column_keys):
            missing = sorted(set(self._column_keys) - set(params))  # SQLAlchemy would store NULL for them
            raise KeyError(f"HotStatement needs every column it was built for; missing {missing}")
        # The session's connection is the same for the rest of its transaction:
        # found once per transaction (asking each time was ~20 µs a statement).
        transaction = session.sync_session.get_transaction()
        state: _InTransaction | None = session.info.get(_CONNECTION_KEY)
        if transaction is None or state is None or state.transaction() is not transaction:  # None: none begun yet
            connection = await session.connection()
            driver = (await connection.get_raw_connection()).driver_connection \
                if connection.dialect.name == "sqlite" else None
            state = _InTransaction(session.sync_session.get_transaction(), connection, driver)
            session.info[_CONNECTION_KEY] = state
        connection, driver = state.connection, state.driver
        if driver is None:
            return [tuple(row) for row in await connection.execute(self.statement, params or {})]
        _, sql, order = self._compile(connection.dialect)
        given = params or {}
        values = []
        for name, constant, process in order:
            value = given[name] if constant is _GIVEN else constant
            values.append(value if process is None else process(value))
        try:
            if state.holds_write_lock or self._plain_read:
                # Nothing can wait for a lock (a reader in WAL mode never does; after a
                # write this transaction holds the only write lock), so the statement runs
                # right here on the event loop: on one core a trip to aiosqlite's thread
                # costs more than the statement itself (docs/performance.md).
                _, _, _, rows = _run_statement(driver._conn, "execute", sql, tuple(values))
            else:
                _, _, _, rows = await driver._execute(_run_statement, driver._conn, "execute", sql, tuple(values))
        except sqlite3.Error as error:
            raise DBAPIError.instance(sql, values, error, sqlite3.Error, hide_parameters=True,
                                      dialect=connection.dialect) from error
        if self._writes:
            state.holds_write_lock = True  # a write statement takes the lock even when it matches no row
        return rows

    async def scalar(self, session: AsyncSession, params: dict[str, Any] | None = None) -> Any:
        """The first column of the first row, or None when there is no row."""
        rows = await self.rows(session, params)
        return rows[0][0] if rows else None
