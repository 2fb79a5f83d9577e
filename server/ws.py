"""The WebSocket session at /ws: one per browser tab.

Two tasks per socket, cancelled together: the receive loop parses frames and
calls actions; the send loop drains a bounded queue. Room events pass a
per-room cursor, so the client gets every change exactly once and in seq
order: duplicates are dropped, and a hole (a missed or reordered publish, a
broker outage, a resume) is filled from the database by the send loop.

While the send loop has nothing queued, an in-order room event is written
straight from the hub's fan-out (`server/eager.py`): one frame to a socket
with room in its buffer never waits, and waking a task per recipient was most
of a delivery's cost. Anything else, and everything behind a write that had
to wait, goes through the queue, so order never changes."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server import jsonutil, metrics
from server.actions import blocks, messages
from server.actions.accounts import Auth, authenticate, note_socket_use, session_still_live, user_out
from server.db import storage_error
from server.eager import start_now
from server.errors import BadRequest, HearthError, InvalidField, NotAuthenticated, NumberOutOfRange, out_of_range
from server.models.base import utcnow
from server.http.common import client_address, hearth, origin_allowed, session_token
from server.hub import Delivery
from server.transport import PREPARED_FRAMES, text_frame
from server.services import Hearth
from server.ws_handlers import handler_for

log = logging.getLogger("hearth.ws")

# Close codes (documented in docs/protocol.md).
CLOSE_POLICY = 1008  # session ended (logout, expiry, password or role change), too many sockets
CLOSE_TOO_SLOW = 1013  # the client fell too far behind; reconnect and resume
CLOSE_RESTART = 1012  # the server is restarting; reconnect and resume
CLOSE_SEND_FAILED = 1011  # a write found the socket gone: ends the session here, the client never sees it
SESSION_RECHECK_SECONDS = 60.0
# How long a closing socket waits for the frame it is handling (a write under way) to
# finish, so what began is committed rather than cut off (SIGTERM, a dropped client).
IN_FLIGHT_GRACE_SECONDS = 8.0


@dataclass(frozen=True, slots=True)
class _Resync:
    room_id: int


@dataclass(frozen=True, slots=True)
class _Close:
    code: int
    reason: str


_OutItem = str | Delivery | _Resync | _Close
_open_by_user: dict[int, int] = {}


class Connection:
    def __init__(self, h: Hearth, websocket: WebSocket, auth: Auth) -> None:
        self.h = h
        self.websocket = websocket
        self.auth = auth
        self.queue: asyncio.Queue[_OutItem] = asyncio.Queue(maxsize=h.settings.ws_send_queue)
        self.cursors: dict[int, int] = {}  # room id -> last seq this client has
        self.blocked: set[int] = set()  # authors this member has blocked: their words are not sent
        self.closing = False
        # Our uvicorn protocol can write a frame encoded once for the whole room (server/transport.py).
        prepared = (getattr(websocket, "scope", None) or {}).get("extensions", {}).get(PREPARED_FRAMES)
        self.write_prepared: Callable[[bytes], bool] | None = prepared["write"] if prepared else None
        self.send_loop_waiting = False  # the send loop waits on an empty queue: direct writes may go
        self.unfinished_write: asyncio.Task[None] | None = None  # a direct write waiting for the socket
        self.idle = asyncio.Event()  # clear while a frame is being handled
        self.idle.set()
        # Feature areas' own hub subscribers (e.g. forum thread readers) clean up here.
        self.on_close: list[Callable[[], Awaitable[None]]] = []

    # ---- called by the hub ------------------------------------------------
    def deliver(self, delivery: Delivery) -> None:
        if self._may_write_now():
            if self._deliver_now(delivery):
                return
        self._put(delivery)

    def _deliver_now(self, delivery: Delivery) -> bool:
        """Write an in-order room event at once; False leaves it to the send loop."""
        if delivery.channel.startswith("user:"):
            return False  # may end the session or change what this socket follows
        event = delivery.event
        room_id, seq = event.get("room_id"), event.get("seq")
        if isinstance(room_id, int) and isinstance(seq, int):  # a room change (else e.g. a crisis alert: as is)
            cursor = self.cursors.get(room_id)
            if cursor is None or seq <= cursor:
                return True  # not joined, or already sent (by a replay)
            if seq > cursor + 1:
                return False  # a hole: the send loop replays it from the database
            self.cursors[room_id] = seq
            if self._hidden(event.get("message")):
                return True
        if self.write_prepared is not None:
            frame = delivery.frame
            if frame is None:
                frame = delivery.frame = text_frame(delivery.text)
            if self.write_prepared(frame):
                delivery.prepared_writes += 1  # the hub counts them once the event has gone round
                return True
        self._write_now(delivery.text)
        return True

    def _may_write_now(self) -> bool:
        return self.send_loop_waiting and self.unfinished_write is None and not self.closing and self.queue.empty()

    def _write_now(self, text: str) -> None:
        """Write a frame from the caller, not the send loop (which would wake only to do this)."""
        try:
            waiting = start_now(self.websocket.send_text(text))
        except Exception:
            self._write_failed()
            return
        metrics.frames_out.inc()
        if waiting is not None:  # the socket's buffer is full: later frames queue behind this one
            self.unfinished_write = waiting
            waiting.add_done_callback(self._direct_write_done)

    def _direct_write_done(self, task: asyncio.Task[None]) -> None:
        self.unfinished_write = None
        if not task.cancelled() and task.exception() is not None:
            self._write_failed()

    def _write_failed(self) -> None:
        """The socket is gone: the send loop's close ends the session (the receive loop sees it too)."""
        if not self.closing:
            self.closing = True
            try:
                self.queue.put_nowait(_Close(CLOSE_SEND_FAILED, "send_failed"))
            except asyncio.QueueFull:
                pass

    def resync(self) -> None:
        """The broker was cut off and is back: events may have been lost, so
        every joined room is replayed from the database after its cursor."""
        self.send_frame({"type": "resync", "reason": "broker_reconnected", "rooms": sorted(self.cursors)})
        for room_id in list(self.cursors):
            self._put(_Resync(room_id))

    def _put(self, item: _OutItem) -> None:
        if self.closing:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            # Drop the slow consumer, never the server: it reconnects and resumes.
            metrics.slow_consumers.inc()
            self.closing = True
            self.queue = asyncio.Queue()
            self.queue.put_nowait(_Close(CLOSE_TOO_SLOW, "too_slow"))

    def enqueue_resync(self, room_id: int) -> None:
        self._put(_Resync(room_id))

    def send_frame(self, frame: dict[str, Any]) -> None:
        """A reply to this socket (an ack, an error): written at once when nothing waits before it."""
        text = jsonutil.dumps(frame)
        if self._may_write_now():
            self._write_now(text)
        else:
            self._put(text)

    # ---- send loop ----------------------------------------------------------
    async def send_loop(self) -> None:
        while True:
            if self.queue.empty():
                self.send_loop_waiting = True
                try:
                    item = await self.queue.get()
                finally:
                    self.send_loop_waiting = False
            else:
                item = self.queue.get_nowait()
            if self.unfinished_write is not None:
                await self.unfinished_write  # a direct write still under way goes out first
            if isinstance(item, str):
                await self.websocket.send_text(item)
                metrics.frames_out.inc()
            elif isinstance(item, Delivery):
                if not await self._send_delivery(item):
                    return
            elif isinstance(item, _Resync):
                await self._replay(item.room_id)
            else:
                await self.websocket.close(item.code, item.reason)
                return

    async def _send_delivery(self, delivery: Delivery) -> bool:
        """Send one broker event; False when it ended this socket."""
        event = delivery.event
        if delivery.channel.startswith("user:"):
            return await self._on_user_event(event, delivery.text)
        room_id, seq = event.get("room_id"), event.get("seq")
        if not isinstance(room_id, int) or not isinstance(seq, int):
            await self.websocket.send_text(delivery.text)
            return True
        cursor = self.cursors.get(room_id)
        if cursor is None or seq <= cursor:
            return True  # not joined, or already sent (by a replay)
        if seq > cursor + 1:
            await self._replay(room_id)  # a hole: the database fills it, this event included
            return True
        self.cursors[room_id] = seq  # advances past a hidden event too, or the next one would look like a hole
        if not self._hidden(event.get("message")):
            await self.websocket.send_text(delivery.text)
            metrics.frames_out.inc()
        return True

    def _hidden(self, message: object) -> bool:
        if not self.blocked or not isinstance(message, dict):
            return False
        author = message.get("author")
        return isinstance(author, dict) and author.get("id") in self.blocked

    async def _replay(self, room_id: int) -> None:
        """Send every change after this socket's cursor, from the database."""
        start = self.cursors.get(room_id)
        if start is None:
            return  # left the room meanwhile
        metrics.replays.inc()
        rows, last_seq = await messages.changes_since(self.h, room_id, start)
        if len(rows) > messages.REPLAY_LIMIT:
            # Too far behind to replay: the client reloads history over REST.
            await self.websocket.send_text(jsonutil.dumps({"type": "resync_required", "room_id": room_id, "seq": last_seq}))
            rows = []
        for message, author in rows:
            if message.author_id is not None and message.author_id in self.blocked:
                continue
            kind = ("message" if message.seq > start else "message_deleted" if message.deleted_at
                    else "message_hidden" if message.hidden_at else "message_edited")
            frame = {"type": kind, "room_id": room_id, "seq": message.version_seq,
                     "message": messages.message_out(message, author), "replay": True}
            await self.websocket.send_text(jsonutil.dumps(frame))
        self.cursors[room_id] = max(start, last_seq)

    async def follow_staff_channels(self) -> None:
        """On-call staff hear every crisis flag; moderators and admins hear escalations."""
        from moderation.oncall import is_on_call

        role = self.auth.user.role
        if role in ("moderator", "admin"):
            await self.h.hub.subscribe("staff", self)
        if role in ("specialist", "moderator", "admin"):
            if await is_on_call(self.h, self.auth.user.id):
                await self.h.hub.subscribe("oncall", self)
            else:
                await self.h.hub.unsubscribe("oncall", self)

    async def _on_user_event(self, event: dict[str, Any], text: str) -> bool:
        if event.get("type") == "oncall_changed":
            await self.follow_staff_channels()
        if event.get("type") == "session_ended":
            mine = self.auth.session.id
            ended = event.get("session_id")
            if ended == mine or (ended is None and event.get("keep_session_id") != mine):
                self.closing = True
                await self.websocket.close(CLOSE_POLICY, str(event.get("reason", "session_ended")))
                return False
            return True
        if event.get("type") == "blocks_changed":
            ids = event.get("blocked_ids")
            self.blocked = {i for i in ids if isinstance(i, int)} if isinstance(ids, list) else self.blocked
        await self.websocket.send_text(text)
        return True

    # ---- receive loop -------------------------------------------------------
    async def receive_loop(self) -> None:
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("text")
            if raw is None:
                self.send_frame(_error(BadRequest("Frames must be JSON text, not binary.", code="binary_frame")))
                continue
            self.idle.clear()
            try:
                await self._handle_text(raw)
            finally:
                self.idle.set()

    async def finish_frame_in_hand(self) -> None:
        """Let the frame being handled finish before the socket's tasks are cancelled."""
        if self.idle.is_set():
            return
        try:
            await asyncio.wait_for(self.idle.wait(), IN_FLIGHT_GRACE_SECONDS)
        except asyncio.TimeoutError:
            log.warning("a frame was still being handled when its socket closed; cancelled it")

    async def _handle_text(self, raw: str) -> None:
        ref: object = None
        try:
            try:
                frame = jsonutil.loads(raw)
            except jsonutil.JSONDecodeError:
                raise BadRequest("Frames must be JSON objects.", code="invalid_json") from None
            if not isinstance(frame, dict):
                raise BadRequest("Frames must be JSON objects.", code="invalid_json")
            if not await note_socket_use(self.h, self.auth.session):
                self.send_frame(_error(NotAuthenticated("Your session has ended. Please log in again.", code="session_expired")))
                self._put(_Close(CLOSE_POLICY, "session_expired"))
                self.closing = True
                return
            ref = frame.get("ref")
            if ref is not None and not (isinstance(ref, (str, int)) and not isinstance(ref, bool) and len(str(ref)) <= 64):
                ref = None
                raise InvalidField("ref must be a short string or number.")
            metrics.count_frame(frame.get("type"))
            handler = handler_for(frame.get("type"))
            if handler is None:
                raise BadRequest("Unknown frame type.", code="unknown_type")
            await handler(self, frame, ref)
        except HearthError as error:
            self.send_frame(_error(error, ref))
        except Exception as error:
            if out_of_range(error):
                self.send_frame(_error(NumberOutOfRange(), ref))
                return
            mapped = storage_error(error)
            if mapped is not None:  # the database is away or full: say so, and the client retries
                log.error("storage unavailable while handling a frame: %s", type(error).__name__)
                self.send_frame(_error(mapped, ref))
                return
            log.exception("unexpected error while handling a frame")
            self.send_frame({"type": "error", "code": "internal", "detail": "Something went wrong on our side. Please try again.", "ref": ref})

    async def session_watch(self) -> None:
        """Expiry is checked here; logout and bans arrive at once as user events."""
        while True:
            # Wake at the session's absolute end too, so the socket closes at once then.
            left = (self.auth.session.expires_at - utcnow()).total_seconds()
            await asyncio.sleep(max(0.05, min(SESSION_RECHECK_SECONDS, left + 0.05)))
            if not await session_still_live(self.h, self.auth.session.id, self.auth.user.role):
                live = await session_still_live(self.h, self.auth.session.id)
                self.closing = True
                await self.websocket.close(CLOSE_POLICY, "role_changed" if live else "session_expired")
                return


