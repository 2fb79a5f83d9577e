"""The broker across processes, on Redis pub/sub.

Redis pub/sub keeps nothing: a message published while a process is cut off
is gone. That is fine here because the database is the truth: after an
outage every subscriber re-reads what it missed (`on_reconnect`)."""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from server.broker.base import Broker, MessageHandler, ReconnectHandler

log = logging.getLogger("hearth.broker.redis")

SUBSCRIBE_TIMEOUT = 5.0
MAX_BACKOFF = 5.0
PROBE_EVERY = 1.0  # while a publish has failed but the listener saw nothing wrong


class RedisBroker(Broker):
    def __init__(self, url: str, prefix: str = "hearth") -> None:
        self._url = url
        # Redis pub/sub ignores database numbers: the prefix keeps deployments
        # (and test runs) that share one Redis apart.
        self._prefix = prefix + ":"
        self._client: aioredis.Redis | None = None
        self._pubsub: aioredis.client.PubSub | None = None
        self._channels: set[str] = set()
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._on_message: MessageHandler | None = None
        self._on_reconnect: ReconnectHandler | None = None
        self._healthy = False
        self._connected = asyncio.Event()

    async def start(self, on_message: MessageHandler, on_reconnect: ReconnectHandler) -> None:
        self._on_message, self._on_reconnect = on_message, on_reconnect
        self._client = aioredis.from_url(self._url, socket_connect_timeout=2, health_check_interval=10)
        self._listener = asyncio.create_task(self._listen(), name="redis-broker")
        try:
            await asyncio.wait_for(self._connected.wait(), 10)
        except asyncio.TimeoutError:
            log.error("Redis is not answering yet; chat across processes resumes when it does")

    async def stop(self) -> None:
        if self._listener:
            self._listener.cancel()
            try:
                await self._listener
            except (asyncio.CancelledError, Exception):
                pass
        if self._pubsub is not None:
            try:
                await self._pubsub.aclose()
            except Exception:
                pass
        if self._client is not None:
            await self._client.aclose()
        self._healthy = False

    async def publish(self, channel: str, payload: bytes) -> None:
        assert self._client is not None, "broker not started"
        try:
            await self._client.publish(self._prefix + channel, payload)
        except (RedisError, OSError):
            self._healthy = False
            raise

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        if self._pubsub is None or not self._healthy:
            return  # subscribed on reconnect
        waiter = self._confirmations.setdefault(channel, asyncio.get_running_loop().create_future())
        try:
            await self._pubsub.subscribe(self._prefix + channel)
            # Wait until Redis confirms: only then are publishes to it delivered,
            # which the caller's database replay relies on.
            await asyncio.wait_for(asyncio.shield(waiter), SUBSCRIBE_TIMEOUT)
        except (RedisError, OSError, asyncio.TimeoutError):
            log.warning("subscribe not confirmed; it is repeated when Redis is back")
        finally:
            if waiter.done():
                self._confirmations.pop(channel, None)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        if self._pubsub is not None and self._healthy:
            try:
                await self._pubsub.unsubscribe(self._prefix + channel)
            except (RedisError, OSError):
                pass

    @property
    def healthy(self) -> bool:
        return self._healthy

    async def _listen(self) -> None:
        backoff = 0.1
        first = True
        while True:
            try:
                assert self._client is not None
                self._pubsub = self._client.pubsub()
                await self._pubsub.ping()  # forces the connection now
                if self._channels:
                    await self._pubsub.subscribe(*(self._prefix + c for c in self._channels))
                self._healthy = True
                self._connected.set()
                if not first:
                    log.warning("Redis is back; resyncing every open socket from the database")
                    if self._on_reconnect:
                        await self._on_reconnect()
                first, backoff = False, 0.1
                await self._read_forever()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as error:
                if self._healthy or first:
                    log.error("lost the Redis connection (%s); retrying with back-off", type(error).__name__)
                self._healthy = False
                first = False
                if self._pubsub is not None:
                    try:
                        await self._pubsub.aclose()
                    except Exception:
                        pass
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    async def _read_forever(self) -> None:
        assert self._pubsub is not None
        probed = 0.0
        while True:
            if not self._healthy and asyncio.get_running_loop().time() - probed >= PROBE_EVERY:
                probed = asyncio.get_running_loop().time()
                await self._prove_link()
            message = await self._pubsub.get_message(ignore_subscribe_messages=False, timeout=1.0)
            if message is None or message["channel"] is None:  # e.g. the pong of our ping
                continue
            channel = message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
            channel = channel[len(self._prefix):]
            kind = message["type"]
            if kind == "message":
                if self._on_message is not None:
                    try:
                        self._on_message(channel, message["data"])
                    except Exception:
                        log.exception("event handler failed")
            elif kind == "subscribe":
                waiter = self._confirmations.get(channel)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)

    async def _prove_link(self) -> None:
        """A publish failed while this listener's own connection raised nothing (it can sit
        on a socket that died during a Redis restart): a ping raises on a dead link, and the
        listener redials; if it holds, the broker is healthy again. Either way every socket
        resyncs, since events may have been lost meanwhile."""
        assert self._pubsub is not None
        await self._pubsub.ping()
        self._healthy = True
        log.warning("Redis answers again; resyncing every open socket from the database")
        if self._on_reconnect:
            await self._on_reconnect()
