"""A client WebSocket for the load generator, on websockets' sans-I/O protocol.

The generator's receiving side was its limit: through `websockets`' asyncio
client each delivered frame cost ~33 µs of the generator's core (a parse, a
queue, a reader task woken per frame), so 1,000 members on one core saturated
it near 28,000 deliveries a second and its own lag entered every latency. Here
the same library parses the frames (`ClientProtocol`, ~5 µs a frame) inside
`data_received`, which hands each text frame and its receipt time to a plain
callback: no task, queue or future per frame.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri

TextHandler = Callable[[bytes, int], None]  # (payload, receipt in CLOCK_MONOTONIC ns)


class LeanSocket(asyncio.Protocol):
    def __init__(self, url: str, headers: dict[str, str], max_size: int = 2**20) -> None:
        self.protocol = ClientProtocol(parse_uri(url), max_size=max_size)
        self.request = self.protocol.connect()
        for name, value in headers.items():
            self.request.headers[name] = value
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self._early: asyncio.Queue[bytes] = asyncio.Queue()  # frames before `on_text` is set (hello, joined)
        self.on_text: TextHandler = lambda data, now: self._early.put_nowait(data)
        self._fragments: list[bytes] = []

    @classmethod
    async def connect(cls, url: str, headers: dict[str, str], timeout: float = 60) -> "LeanSocket":
        uri = parse_uri(url)
        loop = asyncio.get_running_loop()
        _, sock = await loop.create_connection(lambda: cls(url, headers), uri.host, uri.port)
        try:
            await asyncio.wait_for(sock.opened, timeout)
        except BaseException:
            sock.abort()
            raise
        return sock

    async def recv(self, timeout: float = 60) -> bytes:
        """The next text frame, while `on_text` is still the default (set-up only)."""
        return await asyncio.wait_for(self._early.get(), timeout)

    def send_text(self, text: str) -> None:
        self.protocol.send_text(text.encode())
        self._flush()

    def close(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        try:
            self.protocol.send_close()
            self._flush()
        except Exception:  # noqa: BLE001 - already closing
            pass
        self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.protocol.send_request(self.request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.monotonic_ns()
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Frame):
                self._frame(event, now)
            elif not self.opened.done():  # the handshake's response
                if self.protocol.handshake_exc is not None:
                    self.opened.set_exception(self.protocol.handshake_exc)
                else:
                    self.opened.set_result(None)
        self._flush()  # pongs and the close handshake are the protocol's to answer

    def _frame(self, frame: Frame, now: int) -> None:
        if frame.opcode is Opcode.TEXT or (frame.opcode is Opcode.CONT and self._fragments):
            if frame.fin and not self._fragments:
                self.on_text(frame.data, now)
                return
            self._fragments.append(frame.data)
            if frame.fin:
                data, self._fragments = b"".join(self._fragments), []
                self.on_text(data, now)

    def _flush(self) -> None:
        if self.transport is None:
            return
        for chunk in self.protocol.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                self.transport.write_eof()

    def connection_lost(self, exc: Exception | None) -> None:
        self.protocol.receive_eof()
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed before the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)
