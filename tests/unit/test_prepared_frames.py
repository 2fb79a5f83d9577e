"""A room event's WebSocket frame is encoded once and written as is to every
recipient (server/transport.py): it must be exactly what wsproto itself writes,
and a client must read it back whole, whatever its length."""

from __future__ import annotations

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Message, Request, TextMessage

from server.transport import text_frame


def _open_pair() -> tuple[WSConnection, WSConnection]:
    server, client = WSConnection(ConnectionType.SERVER), WSConnection(ConnectionType.CLIENT)
    server.receive_data(client.send(Request(host="hearth.test", target="/ws")))
    assert isinstance(next(server.events()), Request)
    client.receive_data(server.send(AcceptConnection()))
    assert isinstance(next(client.events()), AcceptConnection)
    return server, client


@pytest.mark.parametrize("text", ["", "hi", "a" * 125, "b" * 126, "é" * 40_000, '{"body":"day 30 🎉 thank you all"}'])
def test_a_prepared_frame_is_the_frame_wsproto_writes_and_reads_back_whole(text: str) -> None:
    server, client = _open_pair()
    assert text_frame(text) == server.send(Message(data=text))  # byte for byte, every length form
    client.receive_data(text_frame(text) + text_frame(text))  # two in a row: no state carried between them
    received = [event for event in client.events()]
    assert all(isinstance(e, TextMessage) and e.message_finished for e in received)
    assert [e.data for e in received] == [text, text]
