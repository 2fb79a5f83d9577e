"""Take everything away (export) or leave (delete the account)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.actions import member_data
from server.http.common import JSON, clear_session_cookie, hearth, read_json, require_auth


async def export(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    body = await member_data.export(hearth(request), auth)
    day = body["exported_at"][:10]
    return JSON(body, headers={"Content-Disposition": f'attachment; filename="hearth-export-{day}.json"'})


async def delete_account(request: Request) -> JSON:
    auth = await require_auth(request, enrolling=True)
    data = await read_json(request)
    result = await member_data.delete_account(hearth(request), auth, data.get("password"), data.get("messages"), data.get("totp_code"))
    response = JSON(result)
    clear_session_cookie(request, response)
    return response


routes = [
    Route("/api/v1/me/export", export, methods=["GET"]),
    Route("/api/v1/me", delete_account, methods=["DELETE"]),
]
