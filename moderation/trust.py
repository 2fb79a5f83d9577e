"""Trust levels, Discourse-style: new accounts start limited and earn trust
through time and taking part; staff can raise or lower anyone's level.

| level | name | earned by | what changes |
|---|---|---|---|
| 0 | new | an account younger than HEARTH_NEW_ACCOUNT_HOURS | slower message rate, links held for a look, at most a few new threads, repeats watched, kept quiet in rooms paused for a raid |
| 1 | basic | past that | the ordinary limits |
| 2 | member | HEARTH_DM_MIN_ACCOUNT_HOURS old with HEARTH_DM_MIN_MESSAGES messages or posts | may open private conversations with members |
| 3 | regular | 30 days and 200 messages or posts | (recognition) |
| 4 | leader | only given by staff | (recognition) |

The earned level is computed when needed (bounded counts), never stored, so
it cannot go stale; a staff-set level (`trust_overrides`) wins over it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation import audit
from moderation.notices import notify
from server.actions.accounts import Auth
from server.config import Settings
from server.errors import Forbidden, InvalidField, NotFound
from server.models import ForumPost, Message, Room, TrustOverride, User
from server.models.accounts import STAFF_ROLES
from server.services import Hearth
from server.policy_cache import cached

NAMES = ("new", "basic", "member", "regular", "leader")
REGULAR_AGE = timedelta(days=30)
REGULAR_CONTRIBUTIONS = 200
MODERATORS = frozenset({"moderator", "admin"})


async def override_for(session: AsyncSession, user_id: int) -> int | None:
    async def load() -> int | None:
        row = await session.get(TrustOverride, user_id)
        return row.level if row else None

    return await cached(session, ("trust_override", user_id), load)


async def _contributions(session: AsyncSession, user_id: int, cap: int) -> int:
    """Room messages plus forum posts, counted no further than `cap` (cheap for anyone)."""
    messages = select(Message.id).join(Room, Room.id == Message.room_id).where(
        Message.author_id == user_id, Room.kind == "topic", Message.deleted_at.is_(None)).limit(cap).subquery()
    posts = select(ForumPost.id).where(ForumPost.author_id == user_id, ForumPost.deleted_at.is_(None)).limit(cap).subquery()
    counted = await session.scalar(select(func.count()).select_from(messages)) or 0
    if counted < cap:
        counted += await session.scalar(select(func.count()).select_from(posts)) or 0
    return int(counted)


async def level_of(session: AsyncSession, settings: Settings, user: User, now: datetime, *, exact: bool = True) -> int:
    """The member's trust level. With `exact=False` any level above 0 may read as
    1: enough for the send path, which only asks "is this a new account?"."""
    if user.role in STAFF_ROLES:
        return 4
    override = await override_for(session, user.id)
    if override is not None:
        return override
    age = now - user.created_at
    if settings.new_account_hours and age < timedelta(hours=settings.new_account_hours):
        return 0
    if not exact:
        return 1
    done = await _contributions(session, user.id, max(REGULAR_CONTRIBUTIONS, settings.dm_min_messages))
    if age < timedelta(hours=settings.dm_min_account_hours) or done < settings.dm_min_messages:
        return 1
    if age >= REGULAR_AGE and done >= REGULAR_CONTRIBUTIONS:
        return 3
    return 2


async def is_new(session: AsyncSession, settings: Settings, user: User, now: datetime) -> bool:
    return await level_of(session, settings, user, now, exact=False) == 0


def trust_out(level: int, override: int | None) -> dict[str, Any]:
    return {"level": level, "name": NAMES[level], "set_by_staff": override is not None}


async def my_trust(h: Hearth, auth: Auth) -> dict[str, Any]:
    async with h.db.read() as session:
        level = await level_of(session, h.settings, auth.user, h.clock())
        return trust_out(level, await override_for(session, auth.user.id))


async def set_level(h: Hearth, auth: Auth, member_id: object, level: object, reason: object) -> dict[str, Any]:
    """Staff raise or lower a member's level (or give it back to what they earned: null)."""
    from server.text import clean_body

    if auth.user.role not in MODERATORS:
        raise Forbidden("Only moderators and admins can change trust levels.")
    if level is not None and (not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 4):
        raise InvalidField("level must be 0 to 4, or null to go back to the earned level.")
    why = clean_body(reason, field="reason", max_chars=1000)
    if not isinstance(member_id, int):
        raise NotFound()
    now = h.clock()
    async with h.transaction() as tx:
        member = await tx.session.get(User, member_id)
        if member is None or member.role in STAFF_ROLES:
            raise NotFound()
        before = await level_of(tx.session, h.settings, member, now)
        row = await tx.session.get(TrustOverride, member.id)
        if level is None:
            if row is not None:
                await tx.session.delete(row)
        elif row is None:
            tx.session.add(TrustOverride(user_id=member.id, level=level, set_by=auth.user.pseudonym, set_at=now))
        else:
            row.level, row.set_by, row.set_at = level, auth.user.pseudonym, now
        await tx.session.flush()
        after = await level_of(tx.session, h.settings, member, now)
        audit.record(tx.session, auth.user, "trust_set", target_kind="member", target_id=member.id,
                     target_pseudonym=member.pseudonym, reason=why, at=now, before=before, after=after)
        if after < before:
            await notify(tx, member.id, "action", "A moderator has set your account back to the limits for newer members for now: "
                   f"{why} This is about keeping the community safe, not about you as a person.", now)
        return trust_out(after, level)
