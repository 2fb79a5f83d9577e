"""The background loop every process runs. Deadlines live in the database, so
a restart forgets nothing; each step claims its rows with a conditional
update, so with several processes exactly one fires each escalation."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select, update

from moderation.flags import _deadline, audit, flag_out, resources_event
from moderation.oncall import ON_CALL_ROLES, on_call_ids, refresh_effective
from server.models import CrisisFlag, User
from server.services import Hearth

log = logging.getLogger("hearth.sweeper")
ALERT_GRACE = timedelta(seconds=2)  # how long a fresh flag may wait for its first publish


async def escalate_due(h: Hearth) -> int:
    now = h.clock()
    async with h.db.read() as session:
        due = list(await session.execute(
            select(CrisisFlag.id, CrisisFlag.escalation_level).where(CrisisFlag.status == "open", CrisisFlag.escalate_at <= now)))
    fired = 0
    for flag_id, level in due:
        async with h.transaction() as tx:
            flag = await tx.session.get(CrisisFlag, flag_id)
            assert flag is not None
            won = await tx.session.execute(
                update(CrisisFlag)
                .where(CrisisFlag.id == flag_id, CrisisFlag.status == "open", CrisisFlag.escalation_level == level,
                       CrisisFlag.escalate_at <= now)
                .values(escalation_level=level + 1, escalate_at=_deadline(h, flag.severity, now))
            )
            if won.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another process fired it
            await tx.session.refresh(flag)
            await audit(tx.session, flag_id, None, "escalated", now, level=level + 1)
            summary = flag_out(flag, now)
            nobody = not await on_call_ids(tx.session)
            tx.emit("oncall", {"type": "flag_escalated", "flag": summary})
            if level + 1 >= 2 or nobody:  # then moderators and admins too
                tx.emit("staff", {"type": "flag_escalated", "flag": summary, "reason": "nobody_on_call" if nobody else "unclaimed"})
            fired += 1
    return fired


async def alert_missed(h: Hearth) -> int:
    """A process that died between storing a flag and publishing it left it
    unalerted: alert it now."""
    now = h.clock()
    async with h.db.read() as session:
        missed = list(await session.scalars(select(CrisisFlag.id).where(
            CrisisFlag.status != "resolved", CrisisFlag.alerted_at.is_(None), CrisisFlag.raised_at <= now - ALERT_GRACE)))
    sent = 0
    for flag_id in missed:
        async with h.transaction() as tx:
            won = await tx.session.execute(
                update(CrisisFlag).where(CrisisFlag.id == flag_id, CrisisFlag.alerted_at.is_(None)).values(alerted_at=now))
            if won.rowcount != 1:  # type: ignore[attr-defined]
                continue
            flag = await tx.session.get(CrisisFlag, flag_id)
            assert flag is not None
            await audit(tx.session, flag_id, None, "alerted_late", now)
            summary = flag_out(flag, now)
            tx.emit("oncall", {"type": "flag_raised", "flag": summary, "late": True})
            if not await on_call_ids(tx.session):
                tx.emit("staff", {"type": "flag_raised", "flag": summary, "reason": "nobody_on_call", "late": True})
            if flag.severity in ("high", "imminent") and flag.member_id:
                tx.emit(f"user:{flag.member_id}", resources_event(h))
            sent += 1
    return sent


async def follow_ups_due(h: Hearth) -> int:
    now = h.clock()
    async with h.db.read() as session:
        due = list(await session.scalars(select(CrisisFlag.id).where(
            CrisisFlag.follow_up_at <= now, CrisisFlag.follow_up_sent_at.is_(None))))
    sent = 0
    for flag_id in due:
        async with h.transaction() as tx:
            won = await tx.session.execute(
                update(CrisisFlag).where(CrisisFlag.id == flag_id, CrisisFlag.follow_up_sent_at.is_(None)).values(follow_up_sent_at=now))
            if won.rowcount != 1:  # type: ignore[attr-defined]
                continue
            flag = await tx.session.get(CrisisFlag, flag_id)
            assert flag is not None and flag.resolved_by is not None
            tx.emit(f"user:{flag.resolved_by}", {"type": "follow_up_due", "flag": flag_out(flag, now),
                                                 "message": "A day has passed since this flag was resolved. A gentle check-in can mean a lot."})
            sent += 1
    return sent


async def refresh_staffing(h: Hearth) -> None:
    """Unattended mode: a community that has supporters, none of whom is on call
    now. (A fresh install with no staff yet chats normally.) Each process tells
    its own sockets."""
    async with h.db.read() as session:
        has_staff = await session.scalar(select(User.id).where(User.role.in_(ON_CALL_ROLES)).limit(1)) is not None
        unattended = has_staff and not await on_call_ids(session, ON_CALL_ROLES)
    if unattended != h.unattended:
        h.unattended = unattended
        for connection in list(h.connections):
            connection.send_frame({"type": "room_mode", "unattended": unattended,
                                   "resources": resources_event(h)["resources"] if unattended else []})


async def sweep_once(h: Hearth) -> None:
    await refresh_effective(h)
    await refresh_staffing(h)
    await alert_missed(h)
    await escalate_due(h)
    await follow_ups_due(h)
    from moderation import hosts

    await hosts.escalate_due(h)  # review cases no room host took in time


async def run(h: Hearth) -> None:
    while True:
        try:
            await sweep_once(h)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sweep failed; trying again")
        await asyncio.sleep(h.settings.sweep_seconds)


def start(h: Hearth) -> None:
    h.background.append(asyncio.create_task(run(h), name="hearth-sweeper"))


