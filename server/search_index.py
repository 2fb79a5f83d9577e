"""SQLite: topic-room messages enter the search index in batches.

Storing a message only notes its id in `message_fts_pending` (a trigger; see the
`fts02` migration for why and how edits and deletes keep the index exact). Here
the pending messages move into `message_fts`, a batch per transaction: every
second in the background, and before a search reads the index, so a search
always sees every message stored before it. PostgreSQL keeps its own index.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from server.services import Hearth

BATCH = 1000  # messages per transaction: a few ms of the write gate, not a long stall for chat
EVERY_SECONDS = 1.0
TASK_NAME = "search-index"
log = logging.getLogger("hearth.search_index")

_ANY_PENDING = text("SELECT 1 FROM message_fts_pending LIMIT 1")
_BATCH_END = text("SELECT max(message_id) FROM (SELECT message_id FROM message_fts_pending ORDER BY message_id LIMIT :n)")
_INDEX = text("INSERT INTO message_fts(rowid, body) SELECT m.id, m.body FROM message_fts_pending p "
              "JOIN messages m ON m.id = p.message_id WHERE p.message_id <= :last")
_DONE = text("DELETE FROM message_fts_pending WHERE message_id <= :last")


async def index_batch(h: "Hearth", batch: int) -> int:
    """Index up to `batch` pending messages; returns how many it took."""
    if not h.settings.is_sqlite:
        return 0
    async with h.db.read() as session:  # no write lock taken when there is nothing to do
        if await session.scalar(_ANY_PENDING) is None:
            return 0
    async with h.transaction() as tx:
        last = await tx.session.scalar(_BATCH_END, {"n": batch})
        if last is None:
            return 0
        await tx.session.execute(_INDEX, {"last": last})
        return (await tx.session.execute(_DONE, {"last": last})).rowcount  # type: ignore[attr-defined,no-any-return]


async def catch_up(h: "Hearth") -> None:
    """Index every message stored so far (before a search reads the index)."""
    while await index_batch(h, BATCH) == BATCH:
        pass


async def keep_up(h: "Hearth", every_seconds: float = EVERY_SECONDS) -> None:
    while True:
        await asyncio.sleep(every_seconds)
        try:
            await catch_up(h)
        except Exception:
            log.exception("search indexing failed; the messages stay pending for the next round")
