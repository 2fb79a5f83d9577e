"""Accountability partners: two members agree to see each other's check-ins
(never the private notes), shared goals and shared day counts. Either can end
it at any time; a pending request can be declined or withdrawn the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.accounts import Auth
from server.actions.blocks import is_blocked_by
from server.actions.recovery_profile import member_by_pseudonym
from server.errors import Conflict, InvalidField, NotFound
from server.models import User, utcnow
from server.models.recovery import Partnership
from server.services import Hearth, Tx

MAX_PARTNERS = 10


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def other_of(p: Partnership, user_id: int) -> int:
    return p.user_high if p.user_low == user_id else p.user_low


async def partner_ids(session: AsyncSession, user_id: int) -> set[int]:
    rows = await session.scalars(select(Partnership).where(
        Partnership.status == "active", or_(Partnership.user_low == user_id, Partnership.user_high == user_id)))
    return {other_of(p, user_id) for p in rows}


async def are_partners(session: AsyncSession, a: int, b: int) -> bool:
    low, high = _pair(a, b)
    status = await session.scalar(select(Partnership.status).where(Partnership.user_low == low, Partnership.user_high == high))
    return status == "active"


async def _mine(session: AsyncSession, auth: Auth, partnership_id: object) -> Partnership:
    if not isinstance(partnership_id, int) or isinstance(partnership_id, bool):
        raise NotFound()
    p = await session.get(Partnership, partnership_id)
    if p is None or auth.user.id not in (p.user_low, p.user_high) or p.status == "ended":
        raise NotFound()
    return p


async def access_partner(session: AsyncSession, auth: Auth, partnership_id: object) -> User:
    """The one access check for seeing another member's recovery data: an active
    partnership that includes the asker. Anything else is NotFound."""
    p = await _mine(session, auth, partnership_id)
    if p.status != "active":
        raise NotFound()
    other = await session.get(User, other_of(p, auth.user.id))
    if other is None:
        raise NotFound()
    return other


def _out(p: Partnership, me: int, other: User | None) -> dict[str, Any]:
    return {
        "id": p.id, "status": p.status, "requested_by_me": p.requested_by == me,
        "partner": {"id": other.id, "pseudonym": other.pseudonym} if other else None,
        "created_at": p.created_at.isoformat(), "accepted_at": p.accepted_at.isoformat() if p.accepted_at else None,
    }


def _notify(tx: Tx, user_id: int, kind: str, out: dict[str, Any]) -> None:
    tx.emit(f"user:{user_id}", {"type": kind, "partnership": out})


async def list_partners(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    me = auth.user.id
    async with h.db.read() as session:
        rows = await session.scalars(select(Partnership).where(
            Partnership.status != "ended", or_(Partnership.user_low == me, Partnership.user_high == me)).order_by(Partnership.id))
        out = []
        for p in rows:
            out.append(_out(p, me, await session.get(User, other_of(p, me))))
        return out


async def request_partner(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    me = auth.user.id
    async with h.transaction() as tx:
        other = await member_by_pseudonym(tx.session, data.get("pseudonym"))
        if other.id == me:
            raise InvalidField("You can't be your own accountability partner, though you are doing the work.")
        if await is_blocked_by(tx.session, me, other.id) or await is_blocked_by(tx.session, other.id, me):
            # The same answer as an unknown name: nobody learns about a block from this.
            raise NotFound("We couldn't find a member with that pseudonym. Check the spelling and try again.")
        if len(await partner_ids(tx.session, me)) >= MAX_PARTNERS:
            raise Conflict(f"You can have up to {MAX_PARTNERS} accountability partners.", code="too_many")
        low, high = _pair(me, other.id)
        p = await tx.session.scalar(select(Partnership).where(Partnership.user_low == low, Partnership.user_high == high))
        if p is not None and p.status == "active":
            raise Conflict("You are already accountability partners.", code="already_partners")
        if p is not None and p.status == "pending":
            if p.requested_by != me:  # they asked first: asking back is a yes
                return await _accept(tx, p, auth)
            return _out(p, me, other)
        if p is None:
            p = Partnership(user_low=low, user_high=high, requested_by=me, status="pending", created_at=utcnow())
            tx.session.add(p)
        else:
            p.requested_by, p.status, p.created_at, p.accepted_at, p.ended_at = me, "pending", utcnow(), None, None
        await tx.session.flush()
        _notify(tx, other.id, "partner_request", _out(p, other.id, auth.user))
        return _out(p, me, other)


async def _accept(tx: Tx, p: Partnership, auth: Auth) -> dict[str, Any]:
    p.status, p.accepted_at = "active", utcnow()
    other = await tx.session.get(User, other_of(p, auth.user.id))
    await tx.session.flush()
    if other is not None:
        _notify(tx, other.id, "partner_accepted", _out(p, other.id, auth.user))
    return _out(p, auth.user.id, other)


async def accept_partner(h: Hearth, auth: Auth, partnership_id: object) -> dict[str, Any]:
    async with h.transaction() as tx:
        p = await _mine(tx.session, auth, partnership_id)
        if p.status != "pending" or p.requested_by == auth.user.id:
            raise NotFound("There is no request waiting for your answer.")
        return await _accept(tx, p, auth)


async def end_partner(h: Hearth, auth: Auth, partnership_id: object) -> None:
    """Stop (or decline, or withdraw). An early-warning consent between the two ends
    with it, unless the other is also a mentor or a specialist."""
    from server.actions.early_warning import drop_lapsed_consents  # early_warning builds on this module

    async with h.transaction() as tx:
        p = await _mine(tx.session, auth, partnership_id)
        other_id = other_of(p, auth.user.id)
        p.status, p.ended_at = "ended", utcnow()
        await tx.session.flush()
        await drop_lapsed_consents(tx.session, auth.user.id, other_id)
        tx.emit(f"user:{other_id}", {"type": "partner_ended", "partnership_id": p.id})
