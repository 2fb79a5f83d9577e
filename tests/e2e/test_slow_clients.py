"""Slow, silent and half-open clients cannot exhaust the server (OWASP WebSocket
cheat sheet, C15): every deadline below is shortened for the test, and each test
shows the connection is cut off while a normal member keeps chatting."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import socket
import struct
from typing import Iterator

import pytest
from websockets.exceptions import InvalidStatus

from tests.support import Database, ServerProcess, Socket, http, sign_up

DEADLINES = {
    "HEARTH_REQUEST_TIMEOUT_SECONDS": "2",
    "HEARTH_WS_PING_SECONDS": "1",
    "HEARTH_WS_STALL_SECONDS": "2",
    "HEARTH_WS_SEND_QUEUE": "10",
}
GIVE_UP = 25.0  # far beyond every deadline above: only a missing guard gets here


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env=DEADLINES).start()
    yield proc
    proc.stop()


async def _closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Read until the server ends the connection; what it sent on the way."""
    seen = b""
    try:
        while chunk := await reader.read(65536):
            seen += chunk
    except ConnectionError:
        pass
    return seen


async def _still_chatting(server: ServerProcess) -> None:
    member = sign_up(server)
    sock = await Socket.open(server.ws_url, member.headers)
    assert (await sock.request({"type": "ping"}))["type"] == "pong"
    await sock.close()


def _handshake(port: int, token: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            f"Authorization: Bearer {token}\r\n\r\n").encode()


def _client_frame(text: str) -> bytes:
    """One masked text frame, as a client must send it."""
    payload, mask = text.encode(), os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _close_code(data: bytes) -> int | None:
    from tests.e2e.test_ws_fuzz import _close_code as walk

    return walk(data)


async def test_slowloris_headers_are_cut_off_and_others_still_connect(server: ServerProcess) -> None:
    """Fifty clients drip a WebSocket upgrade one byte at a time: each is closed
    while still dripping, and a normal member connects and chats meanwhile."""

    async def drip() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
        closed = asyncio.create_task(_closed_by_server(reader))
        try:
            for byte in b"X-Slow: " + b"a" * 200:  # 200 bytes at 0.25 s would take 50 s
                if closed.done():
                    break
                writer.write(bytes([byte]))
                await asyncio.sleep(0.25)
            assert closed.done(), "the server let a client drip its headers for ever"
            return await closed
        finally:
            writer.close()

    dripping = [asyncio.create_task(drip()) for _ in range(50)]
    await asyncio.sleep(0.5)
    await _still_chatting(server)
    answers = await asyncio.wait_for(asyncio.gather(*dripping), GIVE_UP)
    assert all(not a or a.startswith(b"HTTP/1.1 408") for a in answers)
    await _still_chatting(server)


