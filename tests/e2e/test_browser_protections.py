"""Browser protections (C4, C5, C6, C12): a foreign page can neither open the
WebSocket with a member's cookie nor make cookie-authenticated writes; every
response carries the security headers; over https the cookie is `__Host-` and
`Secure`, and HSTS is on."""

from __future__ import annotations

import re
from typing import Iterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.openapi import OPERATIONS
from tests.support import PASSWORD, Database, Member, ServerProcess, http, sign_up, unique_name

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
EVIL = "https://evil.example"


def _concrete(path: str) -> str:
    return re.sub(r"{\w+}", "1", path)


def _check_headers(response: httpx.Response, *, https: bool = False) -> None:
    h = response.headers
    csp = h.get("content-security-policy", "")
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (response.url, csp)
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "script-src 'self'"):
        assert directive in csp, (response.url, directive)
    assert h.get("x-content-type-options") == "nosniff", response.url
    assert h.get("referrer-policy") == "no-referrer", response.url
    assert h.get("x-frame-options") == "DENY", response.url
    assert h.get("cross-origin-opener-policy") == "same-origin", response.url
    if response.url.path.startswith("/api/"):
        assert h.get("cache-control") == "no-store", response.url
    hsts = h.get("strict-transport-security")
    if https:
        assert hsts and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000 and "includeSubDomains" in hsts  # type: ignore[union-attr]
    else:
        assert hsts is None, "HSTS over plain http would pin a name that has no certificate"


async def test_websocket_refuses_foreign_origins_and_cookies_without_origin(server: ServerProcess) -> None:
    member = sign_up(server)
    cookie = {"Cookie": f"hearth_session={member.token}"}
    for origin in (EVIL, "null", "http://127.0.0.1.evil.example", f"http://127.0.0.1:{server.port + 1}"):
        with pytest.raises(InvalidStatus) as refused:
            await connect(server.ws_url, additional_headers=cookie, origin=origin, open_timeout=10)  # type: ignore[arg-type]
        assert refused.value.response.status_code == 403, origin
    with pytest.raises(InvalidStatus) as refused:  # a cookie but no Origin: not a browser we know
        await connect(server.ws_url, additional_headers=cookie, open_timeout=10)
    assert refused.value.response.status_code == 403
    async with connect(server.ws_url, additional_headers=cookie, origin=server.base, open_timeout=10) as ws:  # type: ignore[arg-type]
        assert "hello" in str(await ws.recv())


def test_every_cookie_authenticated_write_must_be_same_origin(server: ServerProcess) -> None:
    """Every state-changing operation in the OpenAPI document, sent by a foreign
    page with the member's cookie, is refused before it does anything."""
    member = sign_up(server)
    writes = [op for op in OPERATIONS if op.method in UNSAFE]
    assert len(writes) > 60
    with httpx.Client(base_url=server.base, cookies={"hearth_session": member.token}, timeout=30) as client:
        for op in writes:
            # Sign-up, log-in and recovery need no cookie: without any browser header they are a
            # native client's; with a foreign one they are log-in CSRF.
            for headers in ({"Origin": EVIL}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}) + (() if op.public else ({},)):
                response = client.request(op.method, _concrete(op.path), json={}, headers=headers)
                assert response.status_code == 403 and response.json()["error"]["code"] == "cross_site", \
                    (op.method, op.path, headers, response.status_code, response.text[:200])
        # The same request from our own page gets through to the action (here: a goal is made).
        made = client.post("/api/v1/me/recovery/goals", json={"title": "Same origin"}, headers={"Origin": server.base})
        assert made.status_code == 201
        goals = client.get("/api/v1/me/recovery/goals").json()["goals"]
        assert [g["title"] for g in goals] == ["Same origin"], "a refused write changed something"
    assert member.get("/api/v1/me").status_code == 200  # the foreign log-out did not log them out


def test_bearer_writes_need_no_origin(server: ServerProcess) -> None:
    """A browser cannot add Authorization to a cross-site request by itself: bearer clients are exempt."""
    member = sign_up(server)
    response = http.post(server.base + "/api/v1/me/recovery/goals", json={"title": "Native app"},
                          headers={**member.headers, "Origin": EVIL})
    assert response.status_code == 201


def test_security_headers_on_every_response(server: ServerProcess) -> None:
    member = sign_up(server)
    with httpx.Client(base_url=server.base, headers=member.headers, timeout=30) as client:
        for op in OPERATIONS:
            if op.method == "GET":
                _check_headers(client.get(_concrete(op.path)))
        for path in ("/", "/static/js/main.js", "/static/css/app.css", "/healthz", "/readyz", "/nope", "/api/v1/nope"):
            _check_headers(client.get(path))
        _check_headers(client.post("/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}))
        _check_headers(client.delete("/api/v1/rooms"))  # 405
        _check_headers(http.get(server.base + "/api/v1/me"))  # 401


@pytest.fixture(scope="module")
def https_server() -> Iterator[ServerProcess]:
    """Served behind TLS (the proxy terminates it): HEARTH_PUBLIC_URL is https."""
    proc = ServerProcess(Database.fresh(), extra_env={"HEARTH_PUBLIC_URL": "https://hearth.example.org"}).start()
    yield proc
    proc.stop()


def test_over_https_the_cookie_is_host_prefixed_and_secure_and_hsts_is_on(https_server: ServerProcess) -> None:
    origin = {"Origin": "https://hearth.example.org"}
    signup = http.post(https_server.base + "/api/v1/auth/signup", json={"pseudonym": unique_name(), "password": PASSWORD}, headers=origin)
    assert signup.status_code == 201, signup.text
    cookie = signup.headers["set-cookie"]
    assert cookie.startswith("__Host-hearth_session="), cookie
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes and "domain" not in attributes, cookie
    assert "path=/" in cookie.lower() and re.search(r"samesite=(lax|strict)", cookie, re.I)
    token = signup.json()["token"]
    member = Member(https_server, "x", token, signup.json()["user"])
    for path in ("/", "/api/v1/me", "/static/js/main.js", "/nope"):
        _check_headers(http.get(https_server.base + path, headers=member.headers), https=True)
    # The __Host- cookie authenticates, and its writes are same-origin only, like the plain one.
    cookies = {"__Host-hearth_session": token}
    assert httpx.get(https_server.base + "/api/v1/me", cookies=cookies).status_code == 200
    assert httpx.post(https_server.base + "/api/v1/me/recovery-codes", cookies=cookies, headers={"Origin": EVIL}).status_code == 403
    logout = httpx.post(https_server.base + "/api/v1/auth/logout", cookies=cookies, headers=origin)
    assert logout.status_code == 200 and "__Host-hearth_session=" in logout.headers["set-cookie"]
    assert "secure" in logout.headers["set-cookie"].lower()


def test_the_token_is_never_in_a_url_or_readable_cookie(server: ServerProcess) -> None:
    response = http.post(server.base + "/api/v1/auth/signup", json={"pseudonym": unique_name(), "password": PASSWORD})
    token = response.json()["token"]
    assert "httponly" in response.headers["set-cookie"].lower()
    assert token not in str(response.url) and token not in response.headers.get("location", "")
    # The client keeps only preferences in web storage, never the session.
    from tests.support import ROOT

    for script in (ROOT / "client" / "js").rglob("*.js"):
        for call in re.findall(r"(?:local|session)Storage\.setItem\(([^,]+),", script.read_text()):
            assert not re.search(r"token|session|auth", call, re.I), (script.name, call)
