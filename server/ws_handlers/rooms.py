"""Frames for topic rooms: join, leave, send, edit, delete, ping."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from server import metrics
from server.actions import messages, reactions, rooms
from server.errors import BadRequest, NotFound
from server.ws_handlers.base import Handler, int_field, reply

if TYPE_CHECKING:
    from server.ws import Connection

MAX_ROOMS_PER_SOCKET = 50


async def join(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    room_id = int_field(frame, "room_id")
    after_seq = int_field(frame, "after_seq", required=False)
    room = await rooms.get_room(conn.h, conn.auth, room_id)
    if room.id not in conn.cursors and len(conn.cursors) >= MAX_ROOMS_PER_SOCKET:
        raise BadRequest(f"One connection can follow at most {MAX_ROOMS_PER_SOCKET} rooms.", code="too_many_rooms")
    if room.kind == "topic":  # taking part in a room; a private conversation has its own members
        await rooms.remember_join(conn.h, conn.auth, room.id, room.last_seq)
    # Subscribe first, then replay from the database: nothing falls between the two.
    await conn.h.hub.subscribe(f"room:{room.id}", conn)
    conn.send_frame(reply({"type": "joined", "room": rooms.room_out(room), "unattended": conn.h.unattended}, ref))
    if after_seq is not None:
        conn.cursors[room.id] = min(after_seq, room.last_seq)
    else:
        conn.cursors.setdefault(room.id, room.last_seq)
    # Replays what changed after the cursor, including anything stored between
    # reading the room and subscribing.
    conn.enqueue_resync(room.id)


async def leave(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    room_id = int_field(frame, "room_id")
    if room_id not in conn.cursors:
        raise NotFound("You are not in that room.")
    del conn.cursors[room_id]
    await conn.h.hub.unsubscribe(f"room:{room_id}", conn)
    conn.send_frame(reply({"type": "left", "room_id": room_id}, ref))


async def send(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    started = time.perf_counter()
    message, created = await messages.send_message(conn.h, conn.auth, frame.get("room_id"), frame.get("body"), frame.get("client_id"),
                                                   frame.get("reply_to"))
    metrics.send_seconds.observe(time.perf_counter() - started)
    conn.send_frame(reply({"type": "ack", "client_id": message["client_id"], "duplicate": not created, "message": message}, ref))


async def edit(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    message = await messages.edit_message(conn.h, conn.auth, frame.get("message_id"), frame.get("body"))
    conn.send_frame(reply({"type": "edited", "message": message}, ref))


async def delete(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    message = await messages.delete_message(conn.h, conn.auth, frame.get("message_id"))
    conn.send_frame(reply({"type": "deleted", "message": message}, ref))


async def react(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    on = frame.get("on", True)
    summary = await reactions.react(conn.h, conn.auth, frame.get("message_id"), frame.get("kind"), on is not False)
    conn.send_frame(reply({"type": "reacted", **summary}, ref))


async def read(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    seq = await rooms.mark_read(conn.h, conn.auth, frame.get("room_id"), frame.get("seq"))
    conn.send_frame(reply({"type": "read_marked", "room_id": frame.get("room_id"), "seq": seq}, ref))


async def ping(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    conn.send_frame(reply({"type": "pong"}, ref))


HANDLERS: dict[str, Handler] = {"join": join, "leave": leave, "send": send, "edit": edit, "delete": delete, "ping": ping,
                                "react": react, "read": read}
