#!/usr/bin/env python3
"""The ceiling: a bare broadcast server on Hearth's own stack (starlette on
uvicorn, the same WebSocket implementation and options) with no database, no
auth, no moderation, no queues. It speaks just enough of Hearth's protocol
(hello, join/joined, send/ack, message events) for the same load generator to
drive it, so "Hearth / ceiling" is Hearth's cost over the fastest thing Python
does on this machine.

    python bench/ceiling.py --port 8100 [--ws wsproto|websockets-sansio|websockets]

Each event is encoded once and written to every subscriber in one loop: no
per-connection task or queue (which Hearth needs for ordering, resume and slow
consumers)."""

from __future__ import annotations

import argparse
import itertools
import os

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

rooms: dict[int, set[WebSocket]] = {}
room_seq: dict[int, int] = {}
user_ids = itertools.count(1)


async def endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    me = next(user_ids)
    joined: set[int] = set()
    await websocket.send_text(orjson.dumps({"type": "hello", "user": {"id": me, "pseudonym": f"m{me}", "role": "member"}}).decode())
    try:
        while True:
            frame = orjson.loads(await websocket.receive_text())
            kind, ref = frame.get("type"), frame.get("ref")
            if kind == "join":
                room = int(frame["room_id"])
                rooms.setdefault(room, set()).add(websocket)
                joined.add(room)
                await websocket.send_text(orjson.dumps({"type": "joined", "room": {"id": room}, "ref": ref}).decode())
            elif kind == "send":
                room = int(frame["room_id"])
                seq = room_seq[room] = room_seq.get(room, 0) + 1
                message = {"id": seq, "room_id": room, "seq": seq, "client_id": frame["client_id"], "body": frame["body"],
                           "author": {"id": me, "pseudonym": f"m{me}"}}
                text = orjson.dumps({"type": "message", "room_id": room, "seq": seq, "message": message}).decode()
                for peer in tuple(rooms.get(room, ())):
                    try:
                        await peer.send_text(text)
                    except (WebSocketDisconnect, RuntimeError):
                        rooms[room].discard(peer)
                await websocket.send_text(orjson.dumps({"type": "ack", "client_id": frame["client_id"], "message": message,
                                                        "ref": ref}).decode())
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        for room in joined:
            rooms.get(room, set()).discard(websocket)


async def readyz(_request: object) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/readyz", readyz), WebSocketRoute("/ws", endpoint)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--ws", default=os.environ.get("CEILING_WS_IMPL", "wsproto"))
    args = parser.parse_args()
    # Same WebSocket options as `hearth serve` (server/cli.py uvicorn_config).
    uvicorn.run(app, host="127.0.0.1", port=args.port, ws=args.ws, ws_max_size=64 * 1024, ws_max_queue=16,
                ws_per_message_deflate=False, ws_ping_interval=20.0, ws_ping_timeout=20.0, access_log=False,
                log_level="warning", lifespan="off")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
