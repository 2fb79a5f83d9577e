"""Insert-if-absent, on SQLite and PostgreSQL alike.

Used where several processes may decide the same thing at once (a notice to
send, a cheer to count): the unique key picks one winner and nobody fails."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(session: AsyncSession, model: Any, values: dict[str, Any]) -> int | None:
    """The new row's id (or True-ish 1 for tables without one), or None when it existed already."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # only a PostgreSQL server loads that dialect
    else:
        insert = sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing()
    if hasattr(model, "id"):
        return await session.scalar(statement.returning(model.id))
    result = await session.execute(statement)
    return 1 if result.rowcount else None  # type: ignore[attr-defined]
