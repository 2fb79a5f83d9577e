"""Talk to someone now: a queue for a live one-on-one with whoever is free.

Helpers are peer specialists and volunteering mentors who marked themselves
available to listen (a specialist's crisis on-call is a separate choice, so
crisis work is never crowded out by chats they did not take on); each sets how
many such chats they take at once. The
first helper to take a request wins (`UPDATE … WHERE status = 'waiting'`),
and a helper's cap is a counter moved by `UPDATE … WHERE active_chats <
max_chats` in the same transaction, so both hold across processes. In the
specialists' view this queue sits below crisis flags."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.accounts import Auth
from server.actions.conversations import announce, is_mentor, open_pair
from server.actions.blocks import no_block_between
from server.errors import Conflict, Forbidden, InvalidField, NotFound
from server.models import HelperStatus, Message, Room, TalkRequest, User, utcnow
from server.services import Hearth, Tx

HISTORY = 20  # recent takes used for the estimate
NOT_A_HELPER = "Talk-now helpers are peer specialists and volunteering mentors."


async def _is_helper(session: AsyncSession, user: User) -> bool:
    return user.role == "specialist" or await is_mentor(session, user.id)


# ---- helpers' availability ---------------------------------------------------------

def availability_out(status: HelperStatus | None) -> dict[str, Any]:
    if status is None:
        return {"available": False, "max_chats": 1, "active_chats": 0}
    return {"available": status.available, "max_chats": status.max_chats, "active_chats": status.active_chats}


async def get_availability(h: Hearth, auth: Auth) -> dict[str, Any]:
    async with h.db.read() as session:
        if not await _is_helper(session, auth.user):
            raise Forbidden(NOT_A_HELPER)
        return availability_out(await session.get(HelperStatus, auth.user.id))


async def set_availability(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    available, most = data.get("available"), data.get("max_chats")
    if not isinstance(available, bool):
        raise InvalidField("available must be true or false.")
    cap = h.settings.talk_now_max_chats
    if most is not None and (not isinstance(most, int) or isinstance(most, bool) or not 1 <= most <= cap):
        raise InvalidField(f"max_chats must be between 1 and {cap}.")
    async with h.transaction() as tx:
        if not await _is_helper(tx.session, auth.user):
            raise Forbidden(NOT_A_HELPER)
        status = await tx.session.get(HelperStatus, auth.user.id)
        if status is None:
            status = HelperStatus(user_id=auth.user.id, max_chats=1, active_chats=0)
            tx.session.add(status)
        status.available, status.updated_at = available, utcnow()
        if most is not None:
            status.max_chats = most
        await tx.session.flush()
        await _emit_queue(tx)
        return availability_out(status)


# ---- the member's side ------------------------------------------------------------

async def _busiest_room(session: AsyncSession) -> dict[str, Any] | None:
    since = utcnow() - timedelta(hours=1)
    busy = (await session.execute(
        select(Room.id, Room.name, func.count(Message.id).label("n"))
        .join(Message, and_(Message.room_id == Room.id, Message.created_at >= since), isouter=True)
        .where(Room.kind == "topic", Room.archived_at.is_(None))
        .group_by(Room.id, Room.name).order_by(func.count(Message.id).desc(), Room.position, Room.id).limit(1)
    )).first()
    return None if busy is None else {"id": busy[0], "name": busy[1], "messages_last_hour": busy[2]}


async def _estimate(session: AsyncSession, position: int, helpers_free: int) -> int | None:
    """An honest estimate or none: recent average wait, scaled by place and free helpers."""
    if helpers_free == 0:
        return None
    recent = list(await session.execute(
        select(TalkRequest.created_at, TalkRequest.taken_at)
        .where(TalkRequest.taken_at.is_not(None), TalkRequest.taken_at >= utcnow() - timedelta(days=7))
        .order_by(TalkRequest.id.desc()).limit(HISTORY)
    ))
    if not recent:
        return None
    average = sum((taken - created).total_seconds() for created, taken in recent) / len(recent)
    return max(1, round(average * math.ceil(position / helpers_free)))


async def _helpers_free(session: AsyncSession) -> int:
    return await session.scalar(select(func.count(HelperStatus.user_id)).where(
        HelperStatus.available.is_(True), HelperStatus.active_chats < HelperStatus.max_chats)) or 0


async def _position(session: AsyncSession, request: TalkRequest) -> int:
    ahead = await session.scalar(select(func.count(TalkRequest.id)).where(TalkRequest.status == "waiting", TalkRequest.id < request.id))
    return (ahead or 0) + 1


async def request_out(session: AsyncSession, h: Hearth, request: TalkRequest) -> dict[str, Any]:
    out: dict[str, Any] = {"id": request.id, "status": request.status, "created_at": request.created_at.isoformat()}
    if request.status == "waiting":
        position, free = await _position(session, request), await _helpers_free(session)
        offer_at: datetime = request.created_at + timedelta(seconds=h.settings.talk_now_offer_seconds)
        out.update({
            "position": position, "helpers_free": free, "estimate_seconds": await _estimate(session, position, free),
            "offer_alternatives_at": offer_at.isoformat(), "alternatives": None,
        })
        if utcnow() >= offer_at:
            out["alternatives"] = {
                "message": ("Nobody has picked this up yet, and we're sorry you're waiting. You can stay in the queue, "
                            "and meanwhile: if you're in danger or might act on a craving, please use Get help now. "
                            "People are also talking in the room below, and the forum is always open."),
                "crisis_resources": True, "room": await _busiest_room(session), "forum": True,
            }
    elif request.status in ("taken", "ended"):
        helper = await session.get(User, request.helper_id) if request.helper_id else None
        out.update({"conversation_id": request.room_id,
                    "helper": {"id": helper.id, "pseudonym": helper.pseudonym, "role": helper.role} if helper else None})
    return out


async def ask(h: Hearth, auth: Auth) -> dict[str, Any]:
    """Join the queue, or return the place already held."""
    try:
        async with h.transaction() as tx:
            waiting = await tx.session.scalar(select(TalkRequest).where(TalkRequest.member_id == auth.user.id, TalkRequest.status == "waiting"))
            if waiting is None:
                waiting = TalkRequest(member_id=auth.user.id, status="waiting", created_at=utcnow())
                tx.session.add(waiting)
                await tx.session.flush()
                await _emit_queue(tx)
            return await request_out(tx.session, h, waiting)
    except IntegrityError:  # the same member's second tab got there first
        return await current(h, auth)


async def current(h: Hearth, auth: Auth) -> dict[str, Any] | None:
    """The member's waiting or live request, else their latest one."""
    async with h.db.read() as session:
        found = await session.scalar(
            select(TalkRequest).where(TalkRequest.member_id == auth.user.id)
            .order_by((TalkRequest.status.in_(("waiting", "taken"))).desc(), TalkRequest.id.desc()).limit(1)
        )
        return None if found is None else await request_out(session, h, found)


