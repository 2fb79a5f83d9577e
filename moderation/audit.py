"""The moderation audit log: every moderator and admin action, who, what, when and why.

Rows are only ever added, in the same transaction as the action they record
(so an action without its audit row cannot exist). There is no update or
delete path here, and the database refuses both with a trigger. Pseudonyms
and object ids only: never an address, never anything beyond the pseudonym."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.accounts import Auth
from server.errors import Forbidden, InvalidField
from server.models import AuditEntry, User
from server.models.base import utcnow
from server.services import Hearth
from server.text import is_whole_number

PAGE_MAX = 200


def record(session: AsyncSession, actor: User | None, action: str, *, target_kind: str | None = None,
           target_id: int | None = None, target_pseudonym: str | None = None, reason: str | None = None,
           at: datetime | None = None, **detail: Any) -> None:
    session.add(AuditEntry(
        at=at or utcnow(), actor=actor.pseudonym if actor else "system", actor_role=actor.role if actor else "system",
        action=action, target_kind=target_kind, target_id=target_id, target_pseudonym=target_pseudonym,
        reason=reason, detail=detail,
    ))


def entry_out(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor, "actor_role": entry.actor_role,
        "action": entry.action, "target": {"kind": entry.target_kind, "id": entry.target_id, "pseudonym": entry.target_pseudonym},
        "reason": entry.reason, "detail": entry.detail,
    }


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidField(f"{name} must be a date or time like 2026-11-27 or 2026-11-27T06:00:00+00:00.") from None
    if parsed.tzinfo is None:
        from datetime import timezone
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


async def list_entries(h: Hearth, auth: Auth, query: dict[str, str]) -> dict[str, Any]:
    """Admins read and filter the log: by actor, action, target kind/id/pseudonym, time; newest first."""
    if auth.user.role != "admin":
        raise Forbidden("Only admins can read the audit log.")
    unknown = set(query) - {"actor", "action", "target_kind", "target_id", "target", "since", "until", "before", "limit"}
    if unknown:
        raise InvalidField(f"Unknown filter: {', '.join(sorted(unknown))}.")
    stmt = select(AuditEntry)
    if query.get("actor"):
        stmt = stmt.where(AuditEntry.actor == query["actor"])
    if query.get("action"):
        stmt = stmt.where(AuditEntry.action == query["action"])
    if query.get("target_kind"):
        stmt = stmt.where(AuditEntry.target_kind == query["target_kind"])
    if query.get("target"):
        stmt = stmt.where(AuditEntry.target_pseudonym == query["target"])
    for name in ("target_id", "before"):
        raw = query.get(name)
        if raw:
            if not is_whole_number(raw) or len(raw) > 19:
                raise InvalidField(f"{name} must be a whole number.")
            stmt = stmt.where(AuditEntry.target_id == int(raw)) if name == "target_id" else stmt.where(AuditEntry.id < int(raw))
    since, until = _when(query.get("since"), "since"), _when(query.get("until"), "until")
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    raw_limit = query.get("limit") or "50"
    if not is_whole_number(raw_limit) or not 1 <= int(raw_limit) <= PAGE_MAX:
        raise InvalidField(f"limit must be between 1 and {PAGE_MAX}.")
    async with h.db.read() as session:
        rows = list(await session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(int(raw_limit))))
    entries = [entry_out(e) for e in rows]
    return {"entries": entries, "next_before": str(rows[-1].id) if len(rows) == int(raw_limit) else None}
