"""A member's time zone for the recovery tools, and looking members up by pseudonym."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.pseudonyms import pseudonym_key
from server.actions.accounts import Auth
from server.errors import InvalidField, NotFound
from server.models import User, utcnow
from server.models.recovery import RecoveryProfile
from server.recovery.days import check_zone
from server.services import Hearth

DEFAULT_ZONE = "UTC"


async def member_zone(session: AsyncSession, user_id: int) -> str:
    zone = await session.scalar(select(RecoveryProfile.timezone).where(RecoveryProfile.user_id == user_id))
    return zone or DEFAULT_ZONE


async def get_profile(h: Hearth, auth: Auth) -> dict[str, Any]:
    async with h.db.read() as session:
        return {"timezone": await member_zone(session, auth.user.id)}


async def set_profile(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    zone = check_zone(data.get("timezone"))
    async with h.transaction() as tx:
        profile = await tx.session.get(RecoveryProfile, auth.user.id)
        if profile is None:
            tx.session.add(RecoveryProfile(user_id=auth.user.id, timezone=zone, updated_at=utcnow()))
        else:
            profile.timezone, profile.updated_at = zone, utcnow()
    return {"timezone": zone}


async def member_by_pseudonym(session: AsyncSession, value: object) -> User:
    """Missing and unreachable look the same."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise InvalidField("pseudonym must be a member's pseudonym.")
    user = await session.scalar(select(User).where(User.pseudonym_key == pseudonym_key(value.strip())))
    if user is None:
        raise NotFound("We couldn't find a member with that pseudonym. Check the spelling and try again.")
    return user


def flag(data: dict[str, Any], name: str, default: bool | None = None) -> bool | None:
    value = data.get(name, default)
    if value is not None and not isinstance(value, bool):
        raise InvalidField(f"{name} must be true or false.")
    return value
