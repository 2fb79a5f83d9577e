"""Run a coroutine's first step at once, in the caller, and hand it to a task
only if it has to wait.

Writing one frame to a socket whose buffer has room never waits, so a room
event reaches every idle connection inside the hub's own loop instead of waking
one task per recipient (docs/performance.md). Python 3.12's eager tasks do the
same; this is the 3.11 form, kept to the few lines it needs."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any


def start_now(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any] | None:
    """None when `coro` finished without waiting, else the task that finishes it.
    An exception raised before its first wait goes to the caller."""
    try:
        awaited = coro.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_finish(_Resumed(coro, awaited)))


async def _finish(resumed: _Resumed) -> Any:
    return await resumed


class _Resumed:
    """Continues a coroutine that already yielded `awaited`, as a Task would have."""

    __slots__ = ("coro", "awaited")

    def __init__(self, coro: Coroutine[Any, Any, Any], awaited: Any) -> None:
        self.coro = coro
        self.awaited = awaited

    def __await__(self) -> Generator[Any, None, Any]:
        coro, awaited = self.coro, self.awaited
        while True:
            try:
                yield awaited  # the task waits on the very future the coroutine yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as error:  # cancellation or the future's failure goes in
                step, value = coro.throw, error
            else:
                step, value = coro.send, None
            try:
                awaited = step(value)  # type: ignore[operator]
            except StopIteration as done:
                return done.value
