"""Security headers on every HTTP response (pure ASGI, so WebSockets pass untouched)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def add_security_headers(headers: MutableHeaders, *, path: str, hsts: bool) -> None:
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if path.startswith("/api/"):
        headers["Cache-Control"] = "no-store"
    elif "cache-control" not in headers:
        headers["Cache-Control"] = "no-cache"
    if hsts:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Starlette's error middleware sits outside this one, so the 500 handler adds
    the same headers itself (`add_security_headers`)."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message), path=scope["path"], hsts=self.hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)
