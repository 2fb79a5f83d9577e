"""Moderation endpoints: reports, notices, appeals and trust for members; the
review queue, actions, staff notes, appeals, room hosts, room pauses, watched
words and the audit log for staff. Parse, authenticate, call one action, shape
the reply. The audit log has a GET and nothing else: it cannot be edited here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moderation import appeals, audit, cases, hosts, notices, sanctions, trust, watchlist
from server.http.common import JSON, check_anonymous_write, client_address, hearth, read_json, require_auth

BASE = "/api/v1/moderation"


def _id(request: Request, name: str) -> int:
    return request.path_params[name]  # type: ignore[no-any-return]


# ---- members -----------------------------------------------------------------------------

async def file_report(request: Request) -> JSON:
    auth = await require_auth(request)
    report, created = await cases.file_report(hearth(request), auth, await read_json(request))
    return JSON({"report": report, "duplicate": not created}, status_code=201 if created else 200)


async def my_reports(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"reports": await cases.my_reports(hearth(request), auth)})


async def my_notices(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"notices": await notices.list_notices(hearth(request), auth)})


async def read_notices(request: Request) -> JSON:
    auth = await require_auth(request)
    await notices.mark_read(hearth(request), auth)
    return JSON({"ok": True})


async def my_trust(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"trust": await trust.my_trust(hearth(request), auth)})


async def my_hosting(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"room_ids": await hosts.my_rooms(hearth(request), auth)})


async def file_appeal(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"appeal": await appeals.appeal(hearth(request), auth, data.get("action_id"), data.get("body"))}, status_code=201)


async def my_appeals(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"appeals": await appeals.my_appeals(hearth(request), auth)})


async def appeal_by_login(request: Request) -> JSON:
    check_anonymous_write(request)
    data = await read_json(request)
    found = await appeals.appeal_by_login(hearth(request), data.get("pseudonym"), data.get("password"), data.get("body"),
                                          address=client_address(request))
    return JSON({"appeal": found}, status_code=201)


# ---- the queue and cases ---------------------------------------------------------------------

async def list_cases(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"cases": await cases.queue(hearth(request), auth, dict(request.query_params))})


async def view_case(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"case": await cases.view_case(hearth(request), auth, _id(request, "case_id"))})


async def claim_case(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"case": await cases.claim(hearth(request), auth, _id(request, "case_id"))})


async def release_case(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"case": await cases.release(hearth(request), auth, _id(request, "case_id"))})


async def act_on_case(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await sanctions.act_on_case(hearth(request), auth, _id(request, "case_id"), await read_json(request)))


# ---- members, as staff see them ------------------------------------------------------------

async def member_view(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await cases.member_view(hearth(request), auth, _id(request, "member_id")))


async def act_on_member(request: Request) -> JSON:
    auth = await require_auth(request)
    action = await sanctions.act_on_member(hearth(request), auth, _id(request, "member_id"), await read_json(request))
    return JSON({"action": action}, status_code=201)


async def list_notes(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"notes": await cases.list_notes(hearth(request), auth, _id(request, "member_id"))})


async def add_note(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"note": await cases.add_note(hearth(request), auth, _id(request, "member_id"), data.get("body"))}, status_code=201)


async def set_trust(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    found = await trust.set_level(hearth(request), auth, _id(request, "member_id"), data.get("level"), data.get("reason"))
    return JSON({"trust": found})


async def lift_action(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"action": await sanctions.lift(hearth(request), auth, _id(request, "action_id"), await read_json(request))})


async def list_appeals(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"appeals": await appeals.list_appeals(hearth(request), auth, request.query_params.get("status", "open"))})


async def decide_appeal(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    found = await appeals.decide(hearth(request), auth, _id(request, "appeal_id"), data.get("decision"), data.get("note"))
    return JSON({"appeal": found})


# ---- rooms: hosts and pauses -------------------------------------------------------------------

async def list_hosts(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"hosts": await hosts.list_hosts(hearth(request), auth, _id(request, "room_id"))})


async def add_host(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"host": await hosts.add_host(hearth(request), auth, _id(request, "room_id"), data.get("pseudonym"))}, status_code=201)


async def remove_host(request: Request) -> Response:
    auth = await require_auth(request)
    await hosts.remove_host(hearth(request), auth, _id(request, "room_id"), _id(request, "user_id"))
    return Response(status_code=204)


async def pause_room(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"action": await sanctions.pause_room(hearth(request), auth, _id(request, "room_id"), await read_json(request))},
                status_code=201)


async def unpause_room(request: Request) -> Response:
    auth = await require_auth(request)
    await sanctions.unpause_room(hearth(request), auth, _id(request, "room_id"))
    return Response(status_code=204)


# ---- watched words and the audit log ----------------------------------------------------------

async def list_words(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"watched_words": await watchlist.list_words(hearth(request), auth)})


async def add_word(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"watched_word": await watchlist.add_word(hearth(request), auth, await read_json(request))}, status_code=201)


async def change_word(request: Request) -> JSON:
    auth = await require_auth(request)
    found = await watchlist.change_word(hearth(request), auth, _id(request, "word_id"), await read_json(request))
    return JSON({"watched_word": found})


async def remove_word(request: Request) -> Response:
    auth = await require_auth(request)
    await watchlist.remove_word(hearth(request), auth, _id(request, "word_id"))
    return Response(status_code=204)


async def read_audit(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await audit.list_entries(hearth(request), auth, dict(request.query_params)))


routes = [
    Route("/api/v1/reports", file_report, methods=["POST"]),
    Route("/api/v1/reports/mine", my_reports, methods=["GET"]),
    Route("/api/v1/me/notices", my_notices, methods=["GET"]),
    Route("/api/v1/me/notices/read", read_notices, methods=["POST"]),
    Route("/api/v1/me/trust", my_trust, methods=["GET"]),
    Route("/api/v1/me/hosting", my_hosting, methods=["GET"]),
    Route("/api/v1/appeals", file_appeal, methods=["POST"]),
    Route("/api/v1/appeals/mine", my_appeals, methods=["GET"]),
    Route("/api/v1/auth/appeal", appeal_by_login, methods=["POST"]),
    Route(f"{BASE}/cases", list_cases, methods=["GET"]),
    Route(f"{BASE}/cases/{{case_id:int}}", view_case, methods=["GET"]),
    Route(f"{BASE}/cases/{{case_id:int}}/claim", claim_case, methods=["POST"]),
    Route(f"{BASE}/cases/{{case_id:int}}/release", release_case, methods=["POST"]),
    Route(f"{BASE}/cases/{{case_id:int}}/actions", act_on_case, methods=["POST"]),
    Route(f"{BASE}/members/{{member_id:int}}", member_view, methods=["GET"]),
    Route(f"{BASE}/members/{{member_id:int}}/actions", act_on_member, methods=["POST"]),
    Route(f"{BASE}/members/{{member_id:int}}/notes", list_notes, methods=["GET"]),
    Route(f"{BASE}/members/{{member_id:int}}/notes", add_note, methods=["POST"]),
    Route(f"{BASE}/members/{{member_id:int}}/trust", set_trust, methods=["PUT"]),
    Route(f"{BASE}/actions/{{action_id:int}}/lift", lift_action, methods=["POST"]),
    Route(f"{BASE}/appeals", list_appeals, methods=["GET"]),
    Route(f"{BASE}/appeals/{{appeal_id:int}}/decide", decide_appeal, methods=["POST"]),
    Route(f"{BASE}/rooms/{{room_id:int}}/hosts", list_hosts, methods=["GET"]),
    Route(f"{BASE}/rooms/{{room_id:int}}/hosts", add_host, methods=["POST"]),
    Route(f"{BASE}/rooms/{{room_id:int}}/hosts/{{user_id:int}}", remove_host, methods=["DELETE"]),
    Route(f"{BASE}/rooms/{{room_id:int}}/pause", pause_room, methods=["POST"]),
    Route(f"{BASE}/rooms/{{room_id:int}}/pause", unpause_room, methods=["DELETE"]),
    Route(f"{BASE}/watched-words", list_words, methods=["GET"]),
    Route(f"{BASE}/watched-words", add_word, methods=["POST"]),
    Route(f"{BASE}/watched-words/{{word_id:int}}", change_word, methods=["PATCH"]),
    Route(f"{BASE}/watched-words/{{word_id:int}}", remove_word, methods=["DELETE"]),
    Route(f"{BASE}/audit", read_audit, methods=["GET"]),
]
