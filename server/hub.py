"""Routes broker messages to this process's WebSocket connections.

Each event is parsed once and its encoded text is shared by every recipient:
fan-out costs one queue put per connection, not one JSON encode."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from datetime import datetime, timezone

from server import jsonutil, metrics
from server.broker import Broker

log = logging.getLogger("hearth.hub")


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

    async def start(self) -> None:
        await self.broker.start(self._on_message, self._on_reconnect)

    async def stop(self) -> None:
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
