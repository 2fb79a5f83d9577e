"""Everything a member keeps in the recovery tools, to take away (export) or to
erase (delete all). The lead folds these into the account-wide export and delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select

from server.actions import check_ins, day_counts, early_warning, goals, meetings, partners
from server.actions.accounts import Auth
from server.actions.recovery_profile import member_zone
from server.models import User, utcnow
from server.models.recovery import (
    CheckIn, DayCounter, Goal, MeetingHand, MeetingReminder, Milestone, Partnership, RecoveryProfile,
    WarningConsent, WarningNotice,
)
from server.recovery import days
from server.services import Hearth


async def export(h: Hearth, auth: Auth, *, now: datetime | None = None) -> dict[str, Any]:
    me = auth.user.id
    async with h.db.read() as session:
        zone = await member_zone(session, me)
        today = days.local_today(now or utcnow(), zone)
        counters = [await day_counts.counter_out(session, c, today)
                    for c in await session.scalars(select(DayCounter).where(DayCounter.user_id == me).order_by(DayCounter.id))]
        milestones = [{"id": m.id, "counter_id": m.counter_id, "key": m.key, "reached_on": m.reached_on.isoformat(),
                       "seen_at": m.seen_at.isoformat() if m.seen_at else None, "message_id": m.message_id,
                       "shared_at": m.shared_at.isoformat() if m.shared_at else None}
                      for m in await session.scalars(select(Milestone).where(Milestone.user_id == me).order_by(Milestone.id))]
        all_check_ins = [check_ins.check_in_out(r, with_note=True)
                         for r in await session.scalars(select(CheckIn).where(CheckIn.user_id == me).order_by(CheckIn.day))]
        partnerships = []
        for p in await session.scalars(select(Partnership).where(or_(Partnership.user_low == me, Partnership.user_high == me)).order_by(Partnership.id)):
            other = await session.get(User, partners.other_of(p, me))
            partnerships.append({"id": p.id, "status": p.status, "partner": other.pseudonym if other else None,
                                 "requested_by_me": p.requested_by == me, "created_at": p.created_at.isoformat(),
                                 "accepted_at": p.accepted_at.isoformat() if p.accepted_at else None,
                                 "ended_at": p.ended_at.isoformat() if p.ended_at else None})
        reminders = list(await session.scalars(select(MeetingReminder.meeting_id).where(MeetingReminder.user_id == me)))
        hosted = [{"id": m.id, "slug": m.slug, "title": m.title} for m in await meetings.hosted_by(session, me)]
        my_goals = await goals.goals_of(session, me, shared_only=False)
    return {
        "exported_at": utcnow().isoformat(), "timezone": zone, "day_counts": counters, "milestones": milestones,
        "check_ins": all_check_ins, "goals": my_goals, "partnerships": partnerships,
        "early_warning": await early_warning.settings(h, auth), "notices_received": await early_warning.received(h, auth),
        "meeting_reminders": reminders, "meetings_hosted": hosted,
    }


async def delete_all(h: Hearth, auth: Auth) -> None:
    """Erase every recovery record of the member. A milestone already posted to the
    Wins room stays a room message (the member can delete it like any message);
    meetings they host stay for the room, without a host."""
    me = auth.user.id
    async with h.transaction() as tx:
        s = tx.session
        for p in await s.scalars(select(Partnership).where(
                Partnership.status != "ended", or_(Partnership.user_low == me, Partnership.user_high == me))):
            tx.emit(f"user:{partners.other_of(p, me)}", {"type": "partner_ended", "partnership_id": p.id})
        await s.execute(delete(Milestone).where(Milestone.user_id == me))
        await s.execute(delete(DayCounter).where(DayCounter.user_id == me))  # starts cascade
        await s.execute(delete(CheckIn).where(CheckIn.user_id == me))
        await s.execute(delete(Goal).where(Goal.user_id == me))  # steps cascade
        await s.execute(delete(Partnership).where(or_(Partnership.user_low == me, Partnership.user_high == me)))
        await s.execute(delete(WarningConsent).where(or_(WarningConsent.user_id == me, WarningConsent.recipient_id == me)))
        await s.execute(delete(WarningNotice).where(or_(WarningNotice.user_id == me, WarningNotice.recipient_id == me)))
        await s.execute(delete(MeetingHand).where(MeetingHand.user_id == me))
        await meetings.forget_member(s, me)
        await s.execute(delete(RecoveryProfile).where(RecoveryProfile.user_id == me))
