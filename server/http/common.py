"""What every REST endpoint shares: JSON in and out, who is asking, and CSRF."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from server import jsonutil
from server.actions.accounts import Auth, authenticate
from server.errors import BadRequest, Forbidden, PayloadTooLarge, RequestTimeout
from server.services import Hearth
from server.text import is_whole_number

MAX_BODY_BYTES = 64 * 1024
COOKIE_NAME = "hearth_session"
SECURE_COOKIE_NAME = "__Host-hearth_session"  # the prefix pins it to this host over https
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return jsonutil.dumps_bytes(content)


def hearth(conn: HTTPConnection) -> Hearth:
    return conn.app.state.hearth  # type: ignore[no-any-return]


async def read_json(request: Request, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared and is_whole_number(declared) and int(declared) > max_bytes:
        raise PayloadTooLarge()
    body = b""
    try:
        # A body dripped in slowly would hold a worker for ever (slow POST).
        async with asyncio.timeout(hearth(request).settings.request_timeout_seconds):
            async for chunk in request.stream():
                body += chunk
                if len(body) > max_bytes:
                    raise PayloadTooLarge()
    except TimeoutError:
        raise RequestTimeout() from None
    if not body:
        return {}
    try:
        data = jsonutil.loads(body)
    except jsonutil.JSONDecodeError:
        raise BadRequest("The request body must be valid JSON.", code="invalid_json") from None
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.", code="invalid_json")
    return data


def session_token(conn: HTTPConnection) -> tuple[str | None, bool]:
    """The token and whether it came from a cookie (cookies need CSRF checks)."""
    header = conn.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None, False
    token = conn.cookies.get(SECURE_COOKIE_NAME) or conn.cookies.get(COOKIE_NAME)
    return token, token is not None


def origin_allowed(h: Hearth, origin: str | None) -> bool:
    return origin is not None and origin.lower().rstrip("/") in h.settings.allowed_origins


def check_anonymous_write(request: Request) -> None:
    """Writes made without a session (log-in, sign-up, recovery, appeals) from a
    browser must still come from our pages: a foreign page must not act for a member."""
    if request.headers.get("origin") or request.headers.get("sec-fetch-site"):
        check_same_origin(request)


def check_same_origin(request: Request) -> None:
    """Cookie-authenticated writes must come from our own pages."""
    origin = request.headers.get("origin")
    if origin is not None:
        if origin_allowed(hearth(request), origin):
            return
    elif request.headers.get("sec-fetch-site") in ("same-origin", "none"):
        return
    raise Forbidden("This request came from another site, so it was refused.", code="cross_site")


READ_DETAIL = "You're loading pages faster than Hearth allows. Please wait a little and try again."


async def require_auth(request: Request, *, enrolling: bool = False) -> Auth:
    """`enrolling`: endpoints staff may reach before setting up a required second
    factor (their account, sessions, the authenticator set-up, log-out)."""
    token, from_cookie = session_token(request)
    h = hearth(request)
    auth = await authenticate(h, token)
    if from_cookie and request.method in UNSAFE_METHODS:
        check_same_origin(request)
    if auth.second_factor_missing and not enrolling:
        raise Forbidden("Staff accounts need a second factor here. Set up an authenticator app from your account page first.",
                        code="second_factor_setup_required")
    if request.method == "GET":
        # One budget for every page and list a member loads: no scraping (C17).
        await h.limits.check("read", h.settings.read_rate, auth.user.id, detail=READ_DETAIL)
    return replace(auth, address=client_address(request))


def client_address(request: Request) -> str | None:
    """The client's address, for rate limits only (never stored or logged).
    uvicorn has already taken it from X-Forwarded-For when, and only when, the
    connection came from a proxy in HEARTH_TRUSTED_PROXIES."""
    return request.client.host if request.client else None


def set_session_cookie(request: Request, response: Response, token: str, *, remember: bool, max_age: int) -> None:
    secure = hearth(request).settings.secure_cookies
    response.set_cookie(
        SECURE_COOKIE_NAME if secure else COOKIE_NAME, token,
        max_age=max_age if remember else None, path="/", secure=secure, httponly=True, samesite="lax",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    secure = hearth(request).settings.secure_cookies
    response.delete_cookie(SECURE_COOKIE_NAME if secure else COOKIE_NAME, path="/", secure=secure, httponly=True, samesite="lax")
