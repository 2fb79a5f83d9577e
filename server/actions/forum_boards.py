"""Forum boards (categories): listing, access, and moderator management."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from moderation import audit
from server.actions.accounts import Auth
from server.errors import Conflict, Forbidden, InvalidField, NotFound
from server.models import ForumBoard, ForumThread, utcnow
from server.services import Hearth
from server.text import clean_body, clean_line

FORUM_MODERATORS = frozenset({"moderator", "admin"})
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")


def is_moderator(auth: Auth) -> bool:
    return auth.user.role in FORUM_MODERATORS


def check_moderator(auth: Auth, what: str = "do that") -> None:
    if not is_moderator(auth):
        raise Forbidden(f"Only moderators can {what}.")


def board_out(board: ForumBoard, thread_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": board.id, "slug": board.slug, "name": board.name,
        "description": board.description, "position": board.position,
        "archived": board.archived_at is not None,
    }
    if thread_count is not None:
        out["thread_count"] = thread_count
    return out


def check_id(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise NotFound()
    return value


async def access_board(session: AsyncSession, auth: Auth, board_id: object) -> ForumBoard:
    """The one place that decides whether someone may see a board (every member may)."""
    board = await session.get(ForumBoard, check_id(board_id))
    if board is None:
        raise NotFound()
    return board


def check_board_open(board: ForumBoard, doing: str) -> None:
    """An archived board keeps its threads readable and takes nothing new."""
    if board.archived_at is not None:
        raise Forbidden(f"This board is archived, so it can't take {doing}. You can still read it.", code="board_archived")


async def list_boards(h: Hearth, auth: Auth, *, include_archived: bool = False) -> list[dict[str, Any]]:
    """Boards in order. Archived ones are listed only for moderators who ask."""
    visible = select(ForumThread.board_id, func.count().label("n")).where(ForumThread.deleted_at.is_(None))
    if not is_moderator(auth):
        visible = visible.where(ForumThread.hidden_at.is_(None))
    counts = visible.group_by(ForumThread.board_id).subquery()
    query = (
        select(ForumBoard, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.board_id == ForumBoard.id)
        .order_by(ForumBoard.position, ForumBoard.id)
    )
    if not (include_archived and is_moderator(auth)):
        query = query.where(ForumBoard.archived_at.is_(None))
    async with h.db.read() as session:
        return [board_out(board, count) for board, count in await session.execute(query)]


async def get_board(h: Hearth, auth: Auth, board_id: object) -> ForumBoard:
    async with h.db.read() as session:
        return await access_board(session, auth, board_id)


def _board_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "slug" in data or not partial:
        slug = data.get("slug")
        if not isinstance(slug, str) or not _SLUG.match(slug):
            raise InvalidField("slug must be 1-48 lowercase letters, digits and dashes.")
        fields["slug"] = slug
    if "name" in data or not partial:
        fields["name"] = clean_line(data.get("name"), field="name", min_chars=2, max_chars=80)
    if "description" in data:
        fields["description"] = clean_body(data["description"], field="description", max_chars=500) if data["description"] else ""
    if "archived" in data and partial:
        if not isinstance(data["archived"], bool):
            raise InvalidField("archived must be true or false.")
        fields["archived"] = data["archived"]
    if "position" in data:
        if not isinstance(data["position"], int) or isinstance(data["position"], bool):
            raise InvalidField("position must be a whole number.")
        fields["position"] = data["position"]
    return fields


async def create_board(h: Hearth, auth: Auth, data: dict[str, Any]) -> ForumBoard:
    check_moderator(auth, "manage boards")
    fields = _board_fields(data, partial=False)
    try:
        async with h.transaction() as tx:
            if "position" not in fields:
                last = await tx.session.scalar(select(func.coalesce(func.max(ForumBoard.position), 0)))
                fields["position"] = (last or 0) + 1
            board = ForumBoard(created_at=utcnow(), **{"description": "", **fields})
            tx.session.add(board)
            await tx.session.flush()
            audit.record(tx.session, auth.user, "create_board", target_kind="board", target_id=board.id, slug=board.slug)
    except IntegrityError:
        raise Conflict("A board with that slug exists already.") from None
    return board


async def update_board(h: Hearth, auth: Auth, board_id: object, data: dict[str, Any]) -> ForumBoard:
    check_moderator(auth, "manage boards")
    fields = _board_fields(data, partial=True)
    try:
        async with h.transaction() as tx:
            board = await access_board(tx.session, auth, board_id)
            archived = fields.pop("archived", None)
            for key, value in fields.items():
                setattr(board, key, value)
            if archived is not None and archived != (board.archived_at is not None):
                board.archived_at = utcnow() if archived else None
                audit.record(tx.session, auth.user, "archive_board" if archived else "restore_board",
                             target_kind="board", target_id=board.id)
    except IntegrityError:
        raise Conflict("A board with that slug exists already.") from None
    return board
