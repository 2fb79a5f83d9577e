"""Who a member has blocked. Reading helpers used by every place that shows
other members' words (rooms, private conversations, forum, search)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Block


async def blocked_ids(session: AsyncSession, blocker_id: int) -> set[int]:
    """Members whose words `blocker_id` does not want to see."""
    return set(await session.scalars(select(Block.blocked_id).where(Block.blocker_id == blocker_id)))


async def is_blocked_by(session: AsyncSession, author_id: int, reader_id: int) -> bool:
    found = await session.get(Block, (reader_id, author_id))
    return found is not None
