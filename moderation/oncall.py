"""Who is on call: a toggle in the console, or a slot in the weekly rota.

`effective` in the `oncall` table is what was last published: the sweeper
compares it with what the toggle and rota say now and publishes changes, so
every process agrees and sockets subscribe to alerts only while on call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.accounts import Auth
from server.errors import Forbidden, InvalidField
from server.models import OnCall, RotaSlot, User
from server.services import Hearth, Tx

ON_CALL_ROLES = frozenset({"specialist", "moderator", "admin"})
CRISIS_ROLES = frozenset({"specialist", "moderator", "admin"})


def require_role(auth: Auth, roles: frozenset[str], what: str = "do that") -> None:
    if auth.user.role not in roles:
        raise Forbidden(f"Only {', '.join(sorted(roles))} can {what}.")


def in_rota(slots: list[RotaSlot], now: datetime) -> bool:
    minute = now.hour * 60 + now.minute
    return any(s.weekday == now.weekday() and s.start_minute <= minute < s.end_minute for s in slots)


def _publish_change(tx: Tx, user_id: int, on_call: bool) -> None:
    tx.emit(f"user:{user_id}", {"type": "oncall_changed", "on_call": on_call})


async def _row(session: AsyncSession, user_id: int, now: datetime) -> OnCall:
    row = await session.get(OnCall, user_id)
    if row is None:
        row = OnCall(user_id=user_id, manual=False, effective=False, max_flags=0, changed_at=now)
        session.add(row)
        await session.flush()
    return row


async def set_on_call(h: Hearth, auth: Auth, on_call: object) -> dict[str, Any]:
    require_role(auth, ON_CALL_ROLES, "go on call")
    if not isinstance(on_call, bool):
        raise InvalidField("on_call must be true or false.")
    now = h.clock()
    async with h.transaction() as tx:
        row = await _row(tx.session, auth.user.id, now)
        row.manual = on_call
        slots = list(await tx.session.scalars(select(RotaSlot).where(RotaSlot.user_id == auth.user.id)))
        effective = on_call or in_rota(slots, now)
        if effective != row.effective:
            row.effective, row.changed_at = effective, now
            _publish_change(tx, auth.user.id, effective)
        return {"on_call": effective, "manual": row.manual, "by_rota": in_rota(slots, now)}


async def my_status(h: Hearth, auth: Auth) -> dict[str, Any]:
    async with h.db.read() as session:
        row = await session.get(OnCall, auth.user.id)
        slots = list(await session.scalars(select(RotaSlot).where(RotaSlot.user_id == auth.user.id)))
    now = h.clock()
    return {"on_call": bool(row and (row.manual or in_rota(slots, now))), "manual": bool(row and row.manual),
            "by_rota": in_rota(slots, now), "slots": [_slot_out(s) for s in slots]}


def _slot_out(slot: RotaSlot, pseudonym: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": slot.id, "user_id": slot.user_id, "weekday": slot.weekday,
                           "start_minute": slot.start_minute, "end_minute": slot.end_minute}
    if pseudonym is not None:
        out["pseudonym"] = pseudonym
    return out


async def rota(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    require_role(auth, CRISIS_ROLES, "see the rota")
    async with h.db.read() as session:
        rows = await session.execute(select(RotaSlot, User.pseudonym).join(User, User.id == RotaSlot.user_id)
                                     .order_by(RotaSlot.weekday, RotaSlot.start_minute))
        return [_slot_out(slot, name) for slot, name in rows]


def _check_slot(raw: object) -> tuple[str, int, int, int]:
    if not isinstance(raw, dict):
        raise InvalidField("Each rota slot is an object with pseudonym, weekday, start_minute, end_minute.")
    name, weekday, start, end = raw.get("pseudonym"), raw.get("weekday"), raw.get("start_minute"), raw.get("end_minute")
    if not isinstance(name, str):
        raise InvalidField("Each rota slot needs the specialist's pseudonym.")
    for label, value, high in (("weekday", weekday, 6), ("start_minute", start, 1440), ("end_minute", end, 1440)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
            raise InvalidField(f"{label} must be a whole number from 0 to {high}.")
    if start >= end:  # type: ignore[operator]
        raise InvalidField("A slot must end after it starts (split slots that cross midnight).")
    return name, weekday, start, end  # type: ignore[return-value]


async def replace_rota(h: Hearth, auth: Auth, slots: object) -> list[dict[str, Any]]:
    """Admins set the whole weekly rota at once (UTC)."""
    require_role(auth, frozenset({"admin"}), "edit the rota")
    if not isinstance(slots, list) or len(slots) > 500:
        raise InvalidField("slots must be a list of at most 500 slots.")
    parsed = [_check_slot(s) for s in slots]
    from server.accounts.pseudonyms import pseudonym_key

    async with h.transaction() as tx:
        await tx.session.execute(delete(RotaSlot))
        for name, weekday, start, end in parsed:
            user = await tx.session.scalar(select(User).where(User.pseudonym_key == pseudonym_key(name)))
            if user is None or user.role not in ON_CALL_ROLES:
                raise InvalidField(f"{name} is not a staff member who can be on call.")
            tx.session.add(RotaSlot(user_id=user.id, weekday=weekday, start_minute=start, end_minute=end))
    await refresh_effective(h)
    return await rota(h, auth)


async def refresh_effective(h: Hearth) -> None:
    """Publish on-call changes the rota brought about (run by the sweeper)."""
    now = h.clock()
    async with h.db.read() as session:
        staff = list(await session.scalars(select(User.id).where(User.role.in_(ON_CALL_ROLES))))
        rows = {r.user_id: r for r in await session.scalars(select(OnCall))}
        slots: dict[int, list[RotaSlot]] = {}
        for slot in await session.scalars(select(RotaSlot)):
            slots.setdefault(slot.user_id, []).append(slot)
    for user_id in staff:
        row = rows.get(user_id)
        should = bool(row and row.manual) or in_rota(slots.get(user_id, []), now)
        if row is not None and row.effective == should:
            continue
        if row is None and not should:
            continue
        async with h.transaction() as tx:
            await _row(tx.session, user_id, now)
            # Conditional: with several processes, one publishes each change.
            changed = await tx.session.execute(
                update(OnCall).where(OnCall.user_id == user_id, OnCall.effective != should).values(effective=should, changed_at=now)
            )
            if changed.rowcount == 1:  # type: ignore[attr-defined]
                _publish_change(tx, user_id, should)


async def on_call_ids(session: AsyncSession, roles: frozenset[str] = frozenset({"specialist"})) -> list[int]:
    rows = await session.scalars(
        select(OnCall.user_id).join(User, User.id == OnCall.user_id).where(OnCall.effective.is_(True), User.role.in_(roles))
    )
    return list(rows)


async def is_on_call(h: Hearth, user_id: int) -> bool:
    async with h.db.read() as session:
        row = await session.get(OnCall, user_id)
    return bool(row and row.effective)
