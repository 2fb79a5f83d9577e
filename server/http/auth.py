from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.accounts.pseudonyms import suggest_pseudonyms
from server.actions import accounts
from server.http.common import (
    JSON, check_anonymous_write, check_same_origin, clear_session_cookie, client_address, hearth, read_json, require_auth, set_session_cookie,
)


def _with_cookie(request: Request, body: dict[str, object], token: str, status: int, remember: bool = False) -> JSON:
    response = JSON(body, status_code=status)
    h = hearth(request)
    max_age = h.settings.remember_days * 86400 if remember else h.settings.session_max_hours * 3600
    set_session_cookie(request, response, token, remember=remember, max_age=max_age)
    return response


async def signup(request: Request) -> JSON:
    check_anonymous_write(request)
    data = await read_json(request)
    user, token, codes = await accounts.sign_up(hearth(request), data.get("pseudonym"), data.get("password"))
    body = {"user": accounts.user_out(user), "token": token, "recovery_codes": codes}
    return _with_cookie(request, body, token, 201)


async def login(request: Request) -> JSON:
    check_anonymous_write(request)
    data = await read_json(request)
    remember = data.get("remember") is True
    user, token = await accounts.log_in(hearth(request), data.get("pseudonym"), data.get("password"), remember=remember,
                                        address=client_address(request), totp_code=data.get("totp_code"),
                                        recovery_code=data.get("recovery_code"))
    return _with_cookie(request, {"user": accounts.user_out(user), "token": token}, token, 200, remember)


async def recover(request: Request) -> JSON:
    check_anonymous_write(request)
    data = await read_json(request)
    user, token = await accounts.recover(hearth(request), data.get("pseudonym"), data.get("recovery_code"), data.get("new_password"),
                                         address=client_address(request), totp_code=data.get("totp_code"))
    return _with_cookie(request, {"user": accounts.user_out(user), "token": token}, token, 200)


async def logout(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    await accounts.log_out(hearth(request), auth)
    response = JSON({"ok": True})
    clear_session_cookie(request, response)
    return response


async def suggestions(request: Request) -> JSON:
    return JSON({"suggestions": suggest_pseudonyms(5)})


routes = [
    Route("/api/v1/auth/signup", signup, methods=["POST"]),
    Route("/api/v1/auth/login", login, methods=["POST"]),
    Route("/api/v1/auth/recover", recover, methods=["POST"]),
    Route("/api/v1/auth/logout", logout, methods=["POST"]),
    Route("/api/v1/auth/suggestions", suggestions, methods=["GET"]),
]
