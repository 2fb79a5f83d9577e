"""The process-wide context every endpoint and action receives.

`transaction()` is the one door for state changes: the action writes inside
it and queues events with `emit`; the events are published only after the
commit succeeded, and a failed publish is logged, never undoing the write."""

from __future__ import annotations

import asyncio
import logging
import os
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from server import jsonutil, metrics
from server.accounts.passwords import Hasher
from server.broker import make_broker
from server.config import Settings
from server.db import Database
from server.hub import Hub
from server.models.base import utcnow
from server.ratelimit import RateLimits
from server.policy_cache import PolicyCache

log = logging.getLogger("hearth.services")


@dataclass
class Tx:
    session: AsyncSession
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    after_publish: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def emit(self, channel: str, event: dict[str, Any]) -> None:
        self.events.append((channel, event))

    def then(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run after commit and publication (e.g. record that an alert went out)."""
        self.after_publish.append(callback)


class Hearth:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings)
        self.broker = make_broker(settings.redis_url, settings.broker_prefix)
        self.hub = Hub(self.broker)
        self.hasher = Hasher.for_settings(settings)
        self.policy = PolicyCache()  # rows every message's checks read (server/policy_cache.py)
        from server.presence import Presence

        self.presence = Presence(self)
        self.limits = RateLimits(settings.redis_url, settings.broker_prefix)
        self.connections: set[Any] = set()  # open WebSocket sessions of this process
        self.clock: Callable[[], datetime] = utcnow  # tests move time by replacing this
        self.background: list[Any] = []  # tasks started with the process (the sweeper)
        # Nobody on call: rooms go slow and hold new accounts' posts. Kept fresh by the sweeper.
        self.unattended = False

    async def start(self) -> None:
        await self.hub.start()
        self.background.append(asyncio.create_task(metrics.watch_loop_lag()))
        if self.settings.is_sqlite:
            from server import search_index

            self.background.append(asyncio.create_task(self.db.checkpoints()))
            self.background.append(asyncio.create_task(search_index.keep_up(self), name=search_index.TASK_NAME))

    async def stop(self) -> None:
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)  # a write they were in has ended
        await self.hub.stop()
        await self.db.close()

    @asynccontextmanager
    async def transaction(self, urgent: Callable[[], bool] | None = None) -> AsyncIterator[Tx]:
        """`urgent`: might the words be a crisis? Such a write goes first at the write gate
        (`Database.write`) and large rooms' fan-outs wait for it (`Hub.urgent_first`)."""
        # Asked once, here: the gate then has its answer (a forum write's check is not cached).
        is_urgent = urgent is not None and urgent()
        # A possible crisis: large rooms' fan-outs wait until its alert is out (server/hub.py).
        with self.hub.urgent_first() if is_urgent else nullcontext():
            async with self.db.write((lambda: True) if is_urgent else None) as session:
                tx = Tx(session)
                yield tx
            if self.settings.fault_inject == "exit_after_flag_commit" and any(e.get("type") == "flag_raised" for _, e in tx.events):
                # Test-only fault: die in the window between commit and publish.
                log.error("fault injection: exiting after a flag commit, before publishing")
                os._exit(70)
            await self.publish_all(tx.events)
        for callback in tx.after_publish:
            try:
                await callback()
            except Exception:
                log.exception("after-publish step failed")

    async def publish_all(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        for channel, event in events:
            await self.publish(channel, event)

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        try:
            await self.broker.publish(channel, jsonutil.dumps_bytes(event))
        except Exception:
            metrics.publish_failures.inc()
            log.exception("publish failed on %s; receivers repair the gap from the database", channel.split(":")[0])
