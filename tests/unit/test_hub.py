"""The hub's fan-out: since sockets are written from inside it (server/ws.py),
each subscriber is shielded from the others."""

from __future__ import annotations

from server.broker import MemoryBroker
from server.hub import Delivery, Hub


async def test_one_subscriber_failing_does_not_cost_the_others_their_event() -> None:
    class Broken:
        def deliver(self, delivery: Delivery) -> None:
            raise RuntimeError("this socket's write blew up")

        def resync(self) -> None: ...

    class Listening:
        def __init__(self) -> None:
            self.got: list[dict[str, object]] = []

        def deliver(self, delivery: Delivery) -> None:
            self.got.append(delivery.event)

        def resync(self) -> None: ...

    hub = Hub(MemoryBroker())
    await hub.start()
    listening = [Listening() for _ in range(20)]
    for subscriber in (*listening[:10], Broken(), *listening[10:]):  # wherever the set puts it, others follow it
        await hub.subscribe("room:1", subscriber)
    await hub.broker.publish("room:1", b'{"type": "message", "room_id": 1, "seq": 1}')
    assert all(s.got == [{"type": "message", "room_id": 1, "seq": 1}] for s in listening)
    await hub.stop()
