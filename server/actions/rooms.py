"""Topic rooms: listing, access, and staff management."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from moderation import audit
from server.actions.accounts import Auth
from server.errors import Conflict, Forbidden, InvalidField, NotFound
from server.models import ConversationMember, Room, RoomMember, utcnow
from server.policy_cache import cached
from server.services import Hearth
from server.text import clean_body, clean_line

ROOM_MANAGERS = frozenset({"moderator", "admin"})
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")


def room_out(room: Room) -> dict[str, Any]:
    return {
        "id": room.id, "slug": room.slug, "name": room.name, "description": room.description,
        "rules": room.rules, "archived": room.archived_at is not None, "last_seq": room.last_seq,
    }


async def access_room(session: AsyncSession, auth: Auth, room_id: object) -> Room:
    """The one place that decides whether someone may read a room.
    Missing and forbidden look the same: both are NotFound.

    A private conversation ("direct") is readable by its two participants
    only. Staff get no exception here: a moderator sees private messages
    only through a report, a specialist only through a crisis flag's context."""
    room = await session.get(Room, _room_id(room_id))
    if room is None or not await _may_read(session, auth, room.id, room.kind):
        raise NotFound()
    return room


@dataclass(frozen=True)
class PostingRoom:
    """What the send path needs of a room; immutable, so it can be cached."""

    id: int
    kind: str


async def posting_room(session: AsyncSession, auth: Auth, room_id: object) -> PostingRoom:
    """`access_room`'s decision for the send path, answered from the policy
    cache when the transaction has validated it (server/policy_cache.py). Whether
    the room is archived is decided by the write itself (messages._next_seq)."""
    wanted = _room_id(room_id)

    async def load() -> PostingRoom | None:
        room = await session.get(Room, wanted)
        return None if room is None else PostingRoom(room.id, room.kind)

    room = await cached(session, ("room", wanted), load)
    if room is None or not await _may_read(session, auth, room.id, room.kind):
        raise NotFound()
    return room


def _room_id(room_id: object) -> int:
    if not isinstance(room_id, int) or isinstance(room_id, bool) or room_id <= 0:
        raise NotFound()
    return room_id


async def _may_read(session: AsyncSession, auth: Auth, room_id: int, kind: str) -> bool:
    if kind == "topic":
        return True
    if kind != "direct":
        return False

    async def is_participant() -> bool:
        return await session.get(ConversationMember, (room_id, auth.user.id)) is not None

    return await cached(session, ("participant", room_id, auth.user.id), is_participant)


async def list_rooms(h: Hearth, auth: Auth, *, include_archived: bool = False) -> list[Room]:
    query = select(Room).where(Room.kind == "topic").order_by(Room.position, Room.id)
    if not (include_archived and auth.user.role in ROOM_MANAGERS):
        query = query.where(Room.archived_at.is_(None))
    async with h.db.read() as session:
        return list(await session.scalars(query))


async def get_room(h: Hearth, auth: Auth, room_id: object) -> Room:
    async with h.db.read() as session:
        return await access_room(session, auth, room_id)


def _check_manager(auth: Auth) -> None:
    if auth.user.role not in ROOM_MANAGERS:
        raise Forbidden("Only moderators and admins can manage rooms.")


def _room_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "slug" in data or not partial:
        slug = data.get("slug")
        if not isinstance(slug, str) or not _SLUG.match(slug):
            raise InvalidField("slug must be 1-48 lowercase letters, digits and dashes.")
        fields["slug"] = slug
    if "name" in data or not partial:
        fields["name"] = clean_line(data.get("name"), field="name", min_chars=2, max_chars=80)
    for key, limit in (("description", 500), ("rules", 4000)):
        if key in data:
            fields[key] = clean_body(data[key], field=key, max_chars=limit) if data[key] else ""
    if "position" in data:
        if not isinstance(data["position"], int) or isinstance(data["position"], bool):
            raise InvalidField("position must be a whole number.")
        fields["position"] = data["position"]
    return fields


