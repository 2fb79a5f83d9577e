"""The rows every chat message's checks read, kept per process between messages.

Before a message is stored it is checked against the room (and, in a private
conversation, its membership), quiet meetings, the author's mutes and bans,
their trust override and the room's raid mode. Those rows change rarely but were
read on every message, each a round trip to the database (docs/performance.md).

The cache is exact, not eventually consistent: database triggers (migration
pol01) add one to `policy_epoch` in the same transaction as any change to those
tables, whichever process or command made it, and a write that uses the cache
first reads the epoch (one small statement instead of five). A changed epoch
empties the cache, so a mute or a ban applies to the very next message on every
process. Values are immutable snapshots, never ORM objects that code could change.
Anything time-dependent (a mute's end) is stored whole and judged at use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.sqlite_driver import HotStatement

T = TypeVar("T")
_SESSION_KEY = "policy_cache"
_READ_EPOCH = HotStatement(text("SELECT epoch FROM policy_epoch WHERE id = 1"), plain_read=True)
MAX_ENTRIES = 50_000  # far above a busy process's rooms + active authors; a bound against growth


class PolicyCache:
    def __init__(self) -> None:
        self._epoch: int | None = None
        self._values: dict[Hashable, Any] = {}
        self.hits = 0
        self.misses = 0

    async def use(self, session: AsyncSession) -> None:
        """Read the epoch in this transaction and let the cached loaders below
        answer from memory for the rest of it."""
        epoch = await _READ_EPOCH.scalar(session)  # every message runs it
        if epoch is None:  # no epoch row (a database emptied by hand): read everything
            return
        if self._epoch is None or epoch > self._epoch:
            self._values.clear()
            self._epoch = epoch
        if epoch == self._epoch:  # a transaction that read an older epoch reads everything
            session.info[_SESSION_KEY] = (self, epoch)

    async def answer(self, epoch: int, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        if self._epoch == epoch and key in self._values:
            self.hits += 1
            return self._values[key]  # type: ignore[no-any-return]
        value = await load()
        self.misses += 1
        # Another transaction may have seen a newer epoch meanwhile (PostgreSQL runs
        # writes side by side): then what this one read may be stale, so keep it out.
        if self._epoch == epoch:
            if len(self._values) >= MAX_ENTRIES:
                self._values.clear()
            self._values[key] = value
        return value


async def cached(session: AsyncSession, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
    """`load()`'s value, from the cache when this transaction has validated it."""
    entry: tuple[PolicyCache, int] | None = session.info.get(_SESSION_KEY)
    if entry is None:
        return await load()
    cache, epoch = entry
    return await cache.answer(epoch, key, load)
