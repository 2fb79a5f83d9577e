"""Crisis response endpoints: the specialists' queue and the member's side."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from moderation import concerns, flags, oncall, safety_plans
from moderation.resources import SUPPORT_MESSAGE, load_resources
from server.actions import messages
from server.http.common import JSON, hearth, read_json, require_auth


def _flag_id(request: Request) -> int:
    return request.path_params["flag_id"]  # type: ignore[no-any-return]


async def resources(request: Request) -> JSON:
    # Public: Get help now works before anyone logs in.
    return JSON({"message": SUPPORT_MESSAGE, "resources": list(load_resources(hearth(request).settings.crisis_resources_file))})


async def list_flags(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"flags": await flags.list_flags(hearth(request), auth, request.query_params.get("status", "active"))})


async def view_flag(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"flag": await flags.view_flag(hearth(request), auth, _flag_id(request))})


async def claim(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"flag": await flags.claim(hearth(request), auth, _flag_id(request))})


async def note(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    kind = data.get("kind", "note")
    if kind not in ("note", "debrief"):
        kind = "note"
    return JSON({"note": await flags.add_note(hearth(request), auth, _flag_id(request), data.get("body"), kind)}, status_code=201)


async def hand_over(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"flag": await flags.hand_over(hearth(request), auth, _flag_id(request), data.get("to"), data.get("note"))})


async def resolve(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"flag": await flags.resolve(hearth(request), auth, _flag_id(request), data.get("outcome"), data.get("note"))})


async def open_support(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"conversation": await flags.open_support(hearth(request), auth, _flag_id(request))}, status_code=201)


async def stats(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await flags.stats(hearth(request), auth))


async def false_alarms(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"flags": await flags.false_alarms(hearth(request), auth)})


async def get_on_call(request: Request) -> JSON:
    auth = await require_auth(request)
    oncall.require_role(auth, oncall.ON_CALL_ROLES, "go on call")
    return JSON(await oncall.my_status(hearth(request), auth))


async def set_on_call(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON(await oncall.set_on_call(hearth(request), auth, data.get("on_call")))


async def get_rota(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"slots": await oncall.rota(hearth(request), auth)})


async def put_rota(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"slots": await oncall.replace_rota(hearth(request), auth, data.get("slots"))})


async def concern(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON(await concerns.raise_concern(hearth(request), auth, data.get("member_id"), data.get("message_id")), status_code=202)


async def get_safety_plan(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"safety_plan": await safety_plans.get_plan(hearth(request), auth)})


async def put_safety_plan(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"safety_plan": await safety_plans.save_plan(hearth(request), auth, await read_json(request))})


async def hide_message(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    hidden = data.get("hidden", True)
    message = await messages.set_hidden(hearth(request), auth, request.path_params["message_id"], hidden is not False, data.get("reason"))
    return JSON({"message": message})


async def release_message(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"message": await messages.release_held(hearth(request), auth, request.path_params["message_id"])})


routes = [
    Route("/api/v1/resources", resources, methods=["GET"]),
    Route("/api/v1/crisis/flags", list_flags, methods=["GET"]),
    Route("/api/v1/crisis/flags/{flag_id:int}", view_flag, methods=["GET"]),
    Route("/api/v1/crisis/flags/{flag_id:int}/claim", claim, methods=["POST"]),
    Route("/api/v1/crisis/flags/{flag_id:int}/notes", note, methods=["POST"]),
    Route("/api/v1/crisis/flags/{flag_id:int}/handover", hand_over, methods=["POST"]),
    Route("/api/v1/crisis/flags/{flag_id:int}/resolve", resolve, methods=["POST"]),
    Route("/api/v1/crisis/flags/{flag_id:int}/support", open_support, methods=["POST"]),
    Route("/api/v1/crisis/stats", stats, methods=["GET"]),
    Route("/api/v1/crisis/false-alarms", false_alarms, methods=["GET"]),
    Route("/api/v1/crisis/oncall", get_on_call, methods=["GET"]),
    Route("/api/v1/crisis/oncall", set_on_call, methods=["POST"]),
    Route("/api/v1/crisis/rota", get_rota, methods=["GET"]),
    Route("/api/v1/crisis/rota", put_rota, methods=["PUT"]),
    Route("/api/v1/concerns", concern, methods=["POST"]),
    Route("/api/v1/me/safety-plan", get_safety_plan, methods=["GET"]),
    Route("/api/v1/me/safety-plan", put_safety_plan, methods=["PUT"]),
    Route("/api/v1/messages/{message_id:int}/hide", hide_message, methods=["POST"]),
    Route("/api/v1/messages/{message_id:int}/release", release_message, methods=["POST"]),
]
