"""Who a member has blocked. Reading helpers used by every place that shows
other members' words (rooms, private conversations, forum, search), and the
block / unblock / list actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.pseudonyms import pseudonym_key
from server.actions.accounts import Auth
from server.errors import Forbidden, InvalidField, NotFound
from server.models import Block, User, utcnow
from server.models.accounts import STAFF_ROLES
from server.services import Hearth, Tx


async def blocked_ids(session: AsyncSession, blocker_id: int) -> set[int]:
    """Members whose words `blocker_id` does not want to see."""
    return set(await session.scalars(select(Block.blocked_id).where(Block.blocker_id == blocker_id)))


async def is_blocked_by(session: AsyncSession, author_id: int, reader_id: int) -> bool:
    found = await session.get(Block, (reader_id, author_id))
    return found is not None


def no_block_between(a: Any, b: Any) -> Any:
    """A SQL condition: neither of the two (ids or columns) has blocked the other."""
    return ~exists().where(or_(and_(Block.blocker_id == a, Block.blocked_id == b), and_(Block.blocker_id == b, Block.blocked_id == a)))


async def blocked_by_any(session: AsyncSession, author_id: int, reader_ids: list[int]) -> set[int]:
    """Which of `reader_ids` have blocked `author_id`."""
    if not reader_ids:
        return set()
    rows = await session.scalars(select(Block.blocker_id).where(Block.blocked_id == author_id, Block.blocker_id.in_(reader_ids)))
    return set(rows)


def block_out(block: Block, user: User) -> dict[str, Any]:
    return {"user": {"id": user.id, "pseudonym": user.pseudonym}, "created_at": block.created_at.isoformat()}


def _changed(tx: Tx, blocker_id: int, ids: set[int]) -> None:
    # Only the blocker's own sockets hear of it (they stop showing that member's
    # words at once); the blocked member is never told.
    tx.emit(f"user:{blocker_id}", {"type": "blocks_changed", "blocked_ids": sorted(ids)})


async def _target(session: AsyncSession, pseudonym: object) -> User:
    if not isinstance(pseudonym, str) or not pseudonym.strip() or len(pseudonym) > 128:
        raise InvalidField("Please give the pseudonym of the person to block.")
    user = await session.scalar(select(User).where(User.pseudonym_key == pseudonym_key(pseudonym.strip())))
    if user is None:
        raise NotFound("We couldn't find anyone with that pseudonym.")
    return user


async def block(h: Hearth, auth: Auth, pseudonym: object) -> dict[str, Any]:
    try:
        return await _block(h, auth, pseudonym)
    except IntegrityError:  # the same block from another tab at the same moment: it exists now
        return await _block(h, auth, pseudonym)


async def _block(h: Hearth, auth: Auth, pseudonym: object) -> dict[str, Any]:
    async with h.transaction() as tx:
        user = await _target(tx.session, pseudonym)
        if user.id == auth.user.id:
            raise InvalidField("You can't block yourself.")
        if user.role in STAFF_ROLES:
            # Staff posts carry safety notices and crisis replies; a member who is
            # troubled by a staff member can tell an admin instead.
            raise Forbidden("Staff members can't be blocked. If one of them has upset you, please tell an admin.",
                            code="cannot_block_staff")
        found = await tx.session.get(Block, (auth.user.id, user.id))
        if found is None:
            found = Block(blocker_id=auth.user.id, blocked_id=user.id, created_at=utcnow())
            tx.session.add(found)
            await tx.session.flush()
            _changed(tx, auth.user.id, await blocked_ids(tx.session, auth.user.id))
        return block_out(found, user)


async def unblock(h: Hearth, auth: Auth, user_id: int) -> None:
    async with h.transaction() as tx:
        result = await tx.session.execute(delete(Block).where(Block.blocker_id == auth.user.id, Block.blocked_id == user_id))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound("That person isn't on your block list.")
        _changed(tx, auth.user.id, await blocked_ids(tx.session, auth.user.id))


async def list_blocks(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    async with h.db.read() as session:
        rows = await session.execute(
            select(Block, User).join(User, User.id == Block.blocked_id)
            .where(Block.blocker_id == auth.user.id).order_by(Block.created_at.desc())
        )
        return [block_out(b, u) for b, u in rows]


async def blocked_ids_for(h: Hearth, user_id: int) -> set[int]:
    async with h.db.read() as session:
        return await blocked_ids(session, user_id)
