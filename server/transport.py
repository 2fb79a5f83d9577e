"""Transport guards: uvicorn's protocol classes with deadlines against slow and half-open clients.

uvicorn starts no timer on a new connection, so a client that sends a request
one byte at a time (slowloris), or nothing at all, holds its connection for
ever; and a socket whose peer stopped reading keeps a full write buffer that
`transport.close()` waits to flush, so it never goes away either. These
subclasses add the missing deadlines, each of which *aborts* the transport:

- request deadline: a connection must finish a request's headers within
  `request_timeout` seconds of opening (or of its previous response);
- write stall: a WebSocket whose writes stay paused (its peer is not reading)
  for `ws_stall_seconds` is cut off: the slow consumer is dropped, not the server;
- keepalive: when a ping goes unanswered uvicorn sends close 1011; if the
  peer's window is shut, that close can never be flushed, so the socket is aborted.

The WebSocket protocol also offers the app one ASGI extension,
`hearth.prepared_frames`: write a frame that was encoded once for every
recipient of a room event (a server's frames are unmasked, so they are the same
bytes for everyone). It writes only to an open socket with room in its buffer
and says False otherwise, and the app then sends through ASGI as usual.

Deadlines come from `Settings` (HEARTH_REQUEST_TIMEOUT_SECONDS, HEARTH_WS_STALL_SECONDS)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger("hearth.transport")

try:  # httptools is uvicorn[standard]'s parser; h11 is always there
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpBase
except ImportError:  # pragma: no cover - depends on the install
    from uvicorn.protocols.http.h11_impl import H11Protocol as _HttpBase  # type: ignore[assignment]
from uvicorn.protocols.websockets.wsproto_impl import WSProtocol as _WsBase
from wsproto.connection import ConnectionState
from wsproto.frame_protocol import FrameProtocol

PREPARED_FRAMES = "hearth.prepared_frames"
_encoder = FrameProtocol(client=False, extensions=[])  # stateless for whole, unfragmented messages


def text_frame(text: str) -> bytes:
    """One complete WebSocket text frame, as wsproto would write it to any client."""
    return _encoder.send_data(text, fin=True)

_REQUEST_TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class GuardedHttpProtocol(_HttpBase):  # type: ignore[misc,valid-type]
    request_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _request_started(self) -> bool:
        cycle = getattr(self, "cycle", None)
        return cycle is not None and not cycle.response_complete

    def _too_slow(self) -> None:
        self._deadline = None
        if self._request_started() or self.transport.is_closing() or self.transport.get_protocol() is not self:
            return
        self.transport.write(_REQUEST_TIMEOUT_RESPONSE)
        self.transport.abort()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # The headers are in: the app has the request now (or the socket was upgraded).
        if self._request_started() or self.transport.get_protocol() is not self:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on a kept-alive connection gets the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


class GuardedWSProtocol(_WsBase):  # type: ignore[misc]
    stall_seconds: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stall: asyncio.TimerHandle | None = None

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._stall is None:
            self._stall = self.loop.call_later(self.stall_seconds, self._stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None

    def _stalled(self) -> None:
        self._stall = None
        if not self.transport.is_closing() or self.transport.get_write_buffer_size():
            log.info("dropping a WebSocket whose client stopped reading")
            self.transport.abort()

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        self.scope["extensions"][PREPARED_FRAMES] = {"write": self.write_prepared}  # type: ignore[index]

    def write_prepared(self, frame: bytes) -> bool:
        """Write a whole encoded frame now; False when the socket is not open for it or its buffer is full."""
        if (not self.handshake_complete or self.close_sent or self.disconnected or not self.writable.is_set()
                or self.conn.state is not ConnectionState.OPEN or self.transport.is_closing()):
            return False
        self.transport.write(frame)
        return True

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()
        if self.transport.get_write_buffer_size():
            self.transport.abort()  # the close frame cannot be flushed to a peer that does not read

    def connection_lost(self, exc: Exception | None) -> None:
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None
        super().connection_lost(exc)


def protocols(request_timeout: float, ws_stall_seconds: float) -> tuple[type[GuardedHttpProtocol], type[GuardedWSProtocol]]:
    """Protocol classes carrying this server's deadlines (uvicorn builds one per connection)."""
    http = type("HearthHttpProtocol", (GuardedHttpProtocol,), {"request_timeout": float(request_timeout)})
    ws = type("HearthWSProtocol", (GuardedWSProtocol,), {"stall_seconds": float(ws_stall_seconds)})
    return http, ws
