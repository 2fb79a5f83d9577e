"""Room hosts: a room's own moderators. Cases about their room reach them first;
the sweeper hands a case to site moderators when no host has taken it in
HEARTH_HOST_ESCALATE_SECONDS (a conditional UPDATE, so with several processes
exactly one hands each case over)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from moderation import audit
from moderation.cases import MODERATORS, announce
from server.accounts.pseudonyms import pseudonym_key
from server.actions.accounts import Auth
from server.errors import Conflict, Forbidden, InvalidField, NotFound
from server.models import ModCase, Room, RoomHost, User
from server.services import Hearth


def _require_moderator(auth: Auth) -> None:
    if auth.user.role not in MODERATORS:
        raise Forbidden("Only moderators and admins can choose room hosts.")


async def _room(session: Any, room_id: object) -> Room:
    room = await session.get(Room, room_id) if isinstance(room_id, int) and not isinstance(room_id, bool) else None
    if room is None or room.kind != "topic":
        raise NotFound()
    return room


async def list_hosts(h: Hearth, auth: Auth, room_id: object) -> list[dict[str, Any]]:
    async with h.db.read() as session:
        room = await _room(session, room_id)
        rows = await session.execute(select(RoomHost, User).join(User, User.id == RoomHost.user_id)
                                     .where(RoomHost.room_id == room.id).order_by(User.pseudonym))
        return [{"id": u.id, "pseudonym": u.pseudonym, "added_at": r.added_at.isoformat()} for r, u in rows]


async def my_rooms(h: Hearth, auth: Auth) -> list[int]:
    async with h.db.read() as session:
        return list(await session.scalars(select(RoomHost.room_id).where(RoomHost.user_id == auth.user.id)))


async def add_host(h: Hearth, auth: Auth, room_id: object, pseudonym: object) -> dict[str, Any]:
    _require_moderator(auth)
    if not isinstance(pseudonym, str) or not pseudonym.strip():
        raise InvalidField("Say who should host the room (their pseudonym).")
    now = h.clock()
    async with h.transaction() as tx:
        room = await _room(tx.session, room_id)
        user = await tx.session.scalar(select(User).where(User.pseudonym_key == pseudonym_key(pseudonym.strip())))
        if user is None:
            raise InvalidField("We couldn't find anyone with that pseudonym.", code="not_found")
        if await tx.session.get(RoomHost, (room.id, user.id)) is not None:
            raise Conflict(f"{user.pseudonym} already hosts this room.", code="already_host")
        tx.session.add(RoomHost(room_id=room.id, user_id=user.id, added_at=now, added_by=auth.user.pseudonym))
        audit.record(tx.session, auth.user, "host_added", target_kind="member", target_id=user.id,
                     target_pseudonym=user.pseudonym, at=now, room_id=room.id)
        tx.emit(f"user:{user.id}", {"type": "host_changed", "room_id": room.id, "host": True})
        return {"id": user.id, "pseudonym": user.pseudonym, "added_at": now.isoformat()}


async def remove_host(h: Hearth, auth: Auth, room_id: object, user_id: object) -> None:
    _require_moderator(auth)
    async with h.transaction() as tx:
        room = await _room(tx.session, room_id)
        row = await tx.session.get(RoomHost, (room.id, user_id)) if isinstance(user_id, int) else None
        if row is None:
            raise NotFound()
        user = await tx.session.get(User, row.user_id)
        await tx.session.delete(row)
        audit.record(tx.session, auth.user, "host_removed", target_kind="member", target_id=row.user_id,
                     target_pseudonym=user.pseudonym if user else None, at=h.clock(), room_id=room.id)
        tx.emit(f"user:{row.user_id}", {"type": "host_changed", "room_id": room.id, "host": False})


async def escalate_due(h: Hearth) -> int:
    """Sweeper step: hosts' cases nobody took in time go to site moderators."""
    now = h.clock()
    async with h.db.read() as session:
        due = list(await session.scalars(select(ModCase.id).where(
            ModCase.tier == "host", ModCase.status == "open", ModCase.escalate_at <= now)))
    handed = 0
    for case_id in due:
        async with h.transaction() as tx:
            won = await tx.session.execute(
                update(ModCase).where(ModCase.id == case_id, ModCase.tier == "host", ModCase.status == "open",
                                      ModCase.escalate_at <= now)
                .values(tier="site", escalated_at=now, escalate_at=None))
            if won.rowcount != 1:  # type: ignore[attr-defined]
                continue  # taken meanwhile, or another process handed it over
            case = await tx.session.get(ModCase, case_id)
            assert case is not None
            await tx.session.refresh(case)
            audit.record(tx.session, None, "case_escalated", target_kind="case", target_id=case_id, at=now)
            await announce(tx, case, "case_escalated")
            handed += 1
    return handed
