"""A member's sessions and second factor (authenticator app)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.actions import second_factor, sessions
from server.http.common import JSON, hearth, read_json, require_auth


async def list_sessions(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    return JSON({"sessions": await sessions.list_sessions(hearth(request), auth)})


async def end_session(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    await sessions.end_session(hearth(request), auth, request.path_params["session_id"])
    return JSON({"ok": True})


async def end_others(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    await sessions.end_other_sessions(hearth(request), auth)
    return JSON({"ok": True})


async def factor_status(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    return JSON(await second_factor.status(hearth(request), auth))


async def factor_start(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    data = await read_json(request)
    return JSON(await second_factor.start(hearth(request), auth, data.get("password")), status_code=201)


async def factor_confirm(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    data = await read_json(request)
    return JSON(await second_factor.confirm(hearth(request), auth, data.get("code")))


async def factor_off(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    data = await read_json(request)
    return JSON(await second_factor.turn_off(hearth(request), auth, data.get("password"), data.get("code")))


routes = [
    Route("/api/v1/me/sessions", list_sessions, methods=["GET"]),
    Route("/api/v1/me/sessions/others", end_others, methods=["DELETE"]),
    Route("/api/v1/me/sessions/{session_id:int}", end_session, methods=["DELETE"]),
    Route("/api/v1/me/second-factor", factor_status, methods=["GET"]),
    Route("/api/v1/me/second-factor", factor_start, methods=["POST"]),
    Route("/api/v1/me/second-factor", factor_off, methods=["DELETE"]),
    Route("/api/v1/me/second-factor/confirm", factor_confirm, methods=["POST"]),
]
