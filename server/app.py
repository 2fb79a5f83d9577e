"""The ASGI application: routes, error handling, headers, and the process lifespan."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from server import scheduler
from server.config import Settings
from server.db import storage_error
from server.errors import HearthError, NumberOutOfRange, out_of_range
from server.http import admin, auth, conversations, crisis, forum, me, meetings, mentors, moderation, recovery, rooms, schema, talk_now
from server.http import privacy, sessions
from server.http.common import JSON, hearth
from server.http.headers import SecurityHeaders, add_security_headers
from server.metrics import metrics_endpoint
from server.services import Hearth
from server.ws import websocket_endpoint

log = logging.getLogger("hearth.app")

async def healthz(request: Request) -> JSON:
    return JSON({"status": "ok"})


async def readyz(request: Request) -> JSON:
    h = hearth(request)
    checks: dict[str, str] = {}
    try:
        await h.db.ping()
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
    checks["broker"] = "ok" if h.broker.healthy else "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return JSON({"status": "ready" if ready else "unavailable", "checks": checks}, status_code=200 if ready else 503)


async def index(request: Request) -> Response:
    return FileResponse(hearth(request).settings.client_dir / "index.html", media_type="text/html; charset=utf-8")


security_log = logging.getLogger("hearth.security")


async def hearth_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HearthError)
    if exc.status in (401, 403, 429):
        # Security events (C21): refused log-ins, authorisation denials, rate-limit hits.
        # The route's pattern only: no ids, names, tokens or addresses.
        route = request.scope.get("route")
        security_log.info("%s %s %s: %s", exc.status, request.method, getattr(route, "path", "?"), exc.code)
    return JSON({"error": exc.to_dict()}, status_code=exc.status, headers=exc.headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: ("not_found", "We couldn't find that."), 405: ("method_not_allowed", "That method isn't allowed here.")}
    code, detail = codes.get(exc.status_code, ("http_error", str(exc.detail)))
    return JSON({"error": {"code": code, "detail": detail}}, status_code=exc.status_code, headers=exc.headers)


async def number_error(request: Request, exc: Exception) -> Response:
    """A number past 64 bits (see errors.out_of_range) is bad input; anything else stays a 500."""
    if out_of_range(exc):
        return await hearth_error(request, NumberOutOfRange())
    raise exc


async def server_error(request: Request, exc: Exception) -> Response:
    mapped = storage_error(exc)
    if mapped is not None:  # database away or full: a clear 503, the client may retry
        log.error("storage unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        response = JSON({"error": mapped.to_dict()}, status_code=mapped.status, headers={"Retry-After": "5"})
    else:
        log.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__, exc_info=exc)
        response = JSON({"error": {"code": "internal", "detail": "Something went wrong on our side. Please try again."}}, status_code=500)
    # This handler runs outside the SecurityHeaders middleware.
    add_security_headers(response.headers, path=request.url.path, hsts=hearth(request).settings.secure_cookies)
    return response


def create_app(settings: Settings) -> Starlette:
    h = Hearth(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from moderation import sweeper

        await h.start()
        await sweeper.refresh_staffing(h)
        sweeper.start(h)
        h.background.append(asyncio.create_task(h.presence.run(), name="hearth-presence"))
        sweep = asyncio.create_task(scheduler.run(h))  # meeting reminders, early-warning sweep
        try:
            yield
        finally:
            sweep.cancel()
            await asyncio.gather(sweep, return_exceptions=True)
            await h.stop()

    routes = [
        Route("/", index),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        *auth.routes,
        *me.routes,
        *rooms.routes,
        *forum.routes,
        *crisis.routes,
        *admin.routes,
        *conversations.routes, *mentors.routes, *talk_now.routes,
        *recovery.routes,
        *meetings.routes,
        *sessions.routes, *privacy.routes,
        *moderation.routes,
        *schema.routes,
        WebSocketRoute("/ws", websocket_endpoint),
        Mount("/static", StaticFiles(directory=settings.client_dir), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HearthError: hearth_error, HTTPException: http_error, OverflowError: number_error,
                            DBAPIError: number_error, Exception: server_error},
    )
    app.state.hearth = h
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    return app
