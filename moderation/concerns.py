"""'I'm worried about this person': any member can raise a concern about
another member or a message. It opens or raises a flag at `concern` once
enough weight gathers. Limited per reporter and per target, and weighted by
the reporter's record, so it cannot be turned into a harassment tool (as
"cares" reports have been elsewhere)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from moderation.flags import audit
from server.actions.accounts import Auth
from server.errors import InvalidField, NotFound, RateLimited
from server.models import ConcernReport, CrisisFlag, Message, User
from server.services import Hearth

PER_REPORTER_PER_DAY = 5
THRESHOLD = 1.0  # summed weight within a day that raises a flag
THANKS = ("Thank you for looking out for them. A peer specialist will check in gently. "
          "If you think they are in danger right now, please share the crisis resources with them.")


async def _weight(h: Hearth, session: Any, reporter: User) -> float:
    """Established members count fully; new accounts and people whose concerns
    were mostly false alarms count less."""
    weight = 1.0 if h.clock() - reporter.created_at >= timedelta(days=7) else 0.5
    flagged = list(await session.execute(
        select(CrisisFlag.outcome).join(ConcernReport, ConcernReport.flag_id == CrisisFlag.id)
        .where(ConcernReport.reporter_id == reporter.id, CrisisFlag.status == "resolved")))
    if len(flagged) >= 3 and sum(1 for (o,) in flagged if o == "false_alarm") / len(flagged) > 0.5:
        weight *= 0.25
    return weight


async def raise_concern(h: Hearth, auth: Auth, member_id: object = None, message_id: object = None) -> dict[str, str]:
    now = h.clock()
    async with h.transaction() as tx:
        target_id, excerpt = await _target(tx.session, auth, member_id, message_id)
        since = now - timedelta(days=1)
        mine_today = await tx.session.scalar(select(func.count()).select_from(ConcernReport).where(
            ConcernReport.reporter_id == auth.user.id, ConcernReport.created_at >= since))
        if (mine_today or 0) >= PER_REPORTER_PER_DAY:
            raise RateLimited(3600, "You've shared several concerns today. Thank you. If someone is in danger now, "
                                    "please use Get help now.")
        repeat = await tx.session.scalar(select(ConcernReport.id).where(
            ConcernReport.reporter_id == auth.user.id, ConcernReport.target_id == target_id, ConcernReport.created_at >= since))
        if repeat is not None:
            return {"message": THANKS}  # one per reporter per person per day counts; same answer
        weight = await _weight(h, tx.session, auth.user)
        report = ConcernReport(reporter_id=auth.user.id, target_id=target_id,
                               message_id=message_id if isinstance(message_id, int) else None, weight=weight, created_at=now)
        tx.session.add(report)
        await tx.session.flush()
        total = await tx.session.scalar(select(func.sum(ConcernReport.weight)).where(
            ConcernReport.target_id == target_id, ConcernReport.created_at >= since))
        if (total or 0) >= THRESHOLD:
            target = await tx.session.get(User, target_id)
            assert target is not None
            flag = await _concern_flag(h, tx, target, excerpt, report)
            report.flag_id = flag.id if flag else None
    return {"message": THANKS}


async def _target(session: Any, auth: Auth, member_id: object, message_id: object) -> tuple[int, str]:
    from server.actions.rooms import access_room

    if isinstance(message_id, int) and not isinstance(message_id, bool):
        message = await session.get(Message, message_id)
        if message is None or message.author_id is None:
            raise NotFound()
        await access_room(session, auth, message.room_id)  # only messages you can see
        target_id, excerpt = message.author_id, message.body
    elif isinstance(member_id, int) and not isinstance(member_id, bool):
        if await session.get(User, member_id) is None:
            raise NotFound()
        target_id, excerpt = member_id, ""
    else:
        raise InvalidField("Say which member or message you are worried about (member_id or message_id).")
    if target_id == auth.user.id:
        raise InvalidField("If you're worried about yourself, Get help now has people you can reach right away.")
    return target_id, excerpt


async def _concern_flag(h: Hearth, tx: Any, target: User, excerpt: str, report: ConcernReport) -> CrisisFlag | None:
    """Open a flag at `concern`, or note the concern on the member's open flag."""
    now = h.clock()
    open_flag = await tx.session.scalar(select(CrisisFlag).where(CrisisFlag.member_id == target.id, CrisisFlag.status != "resolved"))
    item = {"message_id": report.message_id, "place_kind": "concern", "place_id": None, "severity": "concern",
            "categories": ["concern_for_other"], "evidence": [{"rule": "member_concern", "category": "concern_for_other"}],
            "excerpt": excerpt[:2000], "context": [], "at": now.isoformat()}
    if open_flag is not None:
        open_flag.items = (list(open_flag.items) + [item])[-20:]
        await audit(tx.session, open_flag.id, None, "concern_added", now)
        return open_flag
    from moderation.flags import _announce, _deadline

    flag = CrisisFlag(member_id=target.id, member_pseudonym=target.pseudonym, status="open", severity="concern",
                      categories=["concern_for_other"], score=1.0, items=[item], place_kind="concern", place_id=None,
                      created_at=now, raised_at=now, escalate_at=_deadline(h, "concern", now), escalation_level=0)
    tx.session.add(flag)
    await tx.session.flush()
    await audit(tx.session, flag.id, None, "created", now, severity="concern", source="member_concern")
    await _announce(h, tx, flag, target, created=True, rose=False)
    return flag


