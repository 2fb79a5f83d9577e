"""A test client that behaves like the browser client under failure: it
reconnects (to the next server when its own is gone), resumes each room from
the last seq it saw, and resends unacknowledged messages with the same
client_id. It records every message event so tests can check exactly-once."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support import Member


class ResilientClient:
    def __init__(self, member: Member, urls: list[str], room_id: int) -> None:
        self.member = member
        self.urls = urls
        self.room_id = room_id
        self.current = 0
        self.connection: ClientConnection | None = None
        self.last_seq: int | None = None
        self.received: list[dict[str, Any]] = []  # every "message" event, in arrival order
        self.acked: dict[str, dict[str, Any]] = {}
        self.unacked: dict[str, str] = {}
        self.close_codes: list[int | None] = []
        self.reconnects = 0
        self.resent = 0  # sends repeated, same client_id, after a reconnect
        self.resync_notices = 0
        self._joined = asyncio.Event()
        self._ack_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._joined.wait(), 15)

    async def stop(self) -> None:
        self._stopping = True
        if self.connection is not None:
            await self.connection.close()
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass

    async def _connect(self) -> ClientConnection:
        for attempt in range(60):
            url = self.urls[self.current % len(self.urls)]
            try:
                return await connect(url, additional_headers=self.member.headers, open_timeout=3)
            except (OSError, InvalidStatus, asyncio.TimeoutError):
                self.current += 1  # that server is gone: try the next
                await asyncio.sleep(0.1 * min(attempt + 1, 10))
        raise RuntimeError("no server answered")

    async def _run(self) -> None:
        while not self._stopping:
            self.connection = await self._connect()
            try:
                join: dict[str, Any] = {"type": "join", "room_id": self.room_id}
                if self.last_seq is not None:
                    join["after_seq"] = self.last_seq
                await self.connection.send(orjson.dumps(join).decode())
                for client_id, body in list(self.unacked.items()):
                    self.resent += 1
                    await self._send_frame(client_id, body)
                async for raw in self.connection:
                    self._on_frame(orjson.loads(raw))
            except ConnectionClosed:
                pass
            self.close_codes.append(self.connection.close_code)
            self.connection = None
            if not self._stopping:
                self.reconnects += 1
                await asyncio.sleep(0.05)

    def _on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "joined":
            if self.last_seq is None:
                self.last_seq = frame["room"]["last_seq"]
            self._joined.set()
        elif kind == "resync":
            self.resync_notices += 1
        elif kind in ("message", "message_edited", "message_deleted") and frame.get("room_id") == self.room_id:
            self.last_seq = max(self.last_seq or 0, frame["seq"])
            if kind == "message":
                self.received.append(frame["message"])
        elif kind == "ack":
            client_id = frame["client_id"]
            self.acked[client_id] = frame["message"]
            self.unacked.pop(client_id, None)
            waiter = self._ack_waiters.pop(client_id, None)
            if waiter and not waiter.done():
                waiter.set_result(frame["message"])

    async def _send_frame(self, client_id: str, body: str) -> None:
        if self.connection is None:
            return
        frame = {"type": "send", "room_id": self.room_id, "body": body, "client_id": client_id}
        try:
            await self.connection.send(orjson.dumps(frame).decode())
        except ConnectionClosed:
            pass  # resent after the reconnect

    async def send(self, body: str, ack_timeout: float = 20.0) -> dict[str, Any] | None:
        """Send and wait for the ack; resent with the same client_id after a reconnect."""
        client_id = "r-" + secrets.token_hex(8)
        self.unacked[client_id] = body
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._ack_waiters[client_id] = waiter
        await self._send_frame(client_id, body)
        try:
            return await asyncio.wait_for(waiter, ack_timeout)
        except asyncio.TimeoutError:
            return None

    async def wait_until_received(self, message_ids: set[int], timeout: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while {m["id"] for m in self.received} < message_ids:
            if asyncio.get_running_loop().time() > deadline:
                missing = message_ids - {m["id"] for m in self.received}
                raise AssertionError(f"{self.member.pseudonym} never received {sorted(missing)[:10]} (of {len(missing)})")
            await asyncio.sleep(0.05)
