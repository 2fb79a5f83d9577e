"""aiosqlite with one trip to its thread per SQL statement instead of four.

aiosqlite runs SQLite in a worker thread and SQLAlchemy's adapter makes a
separate trip there to open a cursor, execute, fetch the rows and close the
cursor. Each trip hands the GIL over and back, and on a busy chat those trips,
not SQLite, were most of the database time (docs/performance.md). This cursor
does all four in one trip and keeps the rows; everything else is aiosqlite's.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from functools import partial
from typing import Any, Iterable

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url


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
            _in_thread, self._connection._conn, method, sql, parameters)
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


def _in_thread(connection: sqlite3.Connection, method: str, sql: str, parameters: Any) -> tuple[Any, int, int | None, list[Any]]:
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


def connector_for(database_url: str, **options: Any) -> Any:
    """An `async_creator` for create_async_engine: the URL's own connect
    arguments (as SQLAlchemy's aiosqlite dialect reads them) plus `options`."""
    args, kwargs = SQLiteDialect_aiosqlite().create_connect_args(make_url(database_url))
    kwargs.update(options)

    async def connect() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, *args, **kwargs), 64)
        connection._thread.daemon = True  # as SQLAlchemy does: never hold the process open
        return await connection

    return connect
