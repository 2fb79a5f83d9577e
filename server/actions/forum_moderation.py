"""Moderator actions on the forum: pin, lock, move, hide.

Each is its own function and writes its audit record (moderation/audit.py) in
its own transaction; `hide_in` and `lock_in` are the effects, which the
review queue's actions (moderation/sanctions.py) reuse. Hidden posts vanish for members and stay
visible, marked, to moderators; hiding a thread's first post hides the thread."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from moderation import audit
from server.actions.accounts import Auth
from server.actions.forum import (
    Viewer, access_post, access_thread, notify_followers, post_out, publish_reply, split_notes, thread_out,
)
from server.actions.forum_boards import access_board, check_board_open, check_moderator
from server.errors import InvalidField
from server.models import ForumPost, ForumThread, User, utcnow
from server.services import Hearth, Tx


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidField(f"{name} must be true or false.")
    return value


async def _thread_changed(tx: Tx, thread: ForumThread, auth: Auth | None) -> dict[str, Any]:
    author = await tx.session.get(User, thread.author_id) if thread.author_id else None
    notes = await tx.session.scalar(
        select(ForumPost.content_notes).where(ForumPost.thread_id == thread.id, ForumPost.is_opening.is_(True))
    )
    event_view = thread_out(thread, author, notes=split_notes(notes or ""), viewer=Viewer(0, moderator=True))
    tx.emit(f"thread:{thread.id}", {"type": "forum_thread_updated", "thread_id": thread.id, "thread": event_view})
    return thread_out(thread, author, notes=split_notes(notes or ""), viewer=Viewer(auth.user.id if auth else 0, moderator=True))


async def pin_thread(h: Hearth, auth: Auth, thread_id: object, pinned: object) -> dict[str, Any]:
    check_moderator(auth, "pin threads")
    flag = _flag(pinned, "pinned")
    async with h.transaction() as tx:
        thread = await access_thread(tx.session, auth, thread_id)
        thread.pinned = flag
        audit.record(tx.session, auth.user, "pin" if flag else "unpin", target_kind="thread", target_id=thread.id)
        return await _thread_changed(tx, thread, auth)


async def lock_thread(h: Hearth, auth: Auth, thread_id: object, locked: object) -> dict[str, Any]:
    check_moderator(auth, "lock threads")
    flag = _flag(locked, "locked")
    async with h.transaction() as tx:
        thread = await access_thread(tx.session, auth, thread_id)
        audit.record(tx.session, auth.user, "lock" if flag else "unlock", target_kind="thread", target_id=thread.id)
        return await lock_in(tx, thread, flag, auth)


async def lock_in(tx: Tx, thread: ForumThread, locked: bool, auth: Auth | None = None) -> dict[str, Any]:
    thread.locked_at = (thread.locked_at or utcnow()) if locked else None
    return await _thread_changed(tx, thread, auth)


async def move_thread(h: Hearth, auth: Auth, thread_id: object, board_id: object) -> dict[str, Any]:
    check_moderator(auth, "move threads")
    async with h.transaction() as tx:
        thread = await access_thread(tx.session, auth, thread_id)
        board = await access_board(tx.session, auth, board_id)
        check_board_open(board, "threads moved into it")
        audit.record(tx.session, auth.user, "move", target_kind="thread", target_id=thread.id, from_board=thread.board_id,
                     to_board=board.id)
        thread.board_id = board.id
        return await _thread_changed(tx, thread, auth)


async def hide_post(h: Hearth, auth: Auth, post_id: object, hidden: object) -> dict[str, Any]:
    """Hide (or bring back) a post. The words stay, for moderators to review."""
    check_moderator(auth, "hide posts")
    flag = _flag(hidden, "hidden")
    async with h.transaction() as tx:
        post, thread = await access_post(tx.session, auth, post_id)
        if flag != (post.hidden_at is not None):
            author = await tx.session.get(User, post.author_id) if post.author_id else None
            audit.record(tx.session, auth.user, "hide" if flag else "unhide", target_kind="post", target_id=post.id,
                         target_pseudonym=author.pseudonym if author else None)
        await hide_in(tx, post, thread, flag, auth)
        author = await tx.session.get(User, post.author_id) if post.author_id else None
        return post_out(post, author, viewer=Viewer(auth.user.id, moderator=True))


async def hide_in(tx: Tx, post: ForumPost, thread: ForumThread, flag: bool, auth: Auth | None = None, *,
                  released: bool = False) -> None:
    """Hide or bring back a post inside the caller's transaction; `released` when it is a
    held post let through, which was never published before."""
    if flag == (post.hidden_at is not None):
        return
    post.hidden_at = utcnow() if flag else None
    if post.is_opening:
        thread.hidden_at = post.hidden_at
        await _thread_changed(tx, thread, auth)
    elif not flag and post.deleted_at is None and (released or post.id > thread.last_post_id):
        # A held reply let through (only a held reply is newer than the thread's last post):
        # now it is the thread's latest activity, counted, and followers hear of it.
        await publish_reply(tx, thread, post, utcnow(), count=True)
        if thread.hidden_at is None:
            await notify_followers(tx, thread, post)
    elif post.deleted_at is None:
        thread.reply_count = max(0, thread.reply_count + (-1 if flag else 1))
    author = await tx.session.get(User, post.author_id) if post.author_id else None
    event: dict[str, Any] = {"type": "forum_post_hidden", "thread_id": thread.id, "post_id": post.id,
                             "hidden": flag, "author_id": post.author_id}
    if not flag:
        event["post"] = post_out(post, author)  # members' pages get it back
    tx.emit(f"thread:{thread.id}", event)
