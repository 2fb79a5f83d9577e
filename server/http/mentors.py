"""Mentor profiles, mentor requests and mentorships."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.actions import mentors
from server.http.common import JSON, hearth, read_json, require_auth


def _id(request: Request) -> int:
    return request.path_params["item_id"]  # type: ignore[no-any-return]


async def overview(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await mentors.overview(hearth(request), auth))


async def volunteer(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"profile": await mentors.volunteer(hearth(request), auth, await read_json(request))})


async def stop_volunteering(request: Request) -> JSON:
    auth = await require_auth(request)
    await mentors.stop_volunteering(hearth(request), auth)
    return JSON({"ok": True})


async def ask(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"request": await mentors.request_mentor(hearth(request), auth, await read_json(request))}, status_code=201)


async def cancel(request: Request) -> JSON:
    auth = await require_auth(request)
    await mentors.cancel_request(hearth(request), auth, _id(request))
    return JSON({"ok": True})


async def inbox(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"requests": await mentors.inbox(hearth(request), auth)})


async def accept(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"mentorship": await mentors.accept(hearth(request), auth, _id(request))})


async def decline(request: Request) -> JSON:
    auth = await require_auth(request)
    await mentors.decline(hearth(request), auth, _id(request))
    return JSON({"ok": True})


async def assign(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    found = await mentors.assign(hearth(request), auth, data.get("mentee"), data.get("mentor"))
    return JSON({"mentorship": found}, status_code=201)


async def end(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"mentorship": await mentors.end(hearth(request), auth, _id(request))})


routes = [
    Route("/api/v1/mentorship", overview, methods=["GET"]),
    Route("/api/v1/mentorship/profile", volunteer, methods=["PUT"]),
    Route("/api/v1/mentorship/profile", stop_volunteering, methods=["DELETE"]),
    Route("/api/v1/mentorship/requests", ask, methods=["POST"]),
    Route("/api/v1/mentorship/requests/{item_id:int}", cancel, methods=["DELETE"]),
    Route("/api/v1/mentorship/inbox", inbox, methods=["GET"]),
    Route("/api/v1/mentorship/inbox/{item_id:int}/accept", accept, methods=["POST"]),
    Route("/api/v1/mentorship/inbox/{item_id:int}/decline", decline, methods=["POST"]),
    Route("/api/v1/mentorship/assign", assign, methods=["POST"]),
    Route("/api/v1/mentorship/{item_id:int}/end", end, methods=["POST"]),
]
