"""Frames for private conversations. Messages use the room frames (`join`,
`send`, `edit`, `delete`) with the conversation's id as `room_id`; only the
typing indicator is new."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from server.actions import conversations
from server.ws_handlers.base import Handler, int_field, reply

if TYPE_CHECKING:
    from server.ws import Connection

TYPING_EVERY_SECONDS = 2.0  # one indicator per conversation per socket in this window; the rest are dropped
_last_typing: WeakKeyDictionary[Any, dict[int, float]] = WeakKeyDictionary()


async def typing(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    room_id = int_field(frame, "room_id")
    assert room_id is not None
    now = time.monotonic()
    seen = _last_typing.setdefault(conn, {})
    if now - seen.get(room_id, -TYPING_EVERY_SECONDS) >= TYPING_EVERY_SECONDS:
        await conversations.typing(conn.h, conn.auth, room_id)
        seen[room_id] = now
    if ref is not None:
        conn.send_frame(reply({"type": "typing_ok", "room_id": room_id}, ref))


HANDLERS: dict[str, Handler] = {"typing": typing}