async def test_a_connection_that_sends_nothing_is_closed(server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    assert (await asyncio.wait_for(_closed_by_server(reader), GIVE_UP)).startswith(b"HTTP/1.1 408")
    writer.close()


async def test_a_kept_alive_connection_gets_the_same_deadline_for_its_next_request(server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 200")
    closed = asyncio.create_task(_closed_by_server(reader))
    for byte in b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100:
        if closed.done():
            break
        writer.write(bytes([byte]))
        await asyncio.sleep(0.25)
    assert closed.done()
    writer.close()


async def test_a_request_body_sent_slowly_gets_408_and_changes_nothing(server: ServerProcess) -> None:
    name = "SlowBody" + os.urandom(3).hex()
    body = ('{"pseudonym": "%s", "password": "correct horse battery staple"}' % name).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"POST /api/v1/auth/signup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body))
    closed = asyncio.create_task(_closed_by_server(reader))
    for byte in body:
        if closed.done():
            break
        writer.write(bytes([byte]))
        await asyncio.sleep(0.25)
    answer = await asyncio.wait_for(closed, GIVE_UP)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408") and b"request_timeout" in answer
    login = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": name, "password": "correct horse battery staple"})
    assert login.status_code == 401  # the account was never made


async def test_a_half_open_websocket_that_never_answers_pings_is_closed(server: ServerProcess) -> None:
    member = sign_up(server)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(_handshake(server.port, member.token))
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 101")
    # Per-message compression is never negotiated, even when offered: no compression bombs.
    assert b"sec-websocket-extensions" not in head.lower()
    # We read (to see what happens) but never answer the server's pings.
    received = await asyncio.wait_for(_closed_by_server(reader), GIVE_UP)
    writer.close()
    assert b"\x89" in received  # the ping we ignored
    assert _close_code(received) == 1011
    await _still_chatting(server)


def _metric(server: ServerProcess, name: str) -> float:
    text = http.get(server.base + "/metrics").text
    found = re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


@pytest.fixture
def patient_server() -> Iterator[ServerProcess]:
    """Pings slow enough that only the stall guard can drop the socket."""
    proc = ServerProcess(Database.fresh(), extra_env={**DEADLINES, "HEARTH_WS_PING_SECONDS": "120"}).start()
    yield proc
    proc.stop()


async def test_a_client_that_stops_reading_is_dropped_not_the_server(patient_server: ServerProcess) -> None:
    """A socket that never reads while its room is busy: its bounded queue
    overflows, its stalled writes are cut off, and the room carries on."""
    server = patient_server
    slow, speaker, listener = sign_up(server), sign_up(server), sign_up(server)
    dropped_before = _metric(server, "hearth_ws_slow_consumers_total")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a tiny window, and we never read it
    raw.connect(("127.0.0.1", server.port))
    raw.sendall(_handshake(server.port, slow.token))
    head = b""
    while b"\r\n\r\n" not in head:
        head += raw.recv(1)  # byte by byte: nothing after the handshake is read
    assert head.startswith(b"HTTP/1.1 101")
    raw.sendall(_client_frame('{"type":"join","room_id":3}'))

    talk = await speaker.socket()
    listen = await listener.socket()
    await listen.join(3)
    body = "€" * 4000  # 12 KB of UTF-8 per event: the kernel's buffers fill sooner
    sent = 0
    deadline = asyncio.get_running_loop().time() + GIVE_UP
    while _metric(server, "hearth_ws_slow_consumers_total") <= dropped_before:
        assert asyncio.get_running_loop().time() < deadline, "a reader that stopped reading was never dropped"
        for _ in range(49):  # pipelined; the 50th waits for its ack
            await talk.send({"type": "send", "room_id": 3, "body": body, "client_id": f"flood-{sent}"})
            sent += 1
        await talk.say(3, body)
        sent += 1
    # Without reading a byte, the stalled socket is cut off: the server is down to the speaker and the listener.
    while _metric(server, "hearth_ws_connections") != 2:
        assert asyncio.get_running_loop().time() < deadline, "a stalled socket was never cut off"
        await asyncio.sleep(0.2)
    last = await talk.say(3, "and the room still flows")
    await listen.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == last["message"]["id"])
    raw.settimeout(GIVE_UP)
    try:
        while raw.recv(65536):
            pass  # what was in flight, then the end of the stream
    except ConnectionResetError:
        pass  # aborted: the kernel says so at once
    raw.close()
    assert sent > 0
    assert server.process is not None and server.process.poll() is None
    assert "Traceback" not in server.log()
    await talk.close()
    await listen.close()


async def test_one_account_holds_at_most_five_sockets(server: ServerProcess) -> None:
    member = sign_up(server)
    socks = [await member.socket() for _ in range(5)]
    with pytest.raises(InvalidStatus) as refused:
        await member.socket()
    assert refused.value.response.status_code == 403
    await socks.pop().close()
    for _ in range(50):  # the count drops when the server sees the close
        try:
            socks.append(await member.socket())
            break
        except InvalidStatus:
            await asyncio.sleep(0.1)
    assert len(socks) == 5
    for sock in socks:
        await sock.close()


async def test_a_frame_over_64_kib_closes_with_1009_and_the_room_carries_on(server: ServerProcess) -> None:
    big, speaker, listener = sign_up(server), sign_up(server), sign_up(server)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(_handshake(server.port, big.token))
    await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    payload, mask = b"x" * 65537, os.urandom(4)
    writer.write(bytes([0x81, 0x80 | 127]) + struct.pack(">Q", len(payload)) + mask
                 + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    received = await asyncio.wait_for(_closed_by_server(reader), GIVE_UP)
    writer.close()
    assert _close_code(received) == 1009
    listen = await listener.socket()
    await listen.join(4)
    talk = await speaker.socket()
    sent = await talk.say(4, "still here")
    await listen.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == sent["message"]["id"])
    await talk.close()
    await listen.close()
