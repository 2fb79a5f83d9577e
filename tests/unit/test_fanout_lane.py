"""The hub's fan-out lane (server/hub.py): a large room's events go out one per
turn of the event loop, in order, and wait while an urgent write (a possible
crisis) is under way, so its alert never queues behind the room's chat."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from moderation import oncall
from server import hub as hub_module
from server.actions import messages
from server.broker import MemoryBroker
from server.hub import LARGE_FANOUT, Delivery, Hub
from server.services import Hearth
from tests.unit.test_crisis_flags import IMMINENT, member


class Listener:
    def __init__(self) -> None:
        self.got: list[Any] = []

    def deliver(self, delivery: Delivery) -> None:
        self.got.append(delivery.event.get("n", delivery.event.get("type")))

    def resync(self) -> None: ...


async def _hub_with(channels: dict[str, int]) -> tuple[Hub, dict[str, list[Listener]]]:
    hub = Hub(MemoryBroker())
    await hub.start()
    listeners: dict[str, list[Listener]] = {}
    for channel, count in channels.items():
        listeners[channel] = [Listener() for _ in range(count)]
        for listener in listeners[channel]:
            await hub.subscribe(channel, listener)
    return hub, listeners


def _event(n: int) -> bytes:
    return b'{"type": "message", "n": %d}' % n


async def test_a_large_rooms_events_go_out_one_per_turn_in_their_order() -> None:
    hub, listeners = await _hub_with({"room:1": LARGE_FANOUT})
    for n in range(3):
        await hub.broker.publish("room:1", _event(n))
    assert all(l.got == [] for l in listeners["room:1"])  # none written from inside the publisher
    seen = []
    for _ in range(6):
        await asyncio.sleep(0)
        seen.append(len(listeners["room:1"][0].got))
    assert seen[:4] == [1, 2, 3, 3]
    assert all(l.got == [0, 1, 2] for l in listeners["room:1"])
    await hub.stop()


async def test_small_channels_never_wait_behind_the_lane() -> None:
    hub, listeners = await _hub_with({"room:1": LARGE_FANOUT, "oncall": 2})
    await hub.broker.publish("room:1", _event(1))
    await hub.broker.publish("oncall", b'{"type": "flag_raised"}')
    assert [l.got for l in listeners["oncall"]] == [["flag_raised"], ["flag_raised"]]
    assert hub.lane_depth() == 1
    await hub.stop()


async def test_a_channel_with_events_in_the_lane_keeps_its_order_when_it_shrinks() -> None:
    hub, listeners = await _hub_with({"room:1": LARGE_FANOUT})
    await hub.broker.publish("room:1", _event(1))
    for listener in listeners["room:1"][5:]:
        await hub.unsubscribe("room:1", listener)  # now a small room, with an event still waiting
    await hub.broker.publish("room:1", _event(2))
    assert listeners["room:1"][0].got == []
    for _ in range(3):
        await asyncio.sleep(0)
    assert all(l.got == [1, 2] for l in listeners["room:1"][:5])
    await hub.stop()


async def test_the_lane_waits_while_an_urgent_write_runs() -> None:
    hub, listeners = await _hub_with({"room:1": LARGE_FANOUT, "oncall": 1})
    with hub.urgent_first():
        await hub.broker.publish("room:1", _event(1))
        for _ in range(5):
            await asyncio.sleep(0)
        assert listeners["room:1"][0].got == []
        await hub.broker.publish("oncall", b'{"type": "flag_raised"}')
        assert listeners["oncall"][0].got == ["flag_raised"]
    await asyncio.sleep(0)
    assert all(l.got == [1] for l in listeners["room:1"])
    await hub.stop()


async def test_the_lane_waits_no_longer_than_the_longest_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_module, "URGENT_HOLD_MOST", 0.05)
    hub, listeners = await _hub_with({"room:1": LARGE_FANOUT})
    with hub.urgent_first():  # never ends while the room waits: the room is not starved
        await hub.broker.publish("room:1", _event(1))
        await asyncio.sleep(0.02)
        assert listeners["room:1"][0].got == []
        await asyncio.sleep(0.1)
        assert all(l.got == [1] for l in listeners["room:1"])
    await hub.stop()


async def test_a_crisis_message_is_written_and_alerted_before_a_large_rooms_waiting_chat(
        hearth: Hearth, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_module, "URGENT_HOLD_MOST", 60.0)  # however slow the machine running the test
    specialist, person = await member(hearth, "specialist"), await member(hearth)
    await oncall.set_on_call(hearth, specialist, True)
    room = [Listener() for _ in range(LARGE_FANOUT)]
    for listener in room:
        await hearth.hub.subscribe("room:1", listener)
    alerts = Listener()
    await hearth.hub.subscribe("oncall", alerts)
    room_had_when_alerted: list[int] = []
    original = alerts.deliver

    def on_alert(delivery: Delivery) -> None:
        room_had_when_alerted.append(len(room[0].got))
        original(delivery)

    alerts.deliver = on_alert  # type: ignore[method-assign]
    for n in range(3):  # the room's chat, waiting in the lane
        await hearth.publish("room:1", {"type": "message", "n": n})
    await messages.send_message(hearth, person, 1, IMMINENT, "crisis-1")
    assert alerts.got == ["flag_raised"]
    assert room_had_when_alerted == [0]  # the write's trips to the database let none of the chat out first
    for _ in range(10):
        await asyncio.sleep(0)
    assert room[0].got[:3] == [0, 1, 2] and room[0].got[3] == "message"  # then the chat, then the message itself
