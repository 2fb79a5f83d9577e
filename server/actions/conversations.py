"""Private one-on-one conversations: opening, listing with unread counts, read
markers, typing, and each member's "who may message me" choice.

A conversation is a `rooms` row with kind "direct" plus two
`conversation_members` rows, so messages go through `actions.messages` and
`access_room` unchanged; this module only decides who may open one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.pseudonyms import pseudonym_key
from server.actions.accounts import Auth
from server.actions.blocks import blocked_by_any, blocked_ids, is_blocked_by
from server.actions.rooms import access_room
from server.config import Settings
from server.errors import Forbidden, HearthError, InvalidField, NotFound
from server.models import (Conversation, ConversationMember, MentorProfile, Message, MessagingPrefs, Room,
                           RoomMember, User, utcnow)
from server.models.accounts import STAFF_ROLES
from server.models.conversations import PURPOSES, WHO_CAN_MESSAGE
from server.services import Hearth, Tx

DIRECT_NAME = "Private conversation"


class NotAccepting(HearthError):
    # The same words whether the reason is a setting or a block: a blocked
    # member must not be able to tell that they were blocked.
    status = 403
    code = "not_accepting"
    detail = ("This person isn't taking new private conversations right now. "
              "You can still talk together in the rooms.")


class TooNew(HearthError):
    status = 403
    code = "too_new"


@dataclass(frozen=True)
class Prefs:
    who_can_message: str = "shared"
    read_receipts: bool = False


def prefs_out(prefs: Prefs) -> dict[str, Any]:
    return {"who_can_message": prefs.who_can_message, "read_receipts": prefs.read_receipts}


async def load_prefs(session: AsyncSession, user_id: int) -> Prefs:
    row = await session.get(MessagingPrefs, user_id)
    return Prefs() if row is None else Prefs(row.who_can_message, row.read_receipts)


async def get_prefs(h: Hearth, auth: Auth) -> Prefs:
    async with h.db.read() as session:
        return await load_prefs(session, auth.user.id)


async def set_prefs(h: Hearth, auth: Auth, data: dict[str, Any]) -> Prefs:
    who, receipts = data.get("who_can_message"), data.get("read_receipts")
    if who is not None and who not in WHO_CAN_MESSAGE:
        raise InvalidField(f"who_can_message must be one of: {', '.join(WHO_CAN_MESSAGE)}.")
    if receipts is not None and not isinstance(receipts, bool):
        raise InvalidField("read_receipts must be true or false.")
    async with h.transaction() as tx:
        row = await tx.session.get(MessagingPrefs, auth.user.id)
        if row is None:
            row = MessagingPrefs(user_id=auth.user.id, who_can_message="shared", read_receipts=False)
            tx.session.add(row)
        if who is not None:
            row.who_can_message = who
        if receipts is not None:
            row.read_receipts = receipts
        row.updated_at = utcnow()
        return Prefs(row.who_can_message, row.read_receipts)


# ---- who may open a conversation -------------------------------------------

async def is_mentor(session: AsyncSession, user_id: int) -> bool:
    found = await session.scalar(
        select(MentorProfile.user_id).where(MentorProfile.user_id == user_id, MentorProfile.volunteering.is_(True))
    )
    return found is not None


async def is_helper(session: AsyncSession, user: User) -> bool:
    """Specialists and volunteering mentors: exempt from the new-account wait."""
    return user.role == "specialist" or await is_mentor(session, user.id)


async def _shares_a_room(session: AsyncSession, a: int, b: int) -> bool:
    other = RoomMember.__table__.alias("other")
    found = await session.scalar(
        select(RoomMember.room_id)
        .join(Room, and_(Room.id == RoomMember.room_id, Room.kind == "topic"))
        .join(other, and_(other.c.room_id == RoomMember.room_id, other.c.user_id == b))
        .where(RoomMember.user_id == a)
        .limit(1)
    )
    return found is not None


async def _check_not_too_new(session: AsyncSession, settings: Settings, opener: User) -> None:
    """Opening conversations with members takes trust level 2 (moderation/trust.py):
    HEARTH_DM_MIN_ACCOUNT_HOURS and HEARTH_DM_MIN_MESSAGES, or a level set by staff."""
    from moderation.trust import override_for

    if opener.role in STAFF_ROLES or await is_mentor(session, opener.id):
        return
    override = await override_for(session, opener.id)
    if override is not None and override >= 2:
        return
    if override is not None:
        raise TooNew("Private conversations with members aren't open to your account for now. "
                     "The rooms are still open to you, and our peer specialists are here if you need someone now.")
    hours, needed = settings.dm_min_account_hours, settings.dm_min_messages
    old_enough = utcnow() - opener.created_at >= timedelta(hours=hours)
    written = await session.scalar(
        select(func.count(Message.id))
        .join(Room, Room.id == Message.room_id)
        .where(Message.author_id == opener.id, Room.kind == "topic", Message.deleted_at.is_(None))
    ) or 0
    if not old_enough or written < needed:
        raise TooNew(
            f"Private conversations open up once you've been here {hours} hours and written {needed} messages in the rooms. "
            "Until then the rooms are a good place to get to know people, and our peer specialists are here if you need someone now."
        )


async def check_may_open(session: AsyncSession, settings: Settings, opener: User, other: User) -> None:
    """May `opener` start a new conversation with `other`? Raises if not."""
    if await is_blocked_by(session, opener.id, other.id):
        raise NotAccepting()
    if await is_blocked_by(session, other.id, opener.id):
        raise Forbidden(f"You've blocked {other.pseudonym}. To write to them, unblock them first in Settings.", code="you_blocked")
    if other.role not in STAFF_ROLES:
        await _check_not_too_new(session, settings, opener)
    policy = (await load_prefs(session, other.id)).who_can_message
    if policy == "anyone":
        return
    if policy == "shared" and await _shares_a_room(session, opener.id, other.id):
        return
    if policy == "helpers" and await is_helper(session, opener):
        return
    raise NotAccepting()


async def find_pair(session: AsyncSession, a: int, b: int) -> Conversation | None:
    low, high = min(a, b), max(a, b)
    return await session.scalar(select(Conversation).where(Conversation.user_low == low, Conversation.user_high == high))


async def open_pair(tx: Tx, a: User, b: User, purpose: str) -> tuple[Conversation, bool]:
    """The pair's conversation, created if needed. The caller has decided it may open.
    A concurrent creation of the same pair fails on the unique pair key (the
    caller's transaction rolls back and the action is retried once)."""
    assert purpose in PURPOSES
    found = await find_pair(tx.session, a.id, b.id)
    if found is not None:
        if purpose != "direct" and found.purpose != purpose:
            found.purpose = purpose
        return found, False
    now = utcnow()
    room = Room(kind="direct", slug=None, name=DIRECT_NAME, description="", rules="", position=0, last_seq=0, created_at=now)
    tx.session.add(room)
    await tx.session.flush()
    conversation = Conversation(room_id=room.id, user_low=min(a.id, b.id), user_high=max(a.id, b.id), purpose=purpose, created_at=now)
    tx.session.add(conversation)
    tx.session.add_all(ConversationMember(room_id=room.id, user_id=u.id, last_read_seq=0, joined_at=now) for u in (a, b))
    await tx.session.flush()
    return conversation, True


def announce(tx: Tx, conversation: Conversation, a: User, b: User, kind: str = "conversation_opened") -> None:
    """Tell both participants' sockets (each with their own view)."""
    for me, other in ((a, b), (b, a)):
        tx.emit(f"user:{me.id}", {"type": kind, "conversation": _brief(conversation, other)})


def _brief(conversation: Conversation, other: User) -> dict[str, Any]:
    return {"id": conversation.room_id, "purpose": conversation.purpose,
            "with": {"id": other.id, "pseudonym": other.pseudonym, "role": other.role}}


async def _user_by_pseudonym(session: AsyncSession, pseudonym: object) -> User:
    if not isinstance(pseudonym, str) or not pseudonym.strip() or len(pseudonym) > 128:
        raise InvalidField("Please give the pseudonym of the person you'd like to talk with.")
    user = await session.scalar(select(User).where(User.pseudonym_key == pseudonym_key(pseudonym.strip())))
    if user is None:
        raise NotFound("We couldn't find anyone with that pseudonym.")
    return user


async def open_conversation(h: Hearth, auth: Auth, pseudonym: object, *, purpose: object = "direct",
                            bypass_preferences_for: str | None = None) -> tuple[dict[str, Any], bool]:
    """Open (or return) the conversation with `pseudonym`. An existing
    conversation is always returned: the settings govern new ones.

    `bypass_preferences_for="specialist"` is the crisis path: a specialist
    opening a support conversation (from a flag, or by choice) reaches the
    member whatever their "who may message me" setting; blocks still hold."""
    if purpose not in ("direct", "support"):
        raise InvalidField("purpose must be direct or support.")
    if purpose == "support":
        if auth.user.role != "specialist":
            raise Forbidden("Only peer specialists can open support conversations.")
        bypass_preferences_for = "specialist"
    if bypass_preferences_for not in (None, "specialist") or (bypass_preferences_for and auth.user.role != "specialist"):
        raise Forbidden("Only peer specialists can reach members regardless of their settings.")
    from moderation.screening import gate

    for attempt in (1, 2):
        try:
            async with h.transaction() as tx:
                other = await _user_by_pseudonym(tx.session, pseudonym)
                if other.id == auth.user.id:
                    raise InvalidField("That's you! Pick someone else to talk with.")
                existing = await find_pair(tx.session, auth.user.id, other.id)
                if existing is None and attempt == 1:
                    await gate(h, tx, auth, room=None, now=utcnow(), rate="open")
                if existing is None:
                    if bypass_preferences_for == "specialist":
                        if await is_blocked_by(tx.session, auth.user.id, other.id):
                            raise NotAccepting()
                    else:
                        await check_may_open(tx.session, h.settings, auth.user, other)
                conversation, created = await open_pair(tx, auth.user, other, str(purpose))
                if created or purpose != "direct":
                    announce(tx, conversation, auth.user, other)
            return await get_conversation(h, auth, conversation.room_id), created
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# ---- reading ------------------------------------------------------------------

async def _unread(session: AsyncSession, user_id: int, room_ids: list[int], hidden: set[int]) -> dict[int, int]:
    if not room_ids:
        return {}
    query = (
        select(ConversationMember.room_id, func.count(Message.id))
        .join(Message, and_(Message.room_id == ConversationMember.room_id, Message.seq > ConversationMember.last_read_seq))
        .where(ConversationMember.user_id == user_id, ConversationMember.room_id.in_(room_ids), Message.deleted_at.is_(None),
               or_(Message.author_id.is_(None), Message.author_id != user_id))
        .group_by(ConversationMember.room_id)
    )
    if hidden:
        query = query.where(or_(Message.author_id.is_(None), Message.author_id.not_in(hidden)))
    return {room_id: count for room_id, count in await session.execute(query)}


async def _views(session: AsyncSession, user_id: int, conversations: list[Conversation]) -> list[dict[str, Any]]:
    if not conversations:
        return []
    ids = [c.room_id for c in conversations]
    others = {c.room_id: (c.user_high if c.user_low == user_id else c.user_low) for c in conversations}
    users = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(set(others.values()))))}
    rooms = {r.id: r for r in await session.scalars(select(Room).where(Room.id.in_(ids)))}
    members = {(m.room_id, m.user_id): m for m in await session.scalars(select(ConversationMember).where(ConversationMember.room_id.in_(ids)))}
    last_at = dict((await session.execute(
        select(Message.room_id, func.max(Message.created_at)).where(Message.room_id.in_(ids)).group_by(Message.room_id)
    )).all())
    hidden = await blocked_ids(session, user_id)
    unread = await _unread(session, user_id, ids, hidden)
    mine = await load_prefs(session, user_id)
    out = []
    for c in conversations:
        other = users.get(others[c.room_id])
        if other is None:
            continue
        their = await load_prefs(session, other.id) if mine.read_receipts else Prefs()
        # Read markers are shown only when both have chosen to share them.
        other_read = members[(c.room_id, other.id)].last_read_seq if (mine.read_receipts and their.read_receipts) else None
        when = last_at.get(c.room_id)
        out.append({
            **_brief(c, other),
            "last_seq": rooms[c.room_id].last_seq,
            "last_read_seq": members[(c.room_id, user_id)].last_read_seq,
            "unread": unread.get(c.room_id, 0),
            "other_last_read_seq": other_read,
            "last_message_at": when.isoformat() if when else None,
            "blocked": other.id in hidden,
            "created_at": c.created_at.isoformat(),
        })
    out.sort(key=lambda v: (v["last_message_at"] or v["created_at"]), reverse=True)
    return out


