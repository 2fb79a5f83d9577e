"""The moderation part of a member's export (issue 8 meets issue 11's right of access):
what they reported and were told, actions taken on their account and what they
were told, their appeals and notices, a trust level staff set, rooms they host.

Never in it: who reported them, staff notes about them (staff-only by design),
or work they did as staff on other members (that is in the audit log under
their pseudonym)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models.base import iso_or_none as _iso
from server.models.moderation import ModAction, ModAppeal, ModNotice, ModReport, RoomHost, TrustOverride

COVERAGE: dict[tuple[str, str], str] = {
    ("mod_reports", "reporter_id"): "moderation.reports_made",
    ("mod_actions", "target_user_id"): "moderation.actions_on_my_account",
    ("mod_actions", "actor_id"): "not exported: staff work on other members (in the audit log under your pseudonym)",
    ("mod_cases", "target_user_id"): "moderation.actions_on_my_account (a case itself would reveal who reported you)",
    ("mod_cases", "claimed_by"): "not exported: staff work on other members",
    ("mod_cases", "resolved_by"): "not exported: staff work on other members",
    ("mod_appeals", "member_id"): "moderation.appeals",
    ("mod_appeals", "decided_by"): "not exported: staff work on other members",
    ("mod_notices", "user_id"): "moderation.notices",
    ("staff_notes", "member_id"): "not exported: staff notes are staff-only by design (issue 8)",
    ("trust_overrides", "user_id"): "moderation.trust_level_set_by_staff",
    ("room_hosts", "user_id"): "moderation.rooms_hosted",
}


async def export_moderation(s: AsyncSession, me: int) -> dict[str, Any]:
    reports = [{"id": r.id, "reason": r.reason, "text": r.text, "created_at": _iso(r.created_at), "outcome": r.outcome}
               for r in await s.scalars(select(ModReport).where(ModReport.reporter_id == me).order_by(ModReport.id))]
    actions = [{"id": a.id, "kind": a.kind, "on": a.target_kind, "reason": a.reason, "told": a.notice,
                "created_at": _iso(a.created_at), "expires_at": _iso(a.expires_at), "revoked_at": _iso(a.revoked_at)}
               for a in await s.scalars(select(ModAction).where(ModAction.target_user_id == me).order_by(ModAction.id))]
    appeals = [{"id": a.id, "action_id": a.action_id, "body": a.body, "status": a.status, "created_at": _iso(a.created_at),
                "decided_at": _iso(a.decided_at), "decision_note": a.decision_note}
               for a in await s.scalars(select(ModAppeal).where(ModAppeal.member_id == me).order_by(ModAppeal.id))]
    notices = [{"id": n.id, "kind": n.kind, "body": n.body, "created_at": _iso(n.created_at), "read_at": _iso(n.read_at)}
               for n in await s.scalars(select(ModNotice).where(ModNotice.user_id == me).order_by(ModNotice.id))]
    trust = await s.get(TrustOverride, me)
    hosted = [h.room_id for h in await s.scalars(select(RoomHost).where(RoomHost.user_id == me))]
    return {"reports_made": reports, "actions_on_my_account": actions, "appeals": appeals, "notices": notices,
            "trust_level_set_by_staff": None if trust is None else trust.level, "rooms_hosted": hosted}
