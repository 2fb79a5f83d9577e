"""Private conversations, "who may message me" and blocks. History pages and
live messages use the room endpoints and frames with the conversation's id."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from server.actions import blocks, conversations
from server.http.common import JSON, hearth, read_json, require_auth


def _id(request: Request, name: str = "conversation_id") -> int:
    return request.path_params[name]  # type: ignore[no-any-return]


async def list_conversations(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"conversations": await conversations.list_conversations(hearth(request), auth)})


async def open_conversation(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    found, created = await conversations.open_conversation(
        hearth(request), auth, data.get("pseudonym"), purpose=data.get("purpose", "direct")
    )
    return JSON({"conversation": found}, status_code=201 if created else 200)


async def get_conversation(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"conversation": await conversations.get_conversation(hearth(request), auth, _id(request))})


async def mark_read(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    last = await conversations.mark_read(hearth(request), auth, _id(request), data.get("seq"))
    return JSON({"last_read_seq": last})


async def get_prefs(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"messaging": conversations.prefs_out(await conversations.get_prefs(hearth(request), auth))})


async def set_prefs(request: Request) -> JSON:
    auth = await require_auth(request)
    prefs = await conversations.set_prefs(hearth(request), auth, await read_json(request))
    return JSON({"messaging": conversations.prefs_out(prefs)})


async def list_blocks(request: Request) -> JSON:
    auth = await require_auth(request)
    return JSON({"blocks": await blocks.list_blocks(hearth(request), auth)})


async def add_block(request: Request) -> JSON:
    auth = await require_auth(request)
    data = await read_json(request)
    return JSON({"block": await blocks.block(hearth(request), auth, data.get("pseudonym"))}, status_code=201)


async def remove_block(request: Request) -> JSON:
    auth = await require_auth(request)
    await blocks.unblock(hearth(request), auth, _id(request, "user_id"))
    return JSON({"ok": True})


routes = [
    Route("/api/v1/conversations", list_conversations, methods=["GET"]),
    Route("/api/v1/conversations", open_conversation, methods=["POST"]),
    Route("/api/v1/conversations/{conversation_id:int}", get_conversation, methods=["GET"]),
    Route("/api/v1/conversations/{conversation_id:int}/read", mark_read, methods=["POST"]),
    Route("/api/v1/me/messaging", get_prefs, methods=["GET"]),
    Route("/api/v1/me/messaging", set_prefs, methods=["PUT"]),
    Route("/api/v1/blocks", list_blocks, methods=["GET"]),
    Route("/api/v1/blocks", add_block, methods=["POST"]),
    Route("/api/v1/blocks/{user_id:int}", remove_block, methods=["DELETE"]),
]
