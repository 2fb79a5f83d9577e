"""Frame handlers by `type`. Each feature area keeps its handlers in its own
module here and lists them in its HANDLERS dict; this index merges them."""

from __future__ import annotations

from server.ws_handlers import conversations, forum, meetings, rooms
from server.ws_handlers.base import Handler

_ALL: dict[str, Handler] = {}
for _module in (rooms, conversations, meetings, forum):
    for _name, _handler in _module.HANDLERS.items():
        assert _name not in _ALL, f"frame type {_name!r} is handled twice"
        _ALL[_name] = _handler


from server.metrics import KNOWN_FRAME_TYPES  # noqa: E402

KNOWN_FRAME_TYPES.update(_ALL)


FRAME_TYPES = frozenset(_ALL)  # every client -> server frame type (docs/protocol.md lists them)


def handler_for(frame_type: object) -> Handler | None:
    return _ALL.get(frame_type) if isinstance(frame_type, str) else None
