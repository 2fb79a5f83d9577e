"""Meeting mode, while a meeting runs in its room: the host opens and closes it,
members raise a hand to share, and the host gives the floor in turn (the queue
is in raising order). In quiet mode only the host and the member who has the
floor may post in the room.

Every change first bumps the meeting's `state_version` with one UPDATE, which
also holds the meeting's row lock until commit: changes are serialised, the
hand queue order is commit order, and each `meeting_state` event carries a
version the client keeps the highest of. The events go on the room's channel
without a `seq`, so sockets forward them as they are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.accounts import Auth
from server.actions.idempotent import insert_ignore
from server.actions.meetings import access_meeting, can_host
from server.actions.rooms import ROOM_MANAGERS
from server.errors import Conflict, Forbidden, InvalidField, NotFound
from server.models import Room, User, utcnow
from server.models.recovery import Meeting, MeetingHand
from server.services import Hearth, Tx
from server.policy_cache import cached


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "pseudonym": user.pseudonym} if user else None


async def state_out(session: AsyncSession, m: Meeting) -> dict[str, Any]:
    hands = (await session.execute(
        select(MeetingHand, User).join(User, User.id == MeetingHand.user_id)
        .where(MeetingHand.meeting_id == m.id).order_by(MeetingHand.id))).all()
    return {
        "meeting_id": m.id, "room_id": m.room_id, "version": m.state_version, "open": m.opened_at is not None,
        "opened_at": m.opened_at.isoformat() if m.opened_at else None, "quiet": m.quiet,
        "host": _person(await session.get(User, m.host_id) if m.host_id else None),
        "speaker": _person(await session.get(User, m.speaker_id) if m.speaker_id else None),
        "hands": [{"user": _person(u), "raised_at": hand.raised_at.isoformat()} for hand, u in hands],
    }


async def _locked(tx: Tx, auth: Auth, meeting_id: object) -> tuple[Meeting, Room]:
    meeting, room = await access_meeting(tx.session, auth, meeting_id)
    await tx.session.execute(update(Meeting).where(Meeting.id == meeting.id).values(state_version=Meeting.state_version + 1))
    await tx.session.refresh(meeting)  # read again under the lock
    return meeting, room


async def _publish(tx: Tx, m: Meeting) -> dict[str, Any]:
    await tx.session.flush()
    state = await state_out(tx.session, m)
    tx.emit(f"room:{m.room_id}", {"type": "meeting_state", "room_id": m.room_id, "meeting_id": m.id, "state": state})
    return state


def _host_only(auth: Auth, m: Meeting) -> None:
    if not can_host(auth, m):
        raise Forbidden("Only the meeting's host can do that.", code="not_host")


def _must_be_open(m: Meeting) -> None:
    if m.opened_at is None:
        raise Conflict("The meeting hasn't started yet. The host opens it when it's time.", code="meeting_closed")


async def get_state(h: Hearth, auth: Auth, meeting_id: object) -> dict[str, Any]:
    async with h.db.read() as session:
        meeting, _ = await access_meeting(session, auth, meeting_id)
        return await state_out(session, meeting)


async def open_meeting(h: Hearth, auth: Auth, meeting_id: object, quiet: object = False) -> dict[str, Any]:
    if not isinstance(quiet, bool):
        raise InvalidField("quiet must be true or false.")
    async with h.transaction() as tx:
        m, _ = await _locked(tx, auth, meeting_id)
        _host_only(auth, m)
        if m.opened_at is None:  # a fresh start: no leftover hands or speaker
            m.opened_at, m.speaker_id = utcnow(), None
            await tx.session.execute(delete(MeetingHand).where(MeetingHand.meeting_id == m.id))
        m.quiet = quiet
        return await _publish(tx, m)


async def close_meeting(h: Hearth, auth: Auth, meeting_id: object) -> dict[str, Any]:
    async with h.transaction() as tx:
        m, _ = await _locked(tx, auth, meeting_id)
        _host_only(auth, m)
        _must_be_open(m)
        m.opened_at, m.speaker_id, m.quiet = None, None, False
        await tx.session.execute(delete(MeetingHand).where(MeetingHand.meeting_id == m.id))
        return await _publish(tx, m)


async def raise_hand(h: Hearth, auth: Auth, meeting_id: object) -> dict[str, Any]:
    async with h.transaction() as tx:
        m, _ = await _locked(tx, auth, meeting_id)
        _must_be_open(m)
        if m.speaker_id == auth.user.id:
            raise Conflict("You have the floor right now.", code="has_floor")
        await insert_ignore(tx.session, MeetingHand, {"meeting_id": m.id, "user_id": auth.user.id, "raised_at": utcnow()})
        return await _publish(tx, m)


async def lower_hand(h: Hearth, auth: Auth, meeting_id: object, user_id: object = None) -> dict[str, Any]:
    """Lower your own hand; the host may lower anyone's."""
    async with h.transaction() as tx:
        m, _ = await _locked(tx, auth, meeting_id)
        _must_be_open(m)
        target = auth.user.id if user_id is None else user_id
        if target != auth.user.id:
            _host_only(auth, m)
        await tx.session.execute(delete(MeetingHand).where(MeetingHand.meeting_id == m.id, MeetingHand.user_id == target))
        return await _publish(tx, m)


async def give_floor(h: Hearth, auth: Auth, meeting_id: object, user_id: object = None) -> dict[str, Any]:
    """Give the floor to the first raised hand (or to the one named); it leaves the queue."""
    async with h.transaction() as tx:
        m, _ = await _locked(tx, auth, meeting_id)
        _host_only(auth, m)
        _must_be_open(m)
        query = select(MeetingHand).where(MeetingHand.meeting_id == m.id)
        if user_id is not None:
            query = query.where(MeetingHand.user_id == user_id)
        hand = await tx.session.scalar(query.order_by(MeetingHand.id).limit(1))
        if hand is None:
            raise NotFound("No hand is raised right now." if user_id is None else "That member's hand isn't raised.")
        m.speaker_id = hand.user_id
        await tx.session.delete(hand)
        return await _publish(tx, m)


async def end_floor(h: Hearth, auth: Auth, meeting_id: object) -> dict[str, Any]:
    """The speaker is done (or the host takes the floor back)."""
    async with h.transaction() as tx:
        m, _ = await _locked(tx, auth, meeting_id)
        _must_be_open(m)
        if m.speaker_id != auth.user.id:
            _host_only(auth, m)
        m.speaker_id = None
        return await _publish(tx, m)


async def check_may_post(session: AsyncSession, auth: Auth, room_id: int) -> None:
    """Quiet mode: while a quiet meeting runs, only its host, the member with the
    floor and room managers post in the room."""
    if auth.user.role in ROOM_MANAGERS:
        return
    async def load() -> tuple[tuple[int | None, int | None], ...]:
        quiet = await session.scalars(select(Meeting).where(Meeting.room_id == room_id, Meeting.opened_at.is_not(None), Meeting.quiet.is_(True)))
        return tuple((meeting.host_id, meeting.speaker_id) for meeting in quiet)

    for may_speak in await cached(session, ("quiet_meetings", room_id), load):
        if auth.user.id not in may_speak:
            raise Forbidden("A meeting is running in quiet mode. Raise your hand and the host will give you the floor.",
                            code="meeting_quiet")
