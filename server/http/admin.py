from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.actions import accounts
from server.http.common import JSON, hearth, read_json, require_auth


async def change_role(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    user = await accounts.change_role(hearth(request), auth, data.get("pseudonym"), data.get("role"))
    return JSON({"user": accounts.user_out(user)})


routes = [
    Route("/api/v1/admin/roles", change_role, methods=["POST"]),
]
