"""REST for a member's own recovery tools under /api/v1/me/recovery, and the
shared views (Wins, badges, partners, notices) under /api/v1/recovery."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.actions import check_ins, day_counts, early_warning, goals, partner_view, partners, recovery_data, recovery_profile
from server.errors import InvalidField
from server.http.common import JSON, hearth, read_json, require_auth
from server.text import is_whole_number

ME = "/api/v1/me/recovery"
SHARED = "/api/v1/recovery"


def _id(request: Request, name: str) -> int:
    return request.path_params[name]  # type: ignore[no-any-return]


def _no_content() -> Response:
    return Response(status_code=204)


# ---- profile --------------------------------------------------------------------

async def get_profile(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"profile": await recovery_profile.get_profile(hearth(request), auth)})


async def set_profile(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"profile": await recovery_profile.set_profile(hearth(request), auth, await read_json(request))})


# ---- day counts and milestones ------------------------------------------------------

async def list_counters(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"day_counts": await day_counts.list_counters(hearth(request), auth)})


async def create_counter(request: Request) -> JSON:
    auth = await require_auth(request)
    counter = await day_counts.create_counter(hearth(request), auth, await read_json(request))
    return JSON({"day_count": counter}, status_code=201)


async def update_counter(request: Request) -> JSON:
    auth = await require_auth(request)
    counter = await day_counts.update_counter(hearth(request), auth, _id(request, "counter_id"), await read_json(request))
    return JSON({"day_count": counter})


async def delete_counter(request: Request) -> Response:
    auth = await require_auth(request)
    await day_counts.delete_counter(hearth(request), auth, _id(request, "counter_id"))
    return _no_content()


async def new_start(request: Request) -> JSON:
    auth = await require_auth(request)
    counter = await day_counts.new_start(hearth(request), auth, _id(request, "counter_id"), await read_json(request))
    return JSON({"day_count": counter}, status_code=201)


async def milestone_seen(request: Request) -> JSON:
    auth = await require_auth(request)
    counter = await day_counts.mark_seen(hearth(request), auth, _id(request, "counter_id"), request.path_params["key"])
    return JSON({"day_count": counter})


async def milestone_share(request: Request) -> JSON:
    auth = await require_auth(request)
    shared = await day_counts.share_milestone(hearth(request), auth, _id(request, "counter_id"), request.path_params["key"],
                                              await read_json(request))
    return JSON(shared, status_code=201)


async def wins(request: Request) -> JSON:
    auth = await require_auth(request)
    try:
        limit = int(request.query_params.get("limit", "50"))
    except ValueError:
        raise InvalidField("limit must be a whole number.") from None
    return JSON({"wins": await day_counts.list_wins(hearth(request), auth, limit=limit)})


async def cheer(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await day_counts.cheer(hearth(request), auth, _id(request, "milestone_id"), on=True))


async def uncheer(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await day_counts.cheer(hearth(request), auth, _id(request, "milestone_id"), on=False))


async def badges(request: Request) -> JSON:
    auth = await require_auth(request)
    raw = [v for v in request.query_params.get("users", "").split(",") if v]
    if not all(is_whole_number(v) for v in raw):
        raise InvalidField("users must be member ids separated by commas.")
    return JSON({"badges": await day_counts.badges(hearth(request), auth, [int(v) for v in raw])})


# ---- check-ins ----------------------------------------------------------------------

async def list_check_ins(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await check_ins.list_check_ins(hearth(request), auth, request.query_params.get("days", "30")))


async def save_check_in(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await check_ins.save_check_in(hearth(request), auth, await read_json(request)))


async def delete_check_in(request: Request) -> Response:
    auth = await require_auth(request)
    await check_ins.delete_check_in(hearth(request), auth, request.path_params["day"])
    return _no_content()


# ---- goals --------------------------------------------------------------------------

async def list_goals(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"goals": await goals.list_goals(hearth(request), auth)})


async def create_goal(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"goal": await goals.create_goal(hearth(request), auth, await read_json(request))}, status_code=201)


async def update_goal(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"goal": await goals.update_goal(hearth(request), auth, _id(request, "goal_id"), await read_json(request))})


async def delete_goal(request: Request) -> Response:
    auth = await require_auth(request)
    await goals.delete_goal(hearth(request), auth, _id(request, "goal_id"))
    return _no_content()


async def add_step(request: Request) -> JSON:
    auth = await require_auth(request)
    goal = await goals.add_step(hearth(request), auth, _id(request, "goal_id"), await read_json(request))
    return JSON({"goal": goal}, status_code=201)


async def update_step(request: Request) -> JSON:
    auth = await require_auth(request)
    goal = await goals.update_step(hearth(request), auth, _id(request, "goal_id"), _id(request, "step_id"), await read_json(request))
    return JSON({"goal": goal})


async def delete_step(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"goal": await goals.delete_step(hearth(request), auth, _id(request, "goal_id"), _id(request, "step_id"))})


# ---- partners -----------------------------------------------------------------------

async def list_partners(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"partners": await partners.list_partners(hearth(request), auth)})


async def request_partner(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"partnership": await partners.request_partner(hearth(request), auth, await read_json(request))}, status_code=201)


async def accept_partner(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"partnership": await partners.accept_partner(hearth(request), auth, _id(request, "partnership_id"))})


async def end_partner(request: Request) -> Response:
    auth = await require_auth(request)
    await partners.end_partner(hearth(request), auth, _id(request, "partnership_id"))
    return _no_content()


async def view_partner(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await partner_view.partner_view(hearth(request), auth, _id(request, "partnership_id"),
                                                request.query_params.get("days", "30")))


# ---- early warning --------------------------------------------------------------------

async def warning_settings(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await early_warning.settings(hearth(request), auth))


async def add_consent(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"consent": await early_warning.set_consent(hearth(request), auth, await read_json(request))}, status_code=201)


async def remove_consent(request: Request) -> Response:
    auth = await require_auth(request)
    await early_warning.remove_consent(hearth(request), auth, _id(request, "consent_id"))
    return _no_content()


async def notices(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"notices": await early_warning.received(hearth(request), auth)})


# ---- export and delete ------------------------------------------------------------------

async def export(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await recovery_data.export(hearth(request), auth),
                headers={"Content-Disposition": 'attachment; filename="hearth-recovery.json"', "Cache-Control": "no-store"})


async def delete_all(request: Request) -> Response:
    auth = await require_auth(request)
    await recovery_data.delete_all(hearth(request), auth)
    return _no_content()


routes = [
    Route(f"{ME}/profile", get_profile, methods=["GET"]),
    Route(f"{ME}/profile", set_profile, methods=["PUT"]),
    Route(f"{ME}/day-counts", list_counters, methods=["GET"]),
    Route(f"{ME}/day-counts", create_counter, methods=["POST"]),
    Route(f"{ME}/day-counts/{{counter_id:int}}", update_counter, methods=["PATCH"]),
    Route(f"{ME}/day-counts/{{counter_id:int}}", delete_counter, methods=["DELETE"]),
    Route(f"{ME}/day-counts/{{counter_id:int}}/starts", new_start, methods=["POST"]),
    Route(f"{ME}/day-counts/{{counter_id:int}}/milestones/{{key}}/seen", milestone_seen, methods=["POST"]),
    Route(f"{ME}/day-counts/{{counter_id:int}}/milestones/{{key}}/share", milestone_share, methods=["POST"]),
    Route(f"{ME}/check-ins", list_check_ins, methods=["GET"]),
    Route(f"{ME}/check-ins", save_check_in, methods=["POST"]),
    Route(f"{ME}/check-ins/{{day}}", delete_check_in, methods=["DELETE"]),
    Route(f"{ME}/goals", list_goals, methods=["GET"]),
    Route(f"{ME}/goals", create_goal, methods=["POST"]),
    Route(f"{ME}/goals/{{goal_id:int}}", update_goal, methods=["PATCH"]),
    Route(f"{ME}/goals/{{goal_id:int}}", delete_goal, methods=["DELETE"]),
    Route(f"{ME}/goals/{{goal_id:int}}/steps", add_step, methods=["POST"]),
    Route(f"{ME}/goals/{{goal_id:int}}/steps/{{step_id:int}}", update_step, methods=["PATCH"]),
    Route(f"{ME}/goals/{{goal_id:int}}/steps/{{step_id:int}}", delete_step, methods=["DELETE"]),
    Route(f"{ME}/partners", list_partners, methods=["GET"]),
    Route(f"{ME}/partners", request_partner, methods=["POST"]),
    Route(f"{ME}/partners/{{partnership_id:int}}/accept", accept_partner, methods=["POST"]),
    Route(f"{ME}/partners/{{partnership_id:int}}", end_partner, methods=["DELETE"]),
    Route(f"{ME}/partners/{{partnership_id:int}}/view", view_partner, methods=["GET"]),
    Route(f"{ME}/early-warning", warning_settings, methods=["GET"]),
    Route(f"{ME}/early-warning/consents", add_consent, methods=["POST"]),
    Route(f"{ME}/early-warning/consents/{{consent_id:int}}", remove_consent, methods=["DELETE"]),
    Route(f"{ME}/notices", notices, methods=["GET"]),
    Route(f"{ME}/export", export, methods=["GET"]),
    Route(ME, delete_all, methods=["DELETE"]),
    Route(f"{SHARED}/wins", wins, methods=["GET"]),
    Route(f"{SHARED}/wins/{{milestone_id:int}}/cheer", cheer, methods=["POST"]),
    Route(f"{SHARED}/wins/{{milestone_id:int}}/cheer", uncheer, methods=["DELETE"]),
    Route(f"{SHARED}/badges", badges, methods=["GET"]),
]