async def create_room(h: Hearth, auth: Auth, data: dict[str, Any]) -> Room:
    _check_manager(auth)
    fields = _room_fields(data, partial=False)
    try:
        async with h.transaction() as tx:
            position = await tx.session.scalar(select(func.coalesce(func.max(Room.position), 0)))
            values = {"description": "", "rules": "", "position": (position or 0) + 1, **fields}
            room = Room(kind="topic", created_at=utcnow(), last_seq=0, **values)
            tx.session.add(room)
            await tx.session.flush()
            audit.record(tx.session, auth.user, "room_created", target_kind="room", target_id=room.id, name=room.name)
    except IntegrityError:
        raise Conflict("A room with that slug exists already.") from None
    return room


async def update_room(h: Hearth, auth: Auth, room_id: object, data: dict[str, Any]) -> Room:
    _check_manager(auth)
    fields = _room_fields(data, partial=True)
    archived = data.get("archived")
    if archived is not None and not isinstance(archived, bool):
        raise InvalidField("archived must be true or false.")
    try:
        async with h.transaction() as tx:
            room = await access_room(tx.session, auth, room_id)
            if room.kind != "topic":
                raise NotFound()  # a moderator's own private conversation is not a room to manage
            for key, value in fields.items():
                setattr(room, key, value)
            if archived is not None:
                room.archived_at = (room.archived_at or utcnow()) if archived else None
            audit.record(tx.session, auth.user, "room_changed", target_kind="room", target_id=room.id,
                         fields=sorted(fields) + (["archived"] if archived is not None else []))
    except IntegrityError:
        raise Conflict("A room with that slug exists already.") from None
    return room


async def remember_join(h: Hearth, auth: Auth, room_id: int, read_up_to: int = 0) -> None:
    """Record that this member takes part in the room (read first: rejoins are
    common). What was said before a first join doesn't count as unread."""
    async with h.db.read() as session:
        if await session.get(RoomMember, (room_id, auth.user.id)) is not None:
            return
    try:
        async with h.transaction() as tx:
            tx.session.add(RoomMember(room_id=room_id, user_id=auth.user.id, joined_at=utcnow(), last_read_seq=read_up_to))
    except IntegrityError:
        pass  # another tab of the same member got there first


async def unread_counts(h: Hearth, auth: Auth) -> dict[int, int]:
    """New messages since the member last read each room they take part in."""
    from server.models import Message

    async with h.db.read() as session:
        rows = await session.execute(
            select(RoomMember.room_id, func.count(Message.id))
            .join(Message, (Message.room_id == RoomMember.room_id) & (Message.seq > RoomMember.last_read_seq))
            .join(Room, Room.id == RoomMember.room_id)
            .where(RoomMember.user_id == auth.user.id, Room.kind == "topic", Message.deleted_at.is_(None),
                   Message.held_at.is_(None), Message.author_id != auth.user.id)
            .group_by(RoomMember.room_id))
        return {room_id: count for room_id, count in rows}


async def mark_read(h: Hearth, auth: Auth, room_id: object, seq: object) -> int:
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise InvalidField("seq must be a whole number.")
    async with h.transaction() as tx:
        room = await access_room(tx.session, auth, room_id)
        member = await tx.session.get(RoomMember, (room.id, auth.user.id))
        if member is None:
            return 0
        member.last_read_seq = max(member.last_read_seq, min(seq, room.last_seq))
        return member.last_read_seq


async def sharing_a_room(session: AsyncSession, me: int, others: list[int]) -> set[int]:
    """Which of `others` share a room with `me` (a topic room both joined, or a
    private conversation together): the only people whose profile details a
    member may look up, so nobody can page through the membership (C17)."""
    if not others:
        return set()
    mine = select(RoomMember.room_id).join(Room, Room.id == RoomMember.room_id).where(RoomMember.user_id == me, Room.kind == "topic")
    topic = await session.scalars(select(RoomMember.user_id).where(RoomMember.room_id.in_(mine), RoomMember.user_id.in_(others)))
    my_conversations = select(ConversationMember.room_id).where(ConversationMember.user_id == me)
    direct = await session.scalars(select(ConversationMember.user_id).where(
        ConversationMember.room_id.in_(my_conversations), ConversationMember.user_id.in_(others)))
    return set(topic) | set(direct)
