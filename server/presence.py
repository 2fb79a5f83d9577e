"""Live member counts per room — counts, never names — across processes.

Each process publishes how many distinct members follow each room on its own
sockets every few seconds; every process sums the fresh reports it heard
(its own included, through the broker)."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import TYPE_CHECKING

from server.hub import Delivery

if TYPE_CHECKING:
    from server.services import Hearth

log = logging.getLogger("hearth.presence")
INTERVAL = 5.0
CHANNEL = "presence"


class Presence:
    def __init__(self, h: "Hearth") -> None:
        self.h = h
        self.process_id = secrets.token_hex(6)
        self.reports: dict[str, tuple[float, dict[int, int]]] = {}

    def local_counts(self) -> dict[int, int]:
        members: dict[int, set[int]] = {}
        for connection in self.h.connections:
            for room_id in connection.cursors:
                members.setdefault(room_id, set()).add(connection.auth.user.id)
        return {room_id: len(users) for room_id, users in members.items()}

    # Hub subscriber protocol
    def deliver(self, delivery: Delivery) -> None:
        event = delivery.event
        counts = event.get("counts")
        if isinstance(event.get("process"), str) and isinstance(counts, dict):
            self.reports[event["process"]] = (time.monotonic(), {int(k): int(v) for k, v in counts.items()})

    def resync(self) -> None:
        pass  # the next report from each process repairs the counts

    def online(self) -> dict[int, int]:
        fresh_after = time.monotonic() - 3 * INTERVAL
        total: dict[int, int] = {}
        for seen, counts in self.reports.values():
            if seen >= fresh_after:
                for room_id, count in counts.items():
                    total[room_id] = total.get(room_id, 0) + count
        return total

    async def run(self) -> None:
        await self.h.hub.subscribe(CHANNEL, self)
        while True:
            try:
                counts = {str(k): v for k, v in self.local_counts().items()}
                await self.h.publish(CHANNEL, {"type": "presence", "process": self.process_id, "counts": counts})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("presence report failed")
            await asyncio.sleep(INTERVAL)
