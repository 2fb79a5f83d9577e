"""What an accountability partner sees of the other: check-ins without the
private notes, the goals they chose to share, and their shared day counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.actions import check_ins, day_counts, goals
from server.actions.accounts import Auth
from server.actions.partners import access_partner
from server.actions.recovery_profile import member_zone
from server.models import utcnow
from server.recovery import days
from server.services import Hearth


async def partner_view(h: Hearth, auth: Auth, partnership_id: object, span: object = 30, *, now: datetime | None = None) -> dict[str, Any]:
    span = check_ins.check_span(span)
    async with h.db.read() as session:
        other = await access_partner(session, auth, partnership_id)
        today = days.local_today(now or utcnow(), await member_zone(session, other.id))
        return {
            "partner": {"id": other.id, "pseudonym": other.pseudonym},
            "check_ins": await check_ins.series(session, other.id, span, today, with_note=False),
            "goals": await goals.goals_of(session, other.id, shared_only=True),
            "day_counts": await day_counts.shared_counters(session, other.id, today),
        }