def _error(error: HearthError, ref: object = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", **error.to_dict()}
    if ref is not None:
        frame["ref"] = ref
    return frame


async def websocket_endpoint(websocket: WebSocket) -> None:
    h = hearth(websocket)
    token, from_cookie = session_token(websocket)
    origin = websocket.headers.get("origin")
    # Cross-site WebSocket hijacking: a browser always sends Origin, and only a
    # browser sends cookies by itself. A bearer token without Origin is a native client.
    if (origin is not None or from_cookie) and not origin_allowed(h, origin):
        await websocket.close(CLOSE_POLICY)  # before accept: the handshake gets HTTP 403
        return
    try:
        auth = replace(await authenticate(h, token), address=client_address(websocket))
    except HearthError:
        await websocket.close(CLOSE_POLICY)
        return
    if auth.second_factor_missing:  # staff who must set up their authenticator first
        await websocket.close(CLOSE_POLICY)
        return
    user_id = auth.user.id
    if _open_by_user.get(user_id, 0) >= h.settings.ws_max_connections_per_user:
        await websocket.close(CLOSE_POLICY)
        return
    _open_by_user[user_id] = _open_by_user.get(user_id, 0) + 1
    conn = Connection(h, websocket, auth)
    tasks: list[asyncio.Task[None]] = []
    try:
        await websocket.accept()
        h.hub.register(conn)
        await h.hub.subscribe(f"user:{user_id}", conn)
        # Read after subscribing: a block made meanwhile arrives as blocks_changed.
        conn.blocked = await blocks.blocked_ids_for(h, user_id)
        await conn.follow_staff_channels()
        conn.send_frame({"type": "hello", "user": user_out(auth.user), "session_expires_at": auth.session.expires_at.isoformat(),
                         "unattended": h.unattended})
        tasks = [asyncio.create_task(t) for t in (conn.receive_loop(), conn.send_loop(), conn.session_watch())]
        h.connections.add(conn)
        metrics.connections.inc()
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    except (WebSocketDisconnect, asyncio.CancelledError):
        pass
    finally:
        if conn in h.connections:
            metrics.connections.dec()
        h.connections.discard(conn)
        await conn.finish_frame_in_hand()
        if conn.unfinished_write is not None:
            tasks.append(conn.unfinished_write)
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except (asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                pass
            except Exception:
                log.exception("socket task failed")
        await h.hub.unsubscribe_all(conn)
        for cleanup in conn.on_close:
            try:
                await cleanup()
            except Exception:
                log.exception("socket clean-up failed")
        remaining = _open_by_user.get(user_id, 1) - 1
        if remaining:
            _open_by_user[user_id] = remaining
        else:
            _open_by_user.pop(user_id, None)
        if websocket.client_state == WebSocketState.CONNECTED:
            try:
                await websocket.close()
            except RuntimeError:
                pass
