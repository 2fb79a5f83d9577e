"""@mentions in room messages: the mentioned member hears that they were
mentioned (ids only, never the words: a notification may show on a shared
screen), if they take part in the room and have not blocked the author."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select

from server.accounts.pseudonyms import pseudonym_key
from server.models import Block, Message, RoomMember, User
from server.services import Tx

if TYPE_CHECKING:
    from server.actions.messages import NewMessage

MENTION = re.compile(r"(?<![\w@])@([^\W_][\w.\-]{1,23})", re.UNICODE)
MAX_MENTIONS = 5


def mentioned_keys(body: str) -> list[str]:
    keys: list[str] = []
    for match in MENTION.finditer(body):
        key = pseudonym_key(match.group(1).rstrip(".-"))
        if key not in keys:
            keys.append(key)
    return keys[:MAX_MENTIONS]


async def notify_mentions(tx: Tx, author: User, message: Message | NewMessage) -> None:
    keys = mentioned_keys(message.body)
    if not keys:
        return
    blockers = select(Block.blocker_id).where(Block.blocked_id == author.id)
    targets = await tx.session.scalars(
        select(User.id).join(RoomMember, (RoomMember.user_id == User.id) & (RoomMember.room_id == message.room_id))
        .where(User.pseudonym_key.in_(keys), User.id != author.id, User.id.not_in(blockers)))
    for user_id in targets:
        tx.emit(f"user:{user_id}", {"type": "mention", "room_id": message.room_id, "message_id": message.id})
