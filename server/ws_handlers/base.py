from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable

from server.errors import InvalidField

if TYPE_CHECKING:
    from server.ws import Connection

Handler = Callable[["Connection", dict[str, Any], object], Awaitable[None]]


def reply(frame: dict[str, Any], ref: object) -> dict[str, Any]:
    """A reply echoes the request's `ref` so the client can match it."""
    if ref is not None:
        frame["ref"] = ref
    return frame


def int_field(frame: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = frame.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidField(f"{name} must be a whole number.")
    return value