async def list_conversations(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    async with h.db.read() as session:
        found = list(await session.scalars(
            select(Conversation).where(or_(Conversation.user_low == auth.user.id, Conversation.user_high == auth.user.id))
        ))
        return await _views(session, auth.user.id, found)


async def _access(session: AsyncSession, auth: Auth, room_id: object) -> Conversation:
    room = await access_room(session, auth, room_id)  # the one access check; NotFound for everyone else
    conversation = await session.get(Conversation, room.id)
    if conversation is None:
        raise NotFound()  # a topic room is not a conversation
    return conversation


async def get_conversation(h: Hearth, auth: Auth, room_id: object) -> dict[str, Any]:
    async with h.db.read() as session:
        conversation = await _access(session, auth, room_id)
        return (await _views(session, auth.user.id, [conversation]))[0]


async def mark_read(h: Hearth, auth: Auth, room_id: object, seq: object) -> int:
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise InvalidField("seq must be a whole number: the last seq you have read.")
    async with h.transaction() as tx:
        conversation = await _access(tx.session, auth, room_id)
        room = await tx.session.get(Room, conversation.room_id)
        assert room is not None
        upto = min(seq, room.last_seq)
        await tx.session.execute(
            update(ConversationMember)
            .where(ConversationMember.room_id == room.id, ConversationMember.user_id == auth.user.id,
                   ConversationMember.last_read_seq < upto)
            .values(last_read_seq=upto)
        )
        member = await tx.session.get(ConversationMember, (room.id, auth.user.id), populate_existing=True)
        assert member is not None
        last = member.last_read_seq
        tx.emit(f"user:{auth.user.id}", {"type": "conversation_read", "room_id": room.id, "last_read_seq": last})
        other_id = conversation.user_high if conversation.user_low == auth.user.id else conversation.user_low
        mine, theirs = await load_prefs(tx.session, auth.user.id), await load_prefs(tx.session, other_id)
        if mine.read_receipts and theirs.read_receipts and not await is_blocked_by(tx.session, other_id, auth.user.id):
            tx.emit(f"user:{other_id}", {"type": "read", "room_id": room.id, "user_id": auth.user.id, "seq": last})
        return last


async def typing(h: Hearth, auth: Auth, room_id: object) -> None:
    """Tell the other participant only; nothing is stored."""
    async with h.db.read() as session:
        conversation = await _access(session, auth, room_id)
        other_id = conversation.user_high if conversation.user_low == auth.user.id else conversation.user_low
        if await is_blocked_by(session, auth.user.id, other_id):
            return  # they chose not to hear from this member
    await h.publish(f"user:{other_id}", {"type": "typing", "room_id": conversation.room_id,
                                          "user": {"id": auth.user.id, "pseudonym": auth.user.pseudonym}})


async def on_direct_message(tx: Tx, room_id: int, message: dict[str, Any], author_id: int) -> None:
    """Called by `send_message` inside its transaction for a direct room: the
    participants' sockets learn of it even when the conversation isn't open,
    except a participant who has blocked the author."""
    participants = list(await tx.session.scalars(select(ConversationMember.user_id).where(ConversationMember.room_id == room_id)))
    hidden_from = await blocked_by_any(tx.session, author_id, participants)
    for user_id in participants:
        if user_id not in hidden_from:
            tx.emit(f"user:{user_id}", {"type": "conversation_activity", "room_id": room_id, "seq": message["seq"], "message": message})
