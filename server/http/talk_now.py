"""Talk to someone now: the member's request and the helpers' queue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.actions import talk_now
from server.http.common import JSON, hearth, read_json, require_auth


def _id(request: Request) -> int:
    return request.path_params["request_id"]  # type: ignore[no-any-return]


async def ask(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"request": await talk_now.ask(hearth(request), auth)}, status_code=201)


async def current(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"request": await talk_now.current(hearth(request), auth)})


async def cancel(request: Request) -> JSON:
    auth = await require_auth(request)
    await talk_now.cancel(hearth(request), auth)
    return JSON({"ok": True})


async def queue(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"queue": await talk_now.queue(hearth(request), auth)})


async def take(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"request": await talk_now.take(hearth(request), auth, _id(request))})


async def end(request: Request) -> JSON:
    auth = await require_auth(request)
    await talk_now.end(hearth(request), auth, _id(request))
    return JSON({"ok": True})


async def get_availability(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"availability": await talk_now.get_availability(hearth(request), auth)})


async def set_availability(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"availability": await talk_now.set_availability(hearth(request), auth, await read_json(request))})


routes = [
    Route("/api/v1/talk-now", current, methods=["GET"]),
    Route("/api/v1/talk-now", ask, methods=["POST"]),
    Route("/api/v1/talk-now", cancel, methods=["DELETE"]),
    Route("/api/v1/talk-now/queue", queue, methods=["GET"]),
    Route("/api/v1/talk-now/availability", get_availability, methods=["GET"]),
    Route("/api/v1/talk-now/availability", set_availability, methods=["PUT"]),
    Route("/api/v1/talk-now/{request_id:int}/take", take, methods=["POST"]),
    Route("/api/v1/talk-now/{request_id:int}/end", end, methods=["POST"]),
]
