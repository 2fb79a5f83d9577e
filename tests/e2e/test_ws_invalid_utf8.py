"""Invalid UTF-8 in a text frame (websockets-sansio, the default WebSocket
implementation): the socket closes with 1007, the log gets one warning line
and no traceback, and chat carries on."""

from __future__ import annotations

import os
import struct

import pytest

from tests.e2e.test_ws_fuzz import _raw_session
from tests.support import Database, ServerProcess, sign_up


def _masked_text_frame(payload: bytes) -> bytes:
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + body


@pytest.mark.parametrize("impl", ["websockets-sansio", "wsproto"])
async def test_invalid_utf8_closes_1007_without_a_traceback(impl: str) -> None:
    server = ServerProcess(Database.fresh(), extra_env={"HEARTH_WS_IMPL": impl}).start()
    try:
        member, watcher = sign_up(server), sign_up(server)
        code, raw = await _raw_session(server, member.token, _masked_text_frame(b'{"type": "ping", "x": "\xff\xfe"}'))
        # websockets-sansio says why (1007); wsproto drops the connection without a close frame.
        assert code == (1007 if impl == "websockets-sansio" else None)
        assert b"Traceback" not in raw
        listen = await watcher.socket()
        await listen.join(7)
        talk = await member.socket()
        sent = await talk.say(7, "still here")
        await listen.wait_for(lambda f: f["type"] == "message" and f["message"]["id"] == sent["message"]["id"])
        await listen.close()
        await talk.close()
        log = server.log()
        assert "Traceback" not in log
        if impl == "websockets-sansio":
            assert "Invalid UTF-8 sequence received from client" in log and '"level": "warning"' in log.replace('":"', '": "')
    finally:
        server.stop()
