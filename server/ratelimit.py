"""Per-member rate limits for any feature area, backed by the `limits` library.

One process keeps its windows in memory; with HEARTH_REDIS_URL set the windows
live in Redis, so a member gets the same allowance whichever process answers.
Limits come from settings (an operator can raise them or turn one 'off').

Use: `await h.limits.check("forum_reply", h.settings.forum_reply_rate, user_id)`
raises `RateLimited` (429 with Retry-After) once the member is over any window."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.storage import storage_from_string
from limits.aio.strategies import MovingWindowRateLimiter

from server.errors import RateLimited

log = logging.getLogger("hearth.ratelimit")

DEFAULT_DETAIL = "You're posting faster than Hearth allows. Please take a breath and try again in a little while."


def address_key(secret: str, address: str) -> str:
    """What a network address becomes before it reaches a limiter: a keyed hash,
    so not even Redis holds the address itself, and it lives only for the window."""
    return "a" + hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


class RateLimits:
    def __init__(self, redis_url: str | None, prefix: str) -> None:
        self._storage: Storage = self._make_storage(redis_url, prefix)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._parsed: dict[str, list[RateLimitItem]] = {}

    @staticmethod
    def _make_storage(redis_url: str | None, prefix: str) -> Storage:
        if not redis_url:
            return MemoryStorage()
        uri = "async+redis+unix://" + redis_url[len("unix://"):] if redis_url.startswith("unix://") else "async+" + redis_url
        return storage_from_string(uri, implementation="redispy", key_prefix=f"{prefix}:limits")

    def _items(self, spec: str) -> list[RateLimitItem]:
        items = self._parsed.get(spec)
        if items is None:
            items = self._parsed[spec] = parse_many(spec)
        return items

    async def check(self, name: str, spec: str, who: int | str, *, detail: str | None = None) -> None:
        """Count one action by `who` under the limit `name`; raise RateLimited when over.
        An empty spec means no limit. A storage outage lets the action through
        (logged): we never lose a member's post because a counter is unreachable."""
        if not spec:
            return
        key = str(who)
        items = self._items(spec)
        try:
            # Test every window first so a refusal by one window uses up none of the others.
            for item in items:
                if not await self._limiter.test(item, name, key):
                    stats = await self._limiter.get_window_stats(item, name, key)
                    raise RateLimited(max(1, math.ceil(stats.reset_time - time.time())), detail or DEFAULT_DETAIL)
            for item in items:
                await self._limiter.hit(item, name, key)
        except RateLimited:
            raise
        except Exception:
            log.exception("rate-limit storage unavailable; letting %s through", name)

    # Counting only failures (log-in throttling): ask first, count afterwards.
    async def retry_after(self, name: str, spec: str, who: int | str) -> int | None:
        """Seconds until `who` may try again under `name`, or None when allowed now."""
        if not spec:
            return None
        try:
            for item in self._items(spec):
                if not await self._limiter.test(item, name, str(who)):
                    stats = await self._limiter.get_window_stats(item, name, str(who))
                    return max(1, math.ceil(stats.reset_time - time.time()))
        except Exception:
            log.exception("rate-limit storage unavailable; letting %s through", name)
        return None

    async def hit(self, name: str, spec: str, who: int | str) -> None:
        """Count one event against every window of `spec`."""
        if not spec:
            return
        try:
            for item in self._items(spec):
                await self._limiter.hit(item, name, str(who))
        except Exception:
            log.exception("rate-limit storage unavailable; %s not counted", name)

    async def clear(self, name: str, spec: str, who: int | str) -> None:
        if not spec:
            return
        try:
            for item in self._items(spec):
                await self._limiter.clear(item, name, str(who))
        except Exception:
            log.exception("rate-limit storage unavailable; %s not cleared", name)
