"""What members are told about moderation: actions against them (and why),
the outcome of their reports (never who acted), appeal decisions.

Stored, so nothing is missed while offline, and sent live on `user:{id}`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from server.actions.accounts import Auth
from server.models import ModNotice
from server.services import Hearth, Tx


def notice_out(notice: ModNotice) -> dict[str, Any]:
    return {"id": notice.id, "kind": notice.kind, "body": notice.body, "action_id": notice.action_id,
            "appealable": notice.appealable, "created_at": notice.created_at.isoformat(), "read": notice.read_at is not None}


async def notify(tx: Tx, user_id: int, kind: str, body: str, now: datetime, *, action_id: int | None = None,
                 appealable: bool = False) -> ModNotice:
    notice = ModNotice(user_id=user_id, kind=kind, body=body, action_id=action_id, appealable=appealable, created_at=now)
    tx.session.add(notice)
    await tx.session.flush()
    tx.emit(f"user:{user_id}", {"type": "moderation_notice", "notice": notice_out(notice)})
    return notice


async def list_notices(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    async with h.db.read() as session:
        rows = await session.scalars(select(ModNotice).where(ModNotice.user_id == auth.user.id).order_by(ModNotice.id.desc()).limit(100))
        return [notice_out(n) for n in rows]


async def mark_read(h: Hearth, auth: Auth) -> None:
    async with h.transaction() as tx:
        await tx.session.execute(update(ModNotice).where(ModNotice.user_id == auth.user.id, ModNotice.read_at.is_(None))
                                 .values(read_at=h.clock()))
