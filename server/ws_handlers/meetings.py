"""Meeting mode frames: open/close (host), raise/lower hand, give/end the floor, state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.actions import meeting_mode
from server.ws_handlers.base import Handler, int_field, reply

if TYPE_CHECKING:
    from server.ws import Connection


def _state(frame_type: str, state: dict[str, Any], ref: object) -> dict[str, Any]:
    return reply({"type": frame_type, "state": state}, ref)


async def meeting_state(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    state = await meeting_mode.get_state(conn.h, conn.auth, int_field(frame, "meeting_id"))
    conn.send_frame(_state("meeting_state", state, ref))


async def meeting_open(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    state = await meeting_mode.open_meeting(conn.h, conn.auth, int_field(frame, "meeting_id"), frame.get("quiet", False))
    conn.send_frame(_state("meeting_opened", state, ref))


async def meeting_close(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    state = await meeting_mode.close_meeting(conn.h, conn.auth, int_field(frame, "meeting_id"))
    conn.send_frame(_state("meeting_closed", state, ref))


async def hand_raise(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    state = await meeting_mode.raise_hand(conn.h, conn.auth, int_field(frame, "meeting_id"))
    conn.send_frame(_state("hand_raised", state, ref))


async def hand_lower(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    state = await meeting_mode.lower_hand(conn.h, conn.auth, int_field(frame, "meeting_id"), int_field(frame, "user_id", required=False))
    conn.send_frame(_state("hand_lowered", state, ref))


async def floor_give(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    state = await meeting_mode.give_floor(conn.h, conn.auth, int_field(frame, "meeting_id"), int_field(frame, "user_id", required=False))
    conn.send_frame(_state("floor_given", state, ref))


async def floor_end(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    state = await meeting_mode.end_floor(conn.h, conn.auth, int_field(frame, "meeting_id"))
    conn.send_frame(_state("floor_ended", state, ref))


HANDLERS: dict[str, Handler] = {
    "meeting_state": meeting_state, "meeting_open": meeting_open, "meeting_close": meeting_close,
    "hand_raise": hand_raise, "hand_lower": hand_lower, "floor_give": floor_give, "floor_end": floor_end,
}
