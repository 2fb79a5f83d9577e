"""The Redis broker finds its way back to healthy even when its listener never saw the outage."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from server.broker.redis import RedisBroker
from tests.support import configured_redis_url


@pytest.mark.skipif(not configured_redis_url(), reason="needs HEARTH_TEST_REDIS_URL (CI's PostgreSQL + Redis pass)")
async def test_a_failed_publish_the_listener_did_not_notice_is_proved_and_healed() -> None:
    resyncs: list[str] = []

    async def on_reconnect() -> None:
        resyncs.append("resync")

    broker = RedisBroker(str(configured_redis_url()), "unit-" + uuid.uuid4().hex[:8])
    await broker.start(lambda channel, payload: None, on_reconnect)
    try:
        await broker.subscribe("room:1")
        assert broker.healthy
        broker._healthy = False  # what a failed publish leaves while the listener's own socket looked fine
        for _ in range(60):
            if broker.healthy:
                break
            await asyncio.sleep(0.1)
        assert broker.healthy and resyncs == ["resync"]  # back, and every socket told to catch up
    finally:
        await broker.stop()
