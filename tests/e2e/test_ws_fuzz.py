"""Hostile bytes and frames against a live server: it never crashes, never
leaks a traceback to anyone, and other members' chat carries on."""

from __future__ import annotations

import asyncio
import base64
import os
import struct

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import SHARED_DATA, ServerProcess, Socket, sign_up

SEEDS = SHARED_DATA / "ws-frames-tungstenite" / "read_message_server"
# 1005: the server echoed a client close frame that carried no code (RFC 6455 5.5.1).
ALLOWED_CLOSE = {None, 1000, 1002, 1005, 1007, 1008, 1009}


async def _raw_session(server: ServerProcess, token: str, payload: bytes, read_for: float = 1.5) -> tuple[int | None, bytes]:
    """Handshake by hand, write `payload` byte for byte, report the close code."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 101"), head[:80]
    writer.write(payload)
    try:
        await writer.drain()
    except ConnectionError:
        pass
    received = b""
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), read_for)
            if not chunk:
                break
            received += chunk
    except (asyncio.TimeoutError, ConnectionError):
        pass
    writer.close()
    return _close_code(received), received


def _close_code(data: bytes) -> int | None:
    """Walk a stream of frames and return the first close frame's code."""
    i = 0
    while i + 2 <= len(data):
        opcode, masked, length = data[i] & 0x0F, data[i + 1] & 0x80, data[i + 1] & 0x7F
        i += 2
        extended = {126: (">H", 2), 127: (">Q", 8)}.get(length)
        if extended:
            if i + extended[1] > len(data):
                return None  # truncated: no close frame in it
            length = struct.unpack(extended[0], data[i:i + extended[1]])[0]
            i += extended[1]
        mask = data[i:i + 4] if masked else b"\0\0\0\0"
        i += 4 if masked else 0
        if opcode == 0x8:
            if length < 2 or i + 2 > len(data):
                return 1005
            body = bytes(b ^ mask[k % 4] for k, b in enumerate(data[i:i + 2]))
            return int(struct.unpack(">H", body)[0])
        i += length
    return None


@pytest.mark.skipif(not SEEDS.exists(), reason="needs ../shared/data (CI has it)")
async def test_tungstenite_fuzz_seeds_change_nothing(server: ServerProcess) -> None:
    if os.environ.get("CI") == "true":
        assert SEEDS.exists()
    seeds = sorted(SEEDS.iterdir())
    assert len(seeds) >= 200
    members = [sign_up(server) for _ in range(16)]  # one account holds at most 5 sockets
    watcher, speaker = sign_up(server), sign_up(server)
    listen = await watcher.socket()
    await listen.join(7)
    talk = await speaker.socket()
    codes: dict[int | None, int] = {}
    for start in range(0, len(seeds), 16):
        batch = seeds[start:start + 16]
        results = await asyncio.gather(*(
            _raw_session(server, members[i % len(members)].token, path.read_bytes()) for i, path in enumerate(batch)))
        for (code, raw), path in zip(results, batch):
            # A valid close from the client is echoed with its own code.
            assert code in ALLOWED_CLOSE | {_close_code(path.read_bytes())}, (path.name, code)
            assert b"Traceback" not in raw and b"File \"" not in raw, path.name
            codes[code] = codes.get(code, 0) + 1
        sent = await talk.say(7, f"still chatting after batch {start}")
        await listen.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == sent["message"]["id"])
    assert server.process is not None and server.process.poll() is None
    assert "Traceback" not in server.log()
    await listen.close()
    await talk.close()


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
FRAME = st.fixed_dictionaries(
    {"type": st.sampled_from(["join", "leave", "send", "edit", "delete", "ping", "typing", "nope", ""]) | st.text(max_size=20)},
    optional={"room_id": JSONISH, "message_id": JSONISH, "body": JSONISH, "client_id": JSONISH, "after_seq": JSONISH, "ref": JSONISH},
)


async def test_generated_frames_get_errors_or_replies_never_a_crash(server: ServerProcess) -> None:
    member = sign_up(server)
    sock = await member.socket()
    frames: list[dict[str, object]] = []

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(FRAME)
    def collect(frame: dict[str, object]) -> None:
        frames.append(frame)

    collect()
    for frame in frames:
        try:
            await sock.send_raw(orjson.dumps(frame).decode())
        except TypeError:
            continue  # not JSON-encodable on our side (e.g. huge ints)
    deep = "[" * 5000 + "]" * 5000
    for raw in (deep, '{"type": "send", "body": "' + "x" * 60000 + '"}', '"\\ud800"', '{"type":"ping","ref":' + "9" * 400 + "}"):
        await sock.send_raw(raw)
    assert (await sock.request({"type": "ping"}, timeout=30))["type"] == "pong"
    assert not [f for f in sock.frames if f["type"] == "error" and f["code"] == "internal"], "an unexpected server error"
    await sock.close()


async def test_a_flood_from_one_socket_does_not_stall_others(server: ServerProcess) -> None:
    flooder, other = sign_up(server), sign_up(server)
    noisy = await flooder.socket()
    calm = await other.socket()
    await calm.join(8)
    for i in range(500):
        await noisy.send_raw('{"type":"ping","ref":%d}' % i)
    sent = await calm.say(8, "I can still talk")
    assert sent["message"]["body"] == "I can still talk"
    await noisy.close()
    await calm.close()


async def test_handshakes_are_refused_politely_when_malformed(server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.read(4096), 10)
    assert not head.startswith(b"HTTP/1.1 101") and b"Traceback" not in head
    writer.close()
    ok = await Socket.open(server.ws_url, sign_up(server).headers)
    await ok.close()


