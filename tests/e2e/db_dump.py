"""Read every row of every table of a test server's database, as text, for scans
("no address is stored", "nothing of theirs remains")."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support import Database


def _text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="ignore")  # FTS index segments included
    return "" if value is None else str(value)


def dump(database: Database) -> dict[str, list[dict[str, str]]]:
    """{table: [row as {column: text}]}: every table, shadow tables of the search index included."""
    if database.url:
        return _dump_postgres(database.url)
    connection = sqlite3.connect(database.data_dir / "hearth.db")
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out: dict[str, list[dict[str, str]]] = {}
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}"')  # names from sqlite_master, not input
            columns = [c[0] for c in cursor.description]
            out[table] = [{c: _text(v) for c, v in zip(columns, row)} for row in cursor]
        return out
    finally:
        connection.close()


def _dump_postgres(url: str) -> dict[str, list[dict[str, str]]]:
    import asyncpg

    async def run() -> dict[str, list[dict[str, str]]]:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            tables = [r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            out: dict[str, list[dict[str, str]]] = {}
            for table in tables:
                rows = await conn.fetch(f'SELECT * FROM "{table}"')  # names from pg_tables, not input
                out[table] = [{k: _text(v) for k, v in dict(r).items()} for r in rows]
            return out
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(run())).result()


def where(found: dict[str, list[dict[str, str]]], needle: str) -> set[str]:
    """Tables.columns whose text holds `needle`."""
    return {f"{table}.{column}" for table, rows in found.items() for row in rows for column, value in row.items() if needle in value}
