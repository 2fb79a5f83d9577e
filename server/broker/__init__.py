"""Publish/subscribe between server processes.

`Broker` is the seam: the in-process broker serves one process with no set-up;
the Redis broker is a second implementation of the same six methods."""

from server.broker.base import Broker, MessageHandler
from server.broker.memory import MemoryBroker


def make_broker(redis_url: str | None, prefix: str = "hearth") -> Broker:
    if redis_url:
        from server.broker.redis import RedisBroker

        return RedisBroker(redis_url, prefix)
    return MemoryBroker()


__all__ = ["Broker", "MemoryBroker", "MessageHandler", "make_broker"]
