"""Forum and search endpoints: parse, authenticate, call one action, shape the reply."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.actions import forum, forum_boards, forum_moderation, forum_reading, search
from server.http.common import JSON, hearth, read_json, require_auth

BASE = "/api/v1/forum"


def _id(request: Request, name: str) -> int:
    return request.path_params[name]  # type: ignore[no-any-return]


async def list_boards(request: Request) -> JSON:
    auth = await require_auth(request)
    include_archived = request.query_params.get("archived") == "true"
    return JSON({"boards": await forum_boards.list_boards(hearth(request), auth, include_archived=include_archived)})


async def create_board(request: Request) -> JSON:
    auth = await require_auth(request)
    board = await forum_boards.create_board(hearth(request), auth, await read_json(request))
    return JSON({"board": forum_boards.board_out(board)}, status_code=201)


async def update_board(request: Request) -> JSON:
    auth = await require_auth(request)
    board = await forum_boards.update_board(hearth(request), auth, _id(request, "board_id"), await read_json(request))
    return JSON({"board": forum_boards.board_out(board)})


async def board_threads(request: Request) -> JSON:
    auth = await require_auth(request)
    q = request.query_params
    return JSON(await forum.board_page(hearth(request), auth, _id(request, "board_id"), cursor=q.get("cursor"), limit=q.get("limit")))


async def create_thread(request: Request) -> JSON:
    auth = await require_auth(request)
    thread, post = await forum.create_thread(hearth(request), auth, _id(request, "board_id"), await read_json(request))
    return JSON({"thread": thread, "post": post}, status_code=201)


async def thread_page(request: Request) -> JSON:
    auth = await require_auth(request)
    q = request.query_params
    return JSON(await forum.thread_page(hearth(request), auth, _id(request, "thread_id"), cursor=q.get("cursor"), limit=q.get("limit")))


async def reply(request: Request) -> JSON:
    auth = await require_auth(request)
    post = await forum.reply(hearth(request), auth, _id(request, "thread_id"), await read_json(request))
    return JSON({"post": post}, status_code=201)


async def get_post(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"post": await forum.get_post(hearth(request), auth, _id(request, "post_id"))})


async def edit_post(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"post": await forum.edit_post(hearth(request), auth, _id(request, "post_id"), await read_json(request))})


async def delete_post(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"post": await forum.delete_post(hearth(request), auth, _id(request, "post_id"))})


async def preview(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON(forum.preview(hearth(request), auth, data.get("body")))


async def react(request: Request) -> JSON:
    auth = await require_auth(request)
    on = request.method == "PUT"
    return JSON(await forum_reading.react(hearth(request), auth, _id(request, "post_id"), request.path_params["kind"], on))


async def mark_read(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    upto = await forum_reading.mark_read(hearth(request), auth, _id(request, "thread_id"), data.get("post_id"))
    return JSON({"last_read_post_id": upto})


async def follow(request: Request) -> JSON:
    auth = await require_auth(request)
    following = await forum_reading.follow(hearth(request), auth, _id(request, "thread_id"), request.method == "PUT")
    return JSON({"following": following})


async def get_preferences(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await forum_reading.preferences(hearth(request), auth))


async def set_preferences(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON(await forum_reading.set_preferences(hearth(request), auth, await read_json(request)))


async def pin(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"thread": await forum_moderation.pin_thread(hearth(request), auth, _id(request, "thread_id"), data.get("pinned"))})


async def lock(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"thread": await forum_moderation.lock_thread(hearth(request), auth, _id(request, "thread_id"), data.get("locked"))})


async def move(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"thread": await forum_moderation.move_thread(hearth(request), auth, _id(request, "thread_id"), data.get("board_id"))})


async def hide(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"post": await forum_moderation.hide_post(hearth(request), auth, _id(request, "post_id"), data.get("hidden"))})


async def run_search(request: Request) -> JSON:
    auth = await require_auth(request)
    q = request.query_params
    return JSON(await search.search(hearth(request), auth, q.get("q"), scope=q.get("scope"), limit=q.get("limit")))


routes = [
    Route(f"{BASE}/boards", list_boards, methods=["GET"]),
    Route(f"{BASE}/boards", create_board, methods=["POST"]),
    Route(f"{BASE}/boards/{{board_id:int}}", update_board, methods=["PATCH"]),
    Route(f"{BASE}/boards/{{board_id:int}}/threads", board_threads, methods=["GET"]),
    Route(f"{BASE}/boards/{{board_id:int}}/threads", create_thread, methods=["POST"]),
    Route(f"{BASE}/threads/{{thread_id:int}}", thread_page, methods=["GET"]),
    Route(f"{BASE}/threads/{{thread_id:int}}/replies", reply, methods=["POST"]),
    Route(f"{BASE}/threads/{{thread_id:int}}/read", mark_read, methods=["POST"]),
    Route(f"{BASE}/threads/{{thread_id:int}}/follow", follow, methods=["PUT", "DELETE"]),
    Route(f"{BASE}/threads/{{thread_id:int}}/pin", pin, methods=["POST"]),
    Route(f"{BASE}/threads/{{thread_id:int}}/lock", lock, methods=["POST"]),
    Route(f"{BASE}/threads/{{thread_id:int}}/move", move, methods=["POST"]),
    Route(f"{BASE}/posts/{{post_id:int}}", get_post, methods=["GET"]),
    Route(f"{BASE}/posts/{{post_id:int}}", edit_post, methods=["PATCH"]),
    Route(f"{BASE}/posts/{{post_id:int}}", delete_post, methods=["DELETE"]),
    Route(f"{BASE}/posts/{{post_id:int}}/hide", hide, methods=["POST"]),
    Route(f"{BASE}/posts/{{post_id:int}}/reactions/{{kind}}", react, methods=["PUT", "DELETE"]),
    Route(f"{BASE}/preview", preview, methods=["POST"]),
    Route(f"{BASE}/preferences", get_preferences, methods=["GET"]),
    Route(f"{BASE}/preferences", set_preferences, methods=["PUT"]),
    Route("/api/v1/search", run_search, methods=["GET"]),
]
