"""Retention: what Hearth keeps only for a while (settings, off when 0).

- `HEARTH_PRIVATE_MESSAGE_DAYS`: private messages older than this are deleted
  for good (rows and all). Topic rooms and the forum are the community's
  shared record and are not touched.
- `HEARTH_FLAG_CONTEXT_DAYS`: this long after a crisis flag is resolved, the
  words kept with it (the member's excerpts and the messages around them) are
  deleted. Severity, categories, matched phrases, outcome and the audit stay:
  what the team needs to learn from, without the person's words.

Each process's background sweep calls `purge_due` (at most once an hour per
process); both steps are plain idempotent statements, so several processes
sweeping at once do no harm."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from moderation.flags import audit
from server.models import CrisisFlag, Message, Room
from server.services import Hearth

log = logging.getLogger("hearth.retention")
EVERY = timedelta(hours=1)
_last_run: dict[int, datetime] = {}


async def purge_private_messages(h: Hearth, now: datetime) -> int:
    days = h.settings.private_message_days
    if not days:
        return 0
    cutoff = now - timedelta(days=days)
    async with h.transaction() as tx:
        direct_rooms = select(Room.id).where(Room.kind == "direct").scalar_subquery()
        result = await tx.session.execute(delete(Message).where(Message.room_id.in_(direct_rooms), Message.created_at < cutoff))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _has_words(items: list[dict[str, object]]) -> bool:
    return any(item.get("excerpt") or item.get("context") for item in items)


async def purge_flag_context(h: Hearth, now: datetime) -> int:
    days = h.settings.flag_context_days
    if not days:
        return 0
    cutoff = now - timedelta(days=days)
    async with h.db.read() as session:
        ids = list(await session.scalars(select(CrisisFlag.id).where(CrisisFlag.status == "resolved", CrisisFlag.resolved_at < cutoff)))
    purged = 0
    for flag_id in ids:
        async with h.transaction() as tx:
            flag = await tx.session.get(CrisisFlag, flag_id, with_for_update=True)
            if flag is None or not _has_words(flag.items):
                continue
            flag.items = [{**item, "excerpt": "", "context": []} for item in flag.items]
            await audit(tx.session, flag.id, None, "context_purged", now, after_days=days)
            purged += 1
    return purged


async def purge_due(h: Hearth, now: datetime | None = None, *, force: bool = False) -> dict[str, int]:
    moment = now or h.clock()
    if not (h.settings.private_message_days or h.settings.flag_context_days):
        return {"messages": 0, "flags": 0}
    last = _last_run.get(id(h))
    if not force and last is not None and moment - last < EVERY:
        return {"messages": 0, "flags": 0}
    _last_run[id(h)] = moment
    done = {"messages": await purge_private_messages(h, moment), "flags": await purge_flag_context(h, moment)}
    if any(done.values()):
        log.info("retention purged %d private messages and the words of %d resolved flags", done["messages"], done["flags"])
    return done
