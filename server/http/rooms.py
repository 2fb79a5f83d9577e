from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.actions import messages, reactions, rooms
from server.http.common import JSON, hearth, read_json, require_auth


def _room_id(request: Request) -> int:
    return request.path_params["room_id"]  # type: ignore[no-any-return]


async def list_rooms(request: Request) -> JSON:
    auth = await require_auth(request)
    include_archived = request.query_params.get("archived") == "true"
    h = hearth(request)
    found = await rooms.list_rooms(h, auth, include_archived=include_archived)
    unread, online = await rooms.unread_counts(h, auth), h.presence.online()
    return JSON({"rooms": [{**rooms.room_out(r), "unread": unread.get(r.id, 0), "online": online.get(r.id, 0)} for r in found]})


async def create_room(request: Request) -> JSON:
    auth = await require_auth(request)
    room = await rooms.create_room(hearth(request), auth, await read_json(request))
    return JSON({"room": rooms.room_out(room)}, status_code=201)


async def get_room(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"room": rooms.room_out(await rooms.get_room(hearth(request), auth, _room_id(request)))})


async def update_room(request: Request) -> JSON:
    auth = await require_auth(request)
    room = await rooms.update_room(hearth(request), auth, _room_id(request), await read_json(request))
    return JSON({"room": rooms.room_out(room)})


async def room_history(request: Request) -> JSON:
    auth = await require_auth(request)
    q = request.query_params
    found = await messages.history(
        hearth(request), auth, _room_id(request), before=q.get("before"), after=q.get("after"), limit=q.get("limit", "50")
    )
    return JSON({"messages": found})


async def react(request: Request) -> JSON:
    auth = await require_auth(request)
    summary = await reactions.react(hearth(request), auth, request.path_params["message_id"], request.path_params["kind"],
                                    request.method == "PUT")
    return JSON(summary)


routes = [
    Route("/api/v1/messages/{message_id:int}/reactions/{kind}", react, methods=["PUT", "DELETE"]),
    Route("/api/v1/rooms", list_rooms, methods=["GET"]),
    Route("/api/v1/rooms", create_room, methods=["POST"]),
    Route("/api/v1/rooms/{room_id:int}", get_room, methods=["GET"]),
    Route("/api/v1/rooms/{room_id:int}", update_room, methods=["PATCH"]),
    Route("/api/v1/rooms/{room_id:int}/messages", room_history, methods=["GET"]),
]
