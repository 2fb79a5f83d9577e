"""REST for meetings: the list, scheduling, reminders, .ics export and Meeting Guide JSON."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.actions import meeting_mode, meetings
from server.http.common import JSON, hearth, read_json, require_auth

IMPORT_MAX_BYTES = 2 * 1024 * 1024  # a service body's whole schedule, in one request


def _id(request: Request) -> int:
    return request.path_params["meeting_id"]  # type: ignore[no-any-return]


async def list_meetings(request: Request) -> JSON:
    auth = await require_auth(request)
    q = request.query_params
    found = await meetings.list_meetings(hearth(request), auth, room_id=q.get("room_id"), zone=q.get("tz"))
    return JSON({"meetings": found})


async def create_meeting(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"meeting": await meetings.create_meeting(hearth(request), auth, await read_json(request))}, status_code=201)


async def get_meeting(request: Request) -> JSON:
    auth = await require_auth(request)
    h = hearth(request)
    return JSON({"meeting": await meetings.get_meeting(h, auth, _id(request), zone=request.query_params.get("tz")),
                 "state": await meeting_mode.get_state(h, auth, _id(request))})


async def update_meeting(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"meeting": await meetings.update_meeting(hearth(request), auth, _id(request), await read_json(request))})


async def delete_meeting(request: Request) -> Response:
    auth = await require_auth(request)
    await meetings.delete_meeting(hearth(request), auth, _id(request))
    return Response(status_code=204)


async def set_reminder(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await meetings.set_reminder(hearth(request), auth, _id(request), await read_json(request)))


def _ics(body: bytes, name: str) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


async def all_ics(request: Request) -> Response:
    auth = await require_auth(request)
    return _ics(await meetings.export_ics(hearth(request), auth, room_id=request.query_params.get("room_id")), "hearth-meetings.ics")


async def one_ics(request: Request) -> Response:
    auth = await require_auth(request)
    return _ics(await meetings.export_ics(hearth(request), auth, meeting_id=_id(request)), f"hearth-meeting-{_id(request)}.ics")


async def meeting_guide_feed(request: Request) -> JSON:
    h = hearth(request)
    if not h.settings.meeting_feed_public:
        await require_auth(request)
    return JSON(await meetings.export_meeting_guide(h), headers={"Access-Control-Allow-Origin": "*"} if h.settings.meeting_feed_public else None)


async def meeting_guide_import(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request, max_bytes=IMPORT_MAX_BYTES)
    return JSON(await meetings.import_meeting_guide(hearth(request), auth, data))


routes = [
    Route("/api/v1/meetings", list_meetings, methods=["GET"]),
    Route("/api/v1/meetings", create_meeting, methods=["POST"]),
    Route("/api/v1/meetings.ics", all_ics, methods=["GET"]),
    Route("/api/v1/meetings/meeting-guide.json", meeting_guide_feed, methods=["GET"]),
    Route("/api/v1/meetings/meeting-guide", meeting_guide_import, methods=["POST"]),
    Route("/api/v1/meetings/{meeting_id:int}", get_meeting, methods=["GET"]),
    Route("/api/v1/meetings/{meeting_id:int}", update_meeting, methods=["PATCH"]),
    Route("/api/v1/meetings/{meeting_id:int}", delete_meeting, methods=["DELETE"]),
    Route("/api/v1/meetings/{meeting_id:int}/reminder", set_reminder, methods=["PUT"]),
    Route("/api/v1/meetings/{meeting_id:int}.ics", one_ics, methods=["GET"]),
]
