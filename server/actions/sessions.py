"""A member's own sessions: see where they are signed in and end any of them.

Dates are given to the day only and nothing identifies a device or a place
(no address, no user agent is ever kept), so the list cannot be used to track
when or where someone uses Hearth."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.accounts import Auth, end_sessions_in, session_is_live
from server.errors import NotFound
from server.models import Session, utcnow
from server.services import Hearth

MAX_LISTED = 100


def session_out(session: Session, auth: Auth) -> dict[str, Any]:
    return {
        "id": session.id,
        "current": session.id == auth.session.id,
        "created_on": session.created_at.date().isoformat(),
        "last_used_on": session.last_used_at.date().isoformat(),
        "expires_on": session.expires_at.date().isoformat(),
        "remember": session.remember,
    }


async def list_sessions(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    """Live sessions only, newest first."""
    now = utcnow()
    async with h.db.read() as db:
        rows = await db.scalars(select(Session).where(Session.user_id == auth.user.id, Session.revoked_at.is_(None),
                                                     Session.expires_at > now).order_by(Session.id.desc()).limit(MAX_LISTED))
        return [session_out(s, auth) for s in rows if session_is_live(h, s, now)]


async def _own_session(db: AsyncSession, auth: Auth, session_id: object) -> Session:
    """The one access check for sessions: someone else's and a missing one look the same."""
    if not isinstance(session_id, int) or isinstance(session_id, bool):
        raise NotFound()
    found = await db.get(Session, session_id)
    if found is None or found.user_id != auth.user.id or found.revoked_at is not None:
        raise NotFound()
    return found


async def end_session(h: Hearth, auth: Auth, session_id: object) -> None:
    """End one session (this one too, which is logging out); its sockets close at once."""
    async with h.transaction() as tx:
        found = await _own_session(tx.session, auth, session_id)
        await tx.session.execute(update(Session).where(Session.id == found.id).values(revoked_at=utcnow()))
        tx.emit(f"user:{auth.user.id}", {"type": "session_ended", "session_id": found.id, "reason": "ended_by_member"})


async def end_other_sessions(h: Hearth, auth: Auth) -> None:
    async with h.transaction() as tx:
        await end_sessions_in(tx, auth.user.id, "ended_by_member", keep=auth.session.id)
