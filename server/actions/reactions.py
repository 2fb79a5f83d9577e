"""Support reactions on room messages: counts for everyone, names for no one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.accounts import Auth
from server.actions.rooms import access_room
from server.errors import InvalidField, NotFound
from server.models import Message, MessageReaction
from server.services import Hearth

KINDS = ("support", "relate", "proud", "hug")


async def counts_for(session: AsyncSession, message_ids: list[int], viewer_id: int) -> dict[int, dict[str, Any]]:
    """{message_id: {"counts": {kind: n}, "mine": [kinds]}} for the messages that have any."""
    if not message_ids:
        return {}
    out: dict[int, dict[str, Any]] = {}
    rows = await session.execute(
        select(MessageReaction.message_id, MessageReaction.kind, func.count())
        .where(MessageReaction.message_id.in_(message_ids)).group_by(MessageReaction.message_id, MessageReaction.kind))
    for message_id, kind, count in rows:
        out.setdefault(message_id, {"counts": {}, "mine": []})["counts"][kind] = count
    mine = await session.execute(select(MessageReaction.message_id, MessageReaction.kind).where(
        MessageReaction.message_id.in_(message_ids), MessageReaction.user_id == viewer_id))
    for message_id, kind in mine:
        out.setdefault(message_id, {"counts": {}, "mine": []})["mine"].append(kind)
    return out


async def react(h: Hearth, auth: Auth, message_id: object, kind: object, on: bool) -> dict[str, Any]:
    if kind not in KINDS:
        raise InvalidField(f"kind must be one of: {', '.join(KINDS)}.")
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise NotFound()
    try:
        async with h.transaction() as tx:
            message = await tx.session.get(Message, message_id)
            if message is None or message.deleted_at is not None or message.held_at is not None:
                raise NotFound()
            await access_room(tx.session, auth, message.room_id)
            if on:
                exists = await tx.session.get(MessageReaction, (message.id, auth.user.id, kind))
                if exists is None:
                    tx.session.add(MessageReaction(message_id=message.id, user_id=auth.user.id, kind=str(kind), created_at=h.clock()))
            else:
                await tx.session.execute(delete(MessageReaction).where(
                    MessageReaction.message_id == message.id, MessageReaction.user_id == auth.user.id, MessageReaction.kind == kind))
            await tx.session.flush()
            summary = (await counts_for(tx.session, [message.id], auth.user.id)).get(message.id, {"counts": {}, "mine": []})
            # No seq: reactions are not part of the message's history, just a live count.
            tx.emit(f"room:{message.room_id}", {"type": "reactions", "room_id": message.room_id, "message_id": message.id,
                                                "counts": summary["counts"]})
            return {"message_id": message.id, **summary}
    except IntegrityError:  # the same reaction from another tab at the same moment
        return await react(h, auth, message_id, kind, on)
