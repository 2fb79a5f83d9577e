from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Awaitable, Callable

# Called with (channel, payload) for every message on a subscribed channel,
# including the ones this process published itself.
MessageHandler = Callable[[str, bytes], None]
# Called after the broker was unreachable and is back: events may have been
# missed, so every subscriber re-reads what it missed from the database.
ReconnectHandler = Callable[[], Awaitable[None]]


class Broker(ABC):
    @abstractmethod
    async def start(self, on_message: MessageHandler, on_reconnect: ReconnectHandler) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def publish(self, channel: str, payload: bytes) -> None:
        """Best effort: the database holds the truth, so a lost publish is
        repaired by the receivers' gap detection, never by the sender."""

    @abstractmethod
    async def subscribe(self, channel: str) -> None: ...

    @abstractmethod
    async def unsubscribe(self, channel: str) -> None: ...

    @property
    @abstractmethod
    def healthy(self) -> bool: ...
