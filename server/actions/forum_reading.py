"""What one member does as a reader: reactions, read marks, following threads,
and which content-note kinds they always hide. None of it is shown to others
except reaction counts (never who reacted)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.actions.accounts import Auth
from server.actions.forum_boards import check_id
from server.actions.forum import (
    CONTENT_NOTES, REACTIONS, access_post, access_thread, check_notes, load_viewer, shown_to, split_notes,
)
from server.errors import InvalidField, NotFound
from server.models import ForumFollow, ForumPost, ForumPreference, ForumReaction, ForumReadMark, utcnow
from server.services import Hearth


def _kind(value: object) -> str:
    if value not in REACTIONS:
        raise InvalidField(f"Reactions are {' and '.join(REACTIONS)}.", code="unknown_reaction")
    return str(value)


async def _counts(h: Hearth, post_id: int, user_id: int) -> dict[str, Any]:
    async with h.db.read() as session:
        rows = await session.execute(
            select(ForumReaction.kind, func.count()).where(ForumReaction.post_id == post_id).group_by(ForumReaction.kind)
        )
        counts = {kind: count for kind, count in rows}
        mine = set(await session.scalars(
            select(ForumReaction.kind).where(ForumReaction.post_id == post_id, ForumReaction.user_id == user_id)
        ))
    return {"post_id": post_id, "reactions": {k: counts.get(k, 0) for k in REACTIONS}, "my_reactions": sorted(mine)}


async def react(h: Hearth, auth: Auth, post_id: object, kind: object, on: bool) -> dict[str, Any]:
    """Add or take back one's own reaction. Idempotent both ways."""
    reaction = _kind(kind)
    try:
        async with h.transaction() as tx:
            post, _ = await access_post(tx.session, auth, post_id)
            if post.deleted_at is not None:
                raise NotFound("That post was removed.")
            found = await tx.session.get(ForumReaction, (post.id, auth.user.id, reaction))
            if on and found is None:
                tx.session.add(ForumReaction(post_id=post.id, user_id=auth.user.id, kind=reaction, created_at=utcnow()))
            elif not on and found is not None:
                await tx.session.delete(found)
            target = post.id
    except IntegrityError:
        target = check_id(post_id)  # a second tab reacted at the same moment
    return await _counts(h, target, auth.user.id)


async def mark_read(h: Hearth, auth: Auth, thread_id: object, post_id: object) -> int:
    """Remember how far the member has read (never moves backwards). Read up to
    the last post they are shown, the whole thread is read: a later reply that
    is hidden, or by someone they blocked, must not keep it "new" for ever."""
    if not isinstance(post_id, int) or isinstance(post_id, bool) or post_id <= 0:
        raise InvalidField("post_id must be the id of the last post you read.")
    try:
        async with h.transaction() as tx:
            thread = await access_thread(tx.session, auth, thread_id)
            viewer = await load_viewer(tx.session, auth)
            later = await tx.session.scalar(shown_to(viewer, select(ForumPost.id).where(
                ForumPost.thread_id == thread.id, ForumPost.id > post_id)).limit(1))
            upto = min(post_id, thread.last_post_id) if later is not None else thread.last_post_id
            mark = await tx.session.get(ForumReadMark, (auth.user.id, thread.id))
            if mark is None:
                tx.session.add(ForumReadMark(user_id=auth.user.id, thread_id=thread.id, last_read_post_id=upto))
            else:
                mark.last_read_post_id = max(mark.last_read_post_id, upto)
                upto = mark.last_read_post_id
    except IntegrityError:
        return await mark_read(h, auth, thread_id, post_id)  # another tab inserted the mark first
    return upto


async def follow(h: Hearth, auth: Auth, thread_id: object, on: bool) -> bool:
    try:
        async with h.transaction() as tx:
            thread = await access_thread(tx.session, auth, thread_id)
            found = await tx.session.get(ForumFollow, (auth.user.id, thread.id))
            if on and found is None:
                tx.session.add(ForumFollow(user_id=auth.user.id, thread_id=thread.id, created_at=utcnow()))
            elif not on and found is not None:
                await tx.session.delete(found)
    except IntegrityError:
        pass  # already following, from another tab
    return on


async def preferences(h: Hearth, auth: Auth) -> dict[str, Any]:
    async with h.db.read() as session:
        pref = await session.get(ForumPreference, auth.user.id)
    return {"hidden_note_kinds": split_notes(pref.hidden_note_kinds) if pref else [], "content_notes": list(CONTENT_NOTES)}


async def set_preferences(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    # A reader may hide any number of kinds (a post carries at most four).
    kinds = check_notes(data.get("hidden_note_kinds", []), "hidden_note_kinds", max_kinds=len(CONTENT_NOTES))
    async with h.transaction() as tx:
        pref = await tx.session.get(ForumPreference, auth.user.id)
        if pref is None:
            tx.session.add(ForumPreference(user_id=auth.user.id, hidden_note_kinds=",".join(kinds)))
        else:
            pref.hidden_note_kinds = ",".join(kinds)
    return await preferences(h, auth)