async def cancel(h: Hearth, auth: Auth) -> None:
    async with h.transaction() as tx:
        done = await tx.session.execute(
            update(TalkRequest).where(TalkRequest.member_id == auth.user.id, TalkRequest.status == "waiting")
            .values(status="cancelled", ended_at=utcnow())
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound("You aren't waiting in the queue.")
        await _emit_queue(tx)


# ---- the helpers' side --------------------------------------------------------------

async def queue(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    """Waiting requests, oldest first (members who blocked this helper, or whom they blocked, are left out)."""
    async with h.db.read() as session:
        if not await _is_helper(session, auth.user):
            raise Forbidden(NOT_A_HELPER)
        rows = await session.execute(
            select(TalkRequest, User).join(User, User.id == TalkRequest.member_id)
            .where(TalkRequest.status == "waiting", TalkRequest.member_id != auth.user.id,
                   no_block_between(auth.user.id, TalkRequest.member_id))
            .order_by(TalkRequest.id)
        )
        position = {r: i + 1 for i, r in enumerate(await session.scalars(select(TalkRequest.id).where(TalkRequest.status == "waiting").order_by(TalkRequest.id)))}
        return [{"id": r.id, "member": {"id": u.id, "pseudonym": u.pseudonym}, "position": position.get(r.id),
                 "waiting_since": r.created_at.isoformat()} for r, u in rows]


async def take(h: Hearth, auth: Auth, request_id: int) -> dict[str, Any]:
    async with h.transaction() as tx:
        if not await _is_helper(tx.session, auth.user):
            raise Forbidden(NOT_A_HELPER)
        row = (await tx.session.execute(
            select(TalkRequest, User).join(User, User.id == TalkRequest.member_id)
            .where(TalkRequest.id == request_id, TalkRequest.member_id != auth.user.id,
                   no_block_between(auth.user.id, TalkRequest.member_id))
        )).first()
        if row is None:
            raise NotFound()
        request, member = row
        status = await tx.session.get(HelperStatus, auth.user.id)
        if status is None or not status.available:
            raise Forbidden("Mark yourself available to listen first.", code="not_available")
        # The cap first: it serialises one helper's takes on their own row.
        slot = await tx.session.execute(
            update(HelperStatus).where(HelperStatus.user_id == auth.user.id, HelperStatus.available.is_(True),
                                       HelperStatus.active_chats < HelperStatus.max_chats)
            .values(active_chats=HelperStatus.active_chats + 1)
        )
        if slot.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("You're at your limit of talk-now chats. End one before taking another.", code="at_capacity")
        won = await tx.session.execute(
            update(TalkRequest).where(TalkRequest.id == request.id, TalkRequest.status == "waiting")
            .values(status="taken", helper_id=auth.user.id, taken_at=utcnow())
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("Someone else has just taken this request. Thank you for stepping in!", code="already_taken")
        conversation, _created = await open_pair(tx, auth.user, member, "talk_now")
        request.room_id = conversation.room_id
        await tx.session.flush()
        await tx.session.refresh(request)
        announce(tx, conversation, auth.user, member)
        out = await request_out(tx.session, h, request)
        tx.emit(f"user:{member.id}", {"type": "talk_now_taken", "request": out})
        await _emit_queue(tx)
        return out


async def end(h: Hearth, auth: Auth, request_id: int) -> None:
    async with h.transaction() as tx:
        request = await tx.session.get(TalkRequest, request_id)
        if request is None or auth.user.id not in (request.member_id, request.helper_id):
            raise NotFound()
        done = await tx.session.execute(
            update(TalkRequest).where(TalkRequest.id == request.id, TalkRequest.status == "taken").values(status="ended", ended_at=utcnow())
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("This chat has already ended.", code="already_ended")
        await tx.session.execute(
            update(HelperStatus).where(HelperStatus.user_id == request.helper_id, HelperStatus.active_chats > 0)
            .values(active_chats=HelperStatus.active_chats - 1)
        )
        for user_id in (request.member_id, request.helper_id):
            tx.emit(f"user:{user_id}", {"type": "talk_now_ended", "request_id": request.id, "conversation_id": request.room_id})
        await _emit_queue(tx)


async def _emit_queue(tx: Tx) -> None:
    """Every waiting member learns their new place; available helpers the queue length."""
    waiting = list(await tx.session.execute(
        select(TalkRequest.id, TalkRequest.member_id).where(TalkRequest.status == "waiting").order_by(TalkRequest.id)))
    for place, (request_id, member_id) in enumerate(waiting, start=1):
        tx.emit(f"user:{member_id}", {"type": "talk_now_position", "request_id": request_id, "position": place})
    helpers = await tx.session.scalars(select(HelperStatus.user_id).where(HelperStatus.available.is_(True)))
    for helper_id in helpers:
        tx.emit(f"user:{helper_id}", {"type": "talk_now_queue", "waiting": len(waiting)})
