"""Routes broker messages to this process's WebSocket connections.

Each event is parsed once and its encoded text is shared by every recipient:
fan-out costs one queue put per connection, not one JSON encode.

A large room's event (LARGE_FANOUT recipients or more) waits its turn in the
fan-out lane, which hands out one event per turn of the event loop: a fan-out
to 1,000 sockets is ~25-35 ms of one core, and several of them back to back
(a commit group's writes all publish at once) kept the loop from reading a
crisis message for as long. While an urgent write runs (a message whose words
alone the crisis detector rates high: `urgent_first`), the lane waits, so the
write and its alert to the specialists never queue behind the room's chat; it
waits URGENT_HOLD_MOST at most. Events of one channel keep their order."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Protocol

from datetime import datetime, timezone

from server import jsonutil, metrics
from server.broker import Broker

log = logging.getLogger("hearth.hub")

LARGE_FANOUT = 200  # recipients from which an event waits its turn in the lane
# Seconds the lane waits for urgent writes, however many follow each other: a crisis
# write that takes longer has missed its 100 ms target anyway, and the room's chat
# should not wait on.
URGENT_HOLD_MOST = 0.1


@dataclass(slots=True)
class Delivery:
    channel: str
    event: dict[str, object]
    text: str
    frame: bytes | None = None  # the WebSocket frame, encoded by the first socket that writes it raw
    # Recipients who got `frame` straight away: counted into the metrics once per event,
    # not twice per recipient (a metric's increment takes a lock each time).
    prepared_writes: int = 0


class Subscriber(Protocol):
    def deliver(self, delivery: Delivery) -> None: ...

    def resync(self) -> None: ...


class Hub:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._all: set[Subscriber] = set()
        self._lane: deque[tuple[str, bytes]] = deque()
        self._in_lane: Counter[str] = Counter()  # each channel's events in the lane: later ones follow them
        self._lane_turn: asyncio.Handle | None = None
        self._urgent = 0  # urgent writes under way
        self._held_since = 0.0

    async def start(self) -> None:
        await self.broker.start(self._on_message, self._on_reconnect)

    async def stop(self) -> None:
        if self._lane_turn is not None:
            self._lane_turn.cancel()
            self._lane_turn = None
        await self.broker.stop()

    def register(self, subscriber: Subscriber) -> None:
        self._all.add(subscriber)

    async def subscribe(self, channel: str, subscriber: Subscriber) -> None:
        listeners = self._subscribers.get(channel)
        if listeners is None:
            listeners = self._subscribers[channel] = set()
            await self.broker.subscribe(channel)
        listeners.add(subscriber)

    async def unsubscribe(self, channel: str, subscriber: Subscriber) -> None:
        listeners = self._subscribers.get(channel)
        if listeners is None:
            return
        listeners.discard(subscriber)
        if not listeners:
            del self._subscribers[channel]
            await self.broker.unsubscribe(channel)

    async def unsubscribe_all(self, subscriber: Subscriber) -> None:
        self._all.discard(subscriber)
        for channel in [c for c, subs in self._subscribers.items() if subscriber in subs]:
            await self.unsubscribe(channel, subscriber)

    def local_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    def _on_message(self, channel: str, payload: bytes) -> None:
        listeners = self._subscribers.get(channel)
        if not listeners:
            return
        if len(listeners) >= LARGE_FANOUT or self._in_lane[channel]:
            self._lane.append((channel, payload))
            self._in_lane[channel] += 1
            self._next_turn()
            return
        self._fan_out(channel, payload, listeners)

    @contextmanager
    def urgent_first(self) -> Iterator[None]:
        """The lane waits while this block runs: an urgent write, up to its publish."""
        if not self._urgent:
            self._held_since = time.monotonic()
        self._urgent += 1
        try:
            yield
        finally:
            self._urgent -= 1
            if not self._urgent and self._lane_turn is not None:
                self._lane_turn.cancel()  # a turn put off for the hold: now
                self._lane_turn = None
                self._next_turn()

    def lane_depth(self) -> int:
        return len(self._lane)

    def _next_turn(self) -> None:
        if self._lane_turn is None and self._lane:
            self._lane_turn = asyncio.get_running_loop().call_soon(self._take_turn)

    def _take_turn(self) -> None:
        self._lane_turn = None
        hold_left = self._held_since + URGENT_HOLD_MOST - time.monotonic()
        if self._urgent and hold_left > 0:  # `urgent_first` brings the turn forward when it ends
            self._lane_turn = asyncio.get_running_loop().call_later(hold_left, self._take_turn)
            return
        channel, payload = self._lane.popleft()
        self._in_lane[channel] -= 1
        if not self._in_lane[channel]:
            del self._in_lane[channel]
        listeners = self._subscribers.get(channel)
        if listeners:
            self._fan_out(channel, payload, listeners)
        self._next_turn()

    def _fan_out(self, channel: str, payload: bytes, listeners: set[Subscriber]) -> None:
        try:
            event = jsonutil.loads(payload)
        except jsonutil.JSONDecodeError:
            log.error("dropped an undecodable event on %s", channel)
            return
        delivery = Delivery(channel, event, payload.decode())
        for subscriber in tuple(listeners):
            try:
                subscriber.deliver(delivery)  # may write to the socket at once (server/ws.py)
            except Exception:  # one broken subscriber never costs the others their event
                log.exception("a subscriber failed to take an event on %s", channel.split(":")[0])
        if delivery.prepared_writes:
            metrics.frames_out.inc(delivery.prepared_writes)
            metrics.frames_prepared.inc(delivery.prepared_writes)
        metrics.fanout_recipients.observe(len(listeners))
        if event.get("type") == "message" and isinstance(event.get("message"), dict):
            _observe_lag(event["message"].get("created_at"))

    async def _on_reconnect(self) -> None:
        for subscriber in tuple(self._all):
            subscriber.resync()


def _observe_lag(created_at: object) -> None:
    if isinstance(created_at, str):
        try:
            lag = (datetime.now(timezone.utc) - datetime.fromisoformat(created_at)).total_seconds()
        except ValueError:
            return
        metrics.broker_lag.observe(max(0.0, lag))
