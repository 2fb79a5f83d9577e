"""Room messages: send, edit, delete, history and replay.

Every change takes the room's next `seq` with one conditional UPDATE, which
also holds the room's row lock until commit. So within a room, seq order is
commit order with no holes, which is what makes gap-free resume possible."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions import conversations
from server.actions.accounts import Auth
from server.actions.blocks import blocked_ids
from server.actions.mentions import notify_mentions
from server.actions.reactions import counts_for
from server.actions.meeting_mode import check_may_post
from server.actions.rooms import PostingRoom, access_room, posting_room
from moderation import screening
from moderation.crisis import FirstLook
from server.errors import Conflict, Forbidden, InvalidField, NotFound, RateLimited
from server.models import Message, Room, User
from server.services import Hearth, Tx
from server.sqlite_driver import HotStatement
from server.text import clean_body

MAX_BODY = 4000
HISTORY_LIMIT = 100
REPLAY_LIMIT = 1000


def check_client_id(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64 or not value.isprintable():
        raise InvalidField("client_id must be 1-64 printable characters, unique per message.")
    return value


STAFF = frozenset({"specialist", "moderator", "admin"})


@dataclass(slots=True)
class NewMessage:
    """A message just stored by `send_message`, as `message_out` and moderation
    read it. Not an ORM object: nothing changes it in its transaction, and
    building an instrumented Message cost more than the statement storing it."""
    id: int
    room_id: int
    author_id: int
    client_id: str
    body: str
    seq: int
    version_seq: int
    created_at: datetime
    held_at: datetime | None
    reply_to_id: int | None
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    hidden_at: datetime | None = None


def message_out(message: Message | NewMessage, author: User | None, viewer: User | None = None) -> dict[str, Any]:
    """Events fanned out to a room carry no viewer: hidden words are left out.
    History is per viewer: the author and staff still see what was hidden."""
    deleted = message.deleted_at is not None
    hidden = message.hidden_at is not None
    sees_all = viewer is not None and (viewer.id == message.author_id or viewer.role in STAFF)
    return {
        "id": message.id,
        "room_id": message.room_id,
        "seq": message.seq,
        "version": message.version_seq,
        "client_id": message.client_id,
        "author": {"id": author.id, "pseudonym": author.pseudonym} if author else None,
        "body": None if deleted or (hidden and not sees_all) else message.body,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
        "hidden": hidden,
        "held": message.held_at is not None,
        "reply_to": message.reply_to_id,
    }


def _with_authors() -> Select[tuple[Message, User]]:
    return select(Message, User).outerjoin(User, User.id == Message.author_id)


# Built once and run as plain SQL (Core) on the session's connection: every
# message runs these, and building statements and the ORM's unit of work for
# one INSERT were most of a message's CPU (docs/performance.md).
# On SQLite they also skip SQLAlchemy's execution layer (server/sqlite_driver.py).
_rooms, _messages = Room.__table__, Message.__table__
_NEXT_SEQ = HotStatement(update(_rooms).where(_rooms.c.id == bindparam("room"), _rooms.c.archived_at.is_(None))
                         .values(last_seq=_rooms.c.last_seq + 1).returning(_rooms.c.last_seq), writes=True)
_STORED_ID = HotStatement(select(_messages.c.id).where(_messages.c.author_id == bindparam("author"),
                                                       _messages.c.client_id == bindparam("client")))
_INSERTED = ("room_id", "author_id", "client_id", "body", "seq", "version_seq", "created_at", "held_at", "reply_to_id")
_INSERT = HotStatement(_messages.insert().returning(_messages.c.id), column_keys=_INSERTED, writes=True)


async def _next_seq(session: AsyncSession, room_id: int) -> int:
    """Seq changes never need the room's ORM object in step: nothing reads its
    last_seq in the same transaction."""
    seq = await _NEXT_SEQ.scalar(session, {"room": room_id})
    if seq is None:
        raise Forbidden("This room is archived: you can read it, but not post.", code="room_archived")
    return seq


def _emit_change(tx: Tx, kind: str, message: Message | NewMessage, author: User | None, seq: int) -> dict[str, Any]:
    out = message_out(message, author)
    tx.emit(f"room:{message.room_id}", {"type": kind, "room_id": message.room_id, "seq": seq, "message": out})
    return out


async def _existing(session: AsyncSession, author_id: int, client_id: str) -> tuple[Message, User] | None:
    row = (await session.execute(_with_authors().where(Message.author_id == author_id, Message.client_id == client_id))).first()
    return None if row is None else (row[0], row[1])


async def send_message(h: Hearth, auth: Auth, room_id: object, body: object, client_id: object,
                       reply_to: object = None) -> tuple[dict[str, Any], bool]:
    """Store a message, then publish it. Returns (message, created). A resend of
    the same client_id returns the stored message and publishes nothing."""
    client_id = check_client_id(client_id)
    text = clean_body(body, max_chars=MAX_BODY)
    if reply_to is not None and (not isinstance(reply_to, int) or isinstance(reply_to, bool) or reply_to <= 0):
        raise InvalidField("reply_to must be the id of a message in this room.")
    first_look = FirstLook(text)  # assessed once, whether the gate or the flag check asks first
    try:
        async with h.transaction(urgent=first_look.urgent) as tx:
            await h.policy.use(tx.session)  # the checks below may answer from memory
            room = await posting_room(tx.session, auth, room_id)
            await check_may_post(tx.session, auth, room.id)  # a meeting in quiet mode
            now = h.clock()
            # Mutes, paused rooms, rate limits: before the room lock is taken.
            new_account = await screening.gate(h, tx, auth, room=room, now=now)
            seq = await _next_seq(tx.session, room.id)  # takes the room lock before the duplicate check
            if await _STORED_ID.rows(tx.session, {"author": auth.user.id, "client": client_id}):
                found = await _existing(tx.session, auth.user.id, client_id)
                assert found is not None  # under the room lock, in this transaction
                raise _AlreadyStored(_same_place(found, room.id))  # rolls back: the seq is given back
            if reply_to is not None:
                quoted = await tx.session.get(Message, reply_to)
                if quoted is None or quoted.room_id != room.id or quoted.held_at is not None:
                    raise InvalidField("reply_to must be the id of a message in this room.")
            place = "room" if room.kind == "topic" else "conversation"
            verdict = await screening.screen(h, auth.user, text, place=place, new_account=new_account)  # may refuse
            held = await unattended_rules(h, tx.session, auth.user, room, now) or verdict.hold
            values = dict(room_id=room.id, author_id=auth.user.id, client_id=client_id, body=verdict.text,
                          seq=seq, version_seq=seq, created_at=now, held_at=now if held else None, reply_to_id=reply_to)
            message = NewMessage(id=await _INSERT.scalar(tx.session, values), **values)
            await moderate(h, tx, auth.user, room, message, now, first_look)
            await screening.after_write(h, tx, verdict, author=auth.user, target_kind="message", target_id=message.id,
                                        place=place, room_id=room.id, thread_id=None, body=message.body, now=now)
            # Neither deleted nor hidden yet: the room sees what its author sees.
            if held:  # a held message reaches the room only once staff release it
                shown = message_out(message, auth.user)
            else:
                shown = _emit_change(tx, "message", message, auth.user, seq)
                if room.kind == "direct":
                    await conversations.on_direct_message(tx, room.id, shown, auth.user.id)
                else:
                    await notify_mentions(tx, auth.user, message)
        out = dict(shown)
        if verdict.notice:
            out["notice"] = verdict.notice  # only in the author's ack: why it waits for a moderator
        return out, True
    except _AlreadyStored as stored:
        return stored.message, False
    except IntegrityError:
        # This client_id was stored before (a resend), by this or another process.
        async with h.db.read() as session:
            found = await _existing(session, auth.user.id, client_id)
        if found is None:
            raise
        return _same_place(found, room_id), False


class _AlreadyStored(Exception):
    """A resend found before any screening: answered with the stored message."""

    def __init__(self, message: dict[str, Any]) -> None:
        self.message = message


def _same_place(found: tuple[Message, User], room_id: object) -> dict[str, Any]:
    message, author = found
    if message.room_id != room_id:
        raise Conflict("That client_id was already used for another message.", code="client_id_reused")
    return message_out(message, author)


async def unattended_rules(h: Hearth, session: AsyncSession, author: User, room: Room | PostingRoom, now: Any) -> bool:
    """While nobody is on call, topic rooms go slow and hold new accounts' posts.
    Returns whether this message is held for review."""
    if not h.unattended or room.kind != "topic" or author.role in STAFF:
        return False
    slow = h.settings.unattended_slow_seconds
    if slow:
        last = await session.scalar(select(func.max(Message.created_at)).where(Message.room_id == room.id, Message.author_id == author.id))
        if last is not None and (now - last).total_seconds() < slow:
            wait = int(slow - (now - last).total_seconds()) + 1
            raise RateLimited(wait, "The room is in slow mode while no supporters are on call. "
                                    f"You can post again in {wait} seconds.")
    return bool(now - author.created_at < timedelta(hours=h.settings.new_account_hours))


async def moderate(h: Hearth, tx: Tx, author: User, room: Room | PostingRoom, message: Message | NewMessage, now: Any,
                   first_look: FirstLook | None = None) -> None:
    """Moderation in the message's own transaction: a crash can never leave
    stored crisis words without their flag."""
    from moderation.flags import Place, record_first_reply, screen

    if room.kind != "topic" and message.edited_at is None:
        await record_first_reply(tx.session, room.id, author.id, now)

    async def load_context() -> tuple[list[str], list[dict[str, Any]]]:
        since = now - timedelta(minutes=30)
        recent = await tx.session.scalars(
            select(Message.body).where(Message.room_id == room.id, Message.author_id == author.id, Message.id != message.id,
                                       Message.created_at >= since, Message.deleted_at.is_(None))
            .order_by(Message.id.desc()).limit(4))
        around = await tx.session.execute(
            _with_authors().where(Message.room_id == room.id, Message.id < message.id, Message.deleted_at.is_(None))
            .order_by(Message.id.desc()).limit(3))
        context = [{"author": u.pseudonym if u else None, "body": m.body, "at": m.created_at.isoformat()} for m, u in around]
        return list(reversed(list(recent))), list(reversed(context))

    kind = "room" if room.kind == "topic" else "conversation"
    await screen(h, tx, author, message.body, Place(kind, room.id, message.id), load_context, first_look)


async def set_hidden(h: Hearth, auth: Auth, message_id: object, hidden: bool, reason: object = None) -> dict[str, Any]:
    """Staff hide a message from others (restorable); its author still sees it."""
    from moderation import audit

    if auth.user.role not in STAFF:
        raise Forbidden("Only staff can hide messages.")
    if hidden and reason is not None and not (isinstance(reason, str) and 1 <= len(reason) <= 32):
        raise InvalidField("reason must be a short word such as graphic, harassment or identifying.")
    async with h.transaction() as tx:
        message = await _load_message(tx.session, auth, message_id)
        author = await _author(tx.session, message)
        if (message.hidden_at is not None) == hidden:
            return message_out(message, author, auth.user)
        await hide_in(tx, message, author, hidden, str(reason or "staff"), h.clock())
        audit.record(tx.session, auth.user, "hide" if hidden else "unhide", target_kind="message", target_id=message.id,
                     target_pseudonym=author.pseudonym if author else None, reason=str(reason or "staff"), room_id=message.room_id)
        return message_out(message, author, auth.user)


async def hide_in(tx: Tx, message: Message, author: User | None, hidden: bool, reason: str, now: Any) -> None:
    """Hide or bring back a message inside the caller's transaction; every socket in
    the room (on every process) gets `message_hidden` / `message_edited`."""
    if (message.hidden_at is not None) == hidden:
        return
    seq = await _next_seq(tx.session, message.room_id)
    message.hidden_at = now if hidden else None
    message.hidden_reason = reason[:32] if hidden else None
    message.version_seq = seq
    if message.held_at is None:  # a held message was never shown: nothing to take back
        _emit_change(tx, "message_hidden" if hidden else "message_edited", message, author, seq)


async def release_in(tx: Tx, message: Message, author: User | None) -> None:
    seq = await _next_seq(tx.session, message.room_id)
    message.held_at, message.version_seq = None, seq
    _emit_change(tx, "message" if message.hidden_at is None else "message_hidden", message, author, seq)
    if message.hidden_at is None and author is not None:
        room = await tx.session.get(Room, message.room_id)
        if room is not None and room.kind == "direct":
            await conversations.on_direct_message(tx, room.id, message_out(message, author), author.id)
        elif room is not None:
            await notify_mentions(tx, author, message)


async def replace_body_in(tx: Tx, message: Message, author: User | None, body: str, now: Any) -> None:
    """A moderator's edit (identifying details taken out), in the caller's transaction."""
    seq = await _next_seq(tx.session, message.room_id)
    message.body, message.edited_at, message.version_seq = body, now, seq
    if message.held_at is None:
        _emit_change(tx, "message_edited", message, author, seq)


async def release_held(h: Hearth, auth: Auth, message_id: object) -> dict[str, Any]:
    """Staff let a held message into the room."""
    from moderation import audit

    if auth.user.role not in STAFF:
        raise Forbidden("Only staff can release held messages.")
    async with h.transaction() as tx:
        message = await _load_message(tx.session, auth, message_id)
        if message.held_at is None:
            raise Conflict("That message isn't held.", code="not_held")
        author = await _author(tx.session, message)
        await release_in(tx, message, author)
        audit.record(tx.session, auth.user, "release", target_kind="message", target_id=message.id,
                     target_pseudonym=author.pseudonym if author else None, room_id=message.room_id)
        return message_out(message, author, auth.user)


async def _load_message(session: AsyncSession, auth: Auth, message_id: object) -> Message:
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise NotFound()
    message = await session.get(Message, message_id)
    if message is None:
        raise NotFound()
    await access_room(session, auth, message.room_id)
    return message


async def _author(session: AsyncSession, message: Message) -> User | None:
    return await session.get(User, message.author_id) if message.author_id else None


async def _own_message(session: AsyncSession, auth: Auth, message_id: object) -> Message:
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise NotFound()
    message = await session.get(Message, message_id)
    if message is None:
        raise NotFound()
    await access_room(session, auth, message.room_id)
    if message.author_id != auth.user.id:
        raise Forbidden("You can only change your own messages.")
    if message.deleted_at is not None:
        raise NotFound("That message was removed.")
    return message


async def edit_message(h: Hearth, auth: Auth, message_id: object, body: object) -> dict[str, Any]:
    text = clean_body(body, max_chars=MAX_BODY)
    async with h.transaction() as tx:
        message = await _own_message(tx.session, auth, message_id)
        if message.body == text:
            tx.events.clear()
            return message_out(message, auth.user)
        room = await tx.session.get(Room, message.room_id)
        assert room is not None
        now = h.clock()
        new_account = await screening.gate(h, tx, auth, room=room, now=now, edit=True)
        place = "room" if room.kind == "topic" else "conversation"
        verdict = await screening.screen(h, auth.user, text, place=place, new_account=new_account, edit=True)
        seq = await _next_seq(tx.session, message.room_id)
        message.body, message.edited_at, message.version_seq = verdict.text, now, seq
        await moderate(h, tx, auth.user, room, message, message.edited_at)
        await screening.after_write(h, tx, verdict, author=auth.user, target_kind="message", target_id=message.id,
                                    place=place, room_id=room.id, thread_id=None, body=message.body, now=now)
        if message.held_at is not None:
            return message_out(message, auth.user, auth.user)  # still waiting for a moderator: nothing to tell the room
        return _emit_change(tx, "message_edited", message, auth.user, seq)


async def delete_message(h: Hearth, auth: Auth, message_id: object) -> dict[str, Any]:
    """Soft delete: the row stays so the conversation reads sensibly ("removed"),
    but the words are gone from the database at once."""
    async with h.transaction() as tx:
        message = await _own_message(tx.session, auth, message_id)
        seq = await _next_seq(tx.session, message.room_id)
        message.body, message.deleted_at, message.version_seq = "", h.clock(), seq
        return _emit_change(tx, "message_deleted", message, auth.user, seq)


def _positive_int(value: object, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise InvalidField(f"{name} must be a message id (a whole number).") from None
    if number < 0:
        raise InvalidField(f"{name} must not be negative.")
    return number


async def history(h: Hearth, auth: Auth, room_id: object, *, before: object = None, after: object = None,
                  limit: object = 50) -> list[dict[str, Any]]:
    """Newest first. `before`/`after` are message ids; ids rise in commit order within a room."""
    before_id, after_id = _positive_int(before, "before"), _positive_int(after, "after")
    count = _positive_int(limit, "limit")
    count = 50 if count is None else count
    if not 1 <= count <= HISTORY_LIMIT:
        raise InvalidField(f"limit must be between 1 and {HISTORY_LIMIT}.")
    async with h.db.read() as session:
        room = await access_room(session, auth, room_id)
        query = _with_authors().where(Message.room_id == room.id)
        if auth.user.role not in STAFF:
            query = query.where((Message.held_at.is_(None)) | (Message.author_id == auth.user.id))
        hidden = await blocked_ids(session, auth.user.id)
        if hidden:  # a blocked member's words are hidden from the blocker only
            query = query.where(or_(Message.author_id.is_(None), Message.author_id.not_in(hidden)))
        if before_id is not None:
            query = query.where(Message.id < before_id)
        if after_id is not None:
            query = query.where(Message.id > after_id)
        rows = list(await session.execute(query.order_by(Message.id.desc()).limit(count)))
        reactions = await counts_for(session, [m.id for m, _u in rows], auth.user.id)
        return [{**message_out(m, u, auth.user), "reactions": reactions.get(m.id, {"counts": {}, "mine": []})} for m, u in rows]


async def changes_since(h: Hearth, room_id: int, after_seq: int, limit: int = REPLAY_LIMIT + 1) -> tuple[Sequence[tuple[Message, User | None]], int]:
    """Every message created or changed after `after_seq`, in seq order, and the
    room's last seq. Read in one snapshot so the two agree."""
    async with h.db.read() as session:
        last_seq = await session.scalar(select(Room.last_seq).where(Room.id == room_id)) or 0
        rows = await session.execute(
            _with_authors()
            .where(Message.room_id == room_id, Message.version_seq > after_seq, Message.version_seq <= last_seq,
                   Message.held_at.is_(None))
            .order_by(Message.version_seq)
            .limit(limit)
        )
        return [(m, u) for m, u in rows], last_seq
