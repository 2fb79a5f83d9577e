from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.actions import accounts
from server.http.common import JSON, hearth, read_json, require_auth


async def me(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    remaining = await accounts.remaining_recovery_codes(hearth(request), auth.user.id)
    return JSON({
        "user": accounts.user_out(auth.user),
        "second_factor_setup_required": auth.second_factor_missing,
        "session": {"expires_at": auth.session.expires_at.isoformat(), "remember": auth.session.remember},
        "recovery_codes_left": remaining,
    })


async def change_password(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    await accounts.change_password(hearth(request), auth, data.get("current_password"), data.get("new_password"))
    return JSON({"ok": True})


async def new_recovery_codes(request: Request) -> JSON:
    auth = await require_auth(request)
    codes = await accounts.new_recovery_code_set(hearth(request), auth)
    return JSON({"recovery_codes": codes}, status_code=201)


routes = [
    Route("/api/v1/me", me, methods=["GET"]),
    Route("/api/v1/me/password", change_password, methods=["POST"]),
    Route("/api/v1/me/recovery-codes", new_recovery_codes, methods=["POST"]),
]
