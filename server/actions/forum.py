"""Forum threads and posts: start a thread, reply, edit, delete, and read pages.

Each post write is one `h.transaction()`, so moderation (crisis detection) can
be added to every forum write in one place. Events go out after commit on
`thread:{id}` (readers of the thread) and `user:{id}` (followers' notifications,
which carry ids and the title only, never the reply's words)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Iterable

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation import screening
from moderation.crisis import may_be_urgent
from moderation.autoflags import apply_replacements, check_text
from moderation.watchlist import current as current_watchlist
from server.actions.accounts import Auth
from server.actions.blocks import blocked_ids
from server.actions.forum_boards import access_board, board_out, check_board_open, check_id, is_moderator
from server.errors import Forbidden, InvalidField, NotFound
from server.markup import Rendered, render
from server.models import (
    Block, ForumFollow, ForumPost, ForumPreference, ForumReaction, ForumReadMark, ForumThread, User, utcnow,
)
from server.models.accounts import STAFF_ROLES
from server.services import Hearth, Tx
from server.text import clean_body, clean_line, is_whole_number

# Content notes a post can carry; members can choose kinds to always hide.
CONTENT_NOTES = ("relapse", "self-harm", "suicide", "trauma", "abuse", "grief", "substance-use", "medical")
MAX_NOTES = 4
REACTIONS = ("relate", "support")
PAGE_DEFAULT = 25
PAGE_MAX = 100


# ---- who is reading ----------------------------------------------------------

@dataclass(frozen=True)
class Viewer:
    """What shapes a page for one reader: their role, blocks and hidden note kinds."""

    user_id: int
    moderator: bool
    blocked: frozenset[int] = field(default_factory=frozenset)
    muted_notes: frozenset[str] = field(default_factory=frozenset)


async def load_viewer(session: AsyncSession, auth: Auth) -> Viewer:
    pref = await session.get(ForumPreference, auth.user.id)
    return Viewer(
        user_id=auth.user.id, moderator=is_moderator(auth),
        blocked=frozenset(await blocked_ids(session, auth.user.id)),
        muted_notes=frozenset(split_notes(pref.hidden_note_kinds)) if pref else frozenset(),
    )


async def reader_view(h: Hearth, auth: Auth) -> Viewer:
    async with h.db.read() as session:
        return await load_viewer(session, auth)


async def check_thread_readable(h: Hearth, auth: Auth, thread_id: object) -> int:
    async with h.db.read() as session:
        return (await access_thread(session, auth, thread_id)).id


def split_notes(stored: str) -> list[str]:
    return [kind for kind in stored.split(",") if kind]


def check_notes(value: object, field_name: str = "content_notes", *, max_kinds: int = MAX_NOTES) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidField(f"{field_name} must be a list of note kinds.")
    kinds = list(dict.fromkeys(value))
    unknown = [k for k in kinds if k not in CONTENT_NOTES]
    if unknown:
        raise InvalidField(f"{field_name} can hold only these kinds: {', '.join(CONTENT_NOTES)}.", code="unknown_content_note")
    if len(kinds) > max_kinds:
        raise InvalidField(f"A post can carry at most {max_kinds} content notes.")
    return kinds


# ---- shapes --------------------------------------------------------------------

def _author(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "pseudonym": user.pseudonym} if user else None


def post_out(post: ForumPost, author: User | None, *, viewer: Viewer | None = None,
             reactions: dict[str, int] | None = None, mine: Iterable[str] = (), last_read: int | None = None) -> dict[str, Any]:
    """A post as a reader sees it. `body_html` is sanitized HTML; it is null when
    the post was removed, or carries a content note the reader chose to hide."""
    deleted = post.deleted_at is not None
    notes = split_notes(post.content_notes)
    muted = bool(viewer and viewer.muted_notes.intersection(notes)) and not deleted
    out: dict[str, Any] = {
        "id": post.id, "thread_id": post.thread_id, "is_opening": post.is_opening,
        "author": _author(author),
        "body_html": None if deleted or muted else post.body_html,
        "content_notes": notes, "muted_by_note": muted,
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "deleted": deleted,
        "reactions": {kind: (reactions or {}).get(kind, 0) for kind in REACTIONS},
        "my_reactions": sorted(mine),
    }
    if viewer is not None and author is not None and author.id == viewer.user_id and not deleted:
        out["source"] = post.body  # the author's own Markdown, to edit
    if viewer is not None and viewer.moderator:
        out["hidden"] = post.hidden_at is not None
    if last_read is not None:
        out["unread"] = post.id > last_read
    return out


def thread_out(thread: ForumThread, author: User | None, *, notes: list[str] | None = None,
               viewer: Viewer | None = None, last_read: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": thread.id, "board_id": thread.board_id, "title": thread.title, "author": _author(author),
        "created_at": thread.created_at.isoformat(), "last_activity_at": thread.last_activity_at.isoformat(),
        "last_post_id": thread.last_post_id, "reply_count": thread.reply_count,
        "pinned": thread.pinned, "locked": thread.locked_at is not None,
        "content_notes": notes or [],
    }
    if viewer is not None and viewer.moderator:
        out["hidden"] = thread.hidden_at is not None
    if last_read is not None:
        out["unread"] = thread.last_post_id > last_read
        out["last_read_post_id"] = last_read
    return out


# ---- access --------------------------------------------------------------------

async def access_thread(session: AsyncSession, auth: Auth, thread_id: object) -> ForumThread:
    """The one place that decides whether someone may read a thread. Missing,
    withdrawn, hidden (for members) and started by someone the reader blocked
    all look the same: NotFound."""
    thread = await session.get(ForumThread, check_id(thread_id))
    if thread is None or thread.deleted_at is not None:
        raise NotFound()
    if thread.hidden_at is not None and not is_moderator(auth):
        raise NotFound()
    if thread.author_id is not None and await session.get(Block, (auth.user.id, thread.author_id)) is not None:
        raise NotFound()
    return thread


async def access_post(session: AsyncSession, auth: Auth, post_id: object) -> tuple[ForumPost, ForumThread]:
    post = await session.get(ForumPost, check_id(post_id))
    if post is None:
        raise NotFound()
    thread = await access_thread(session, auth, post.thread_id)
    if post.hidden_at is not None and not is_moderator(auth):
        raise NotFound()
    if post.author_id is not None and await session.get(Block, (auth.user.id, post.author_id)) is not None:
        raise NotFound()
    return post, thread


async def _own_post(session: AsyncSession, auth: Auth, post_id: object) -> tuple[ForumPost, ForumThread]:
    post, thread = await access_post(session, auth, post_id)
    if post.author_id != auth.user.id:
        raise Forbidden("You can only change your own posts.")
    if post.deleted_at is not None:
        raise NotFound("That post was removed.")
    return post, thread


def _check_open(thread: ForumThread, auth: Auth, doing: str) -> None:
    if thread.locked_at is not None and not is_moderator(auth):
        raise Forbidden(f"This thread is locked, so it can't take {doing}. You can still read it, or start a new thread.",
                        code="thread_locked")


# ---- writing ---------------------------------------------------------------------

@dataclass(frozen=True)
class Draft:
    body: str
    rendered: Rendered
    notes: list[str]


def _title(h: Hearth, value: object) -> str:
    return clean_line(value, field="title", min_chars=3, max_chars=h.settings.forum_title_max)


def _draft(h: Hearth, auth: Auth, body: object, notes: object) -> Draft:
    text = clean_body(body, max_chars=h.settings.forum_body_max)
    rendered = render(text)
    _check_links(h, auth, rendered)
    return Draft(text, rendered, check_notes(notes))


def _check_links(h: Hearth, auth: Auth, rendered: Rendered) -> None:
    """New accounts may not post links (or only a few): it keeps spam bots out."""
    hours = h.settings.new_account_hours
    if not hours or auth.user.role in STAFF_ROLES or rendered.links <= h.settings.new_account_max_links:
        return
    if utcnow() - auth.user.created_at >= timedelta(hours=hours):
        return
    allowed = h.settings.new_account_max_links
    limit = "links" if allowed == 0 else f"more than {allowed} link{'s' if allowed != 1 else ''}"
    raise Forbidden(
        f"New accounts can't post {limit} yet: it keeps spam away. You can share links after your first "
        f"{hours} hours. Until then, try describing where to find it.",
        code="new_account_links",
    )


def preview(h: Hearth, auth: Auth, body: object) -> dict[str, Any]:
    """Exactly what posting would show, without posting (the same checks run)."""
    draft = _draft(h, auth, body, None)
    return {"body_html": draft.rendered.html, "links": draft.rendered.links}


async def _mark_read(session: AsyncSession, user_id: int, thread_id: int, post_id: int) -> None:
    mark = await session.get(ForumReadMark, (user_id, thread_id))
    if mark is None:
        session.add(ForumReadMark(user_id=user_id, thread_id=thread_id, last_read_post_id=post_id))
    elif mark.last_read_post_id < post_id:
        mark.last_read_post_id = post_id


async def create_thread(h: Hearth, auth: Auth, board_id: object, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    title = _title(h, data.get("title"))
    draft = _draft(h, auth, data.get("body"), data.get("content_notes"))
    await h.limits.check("forum_thread", h.settings.forum_thread_rate, auth.user.id,
                         detail="You've started several threads in a short time. Please wait a little before starting another.")
    async with h.transaction(urgent=lambda: may_be_urgent(f"{title}\n{draft.body}")) as tx:
        board = await access_board(tx.session, auth, board_id)
        check_board_open(board, "new threads")
        now = utcnow()
        new_account = await screening.gate(h, tx, auth, room=None, now=now, rate="post")
        if new_account:
            await h.limits.check("forum_thread_new", h.settings.new_member_thread_rate, auth.user.id,
                                 detail="New accounts can start a few threads a day while they settle in. "
                                        "You're welcome to reply to others meanwhile.")
        thread = ForumThread(board_id=board.id, author_id=auth.user.id, title=title, last_post_id=0,
                             last_activity_at=now, reply_count=0, pinned=False, created_at=now)
        tx.session.add(thread)
        await tx.session.flush()
        post = ForumPost(thread_id=thread.id, author_id=auth.user.id, is_opening=True, body=draft.body,
                         body_html=draft.rendered.html, body_text=draft.rendered.text, search_title=title,
                         content_notes=",".join(draft.notes), created_at=now)
        tx.session.add(post)
        await tx.session.flush()
        thread.last_post_id = post.id
        notice = await _moderate(h, tx, auth.user, post, title, new_account=new_account, thread=thread)
        tx.session.add(ForumFollow(user_id=auth.user.id, thread_id=thread.id, created_at=now))
        tx.session.add(ForumReadMark(user_id=auth.user.id, thread_id=thread.id, last_read_post_id=post.id))
        viewer = Viewer(auth.user.id, is_moderator(auth))
        out = post_out(post, auth.user, viewer=viewer)
        if notice:
            out["held"], out["notice"] = True, notice
        return thread_out(thread, auth.user, notes=draft.notes, viewer=viewer), out


async def reply(h: Hearth, auth: Auth, thread_id: object, data: dict[str, Any]) -> dict[str, Any]:
    draft = _draft(h, auth, data.get("body"), data.get("content_notes"))
    await h.limits.check("forum_reply", h.settings.forum_reply_rate, auth.user.id)
    async with h.transaction(urgent=lambda: may_be_urgent(draft.body)) as tx:
        thread = await access_thread(tx.session, auth, thread_id)
        _check_open(thread, auth, "new replies")
        check_board_open(await access_board(tx.session, auth, thread.board_id), "new replies")
        now = utcnow()
        new_account = await screening.gate(h, tx, auth, room=None, now=now, rate="post")
        post = ForumPost(thread_id=thread.id, author_id=auth.user.id, is_opening=False, body=draft.body,
                         body_html=draft.rendered.html, body_text=draft.rendered.text, search_title="",
                         content_notes=",".join(draft.notes), created_at=now)
        tx.session.add(post)
        await tx.session.flush()
        notice = await _moderate(h, tx, auth.user, post, new_account=new_account)
        if notice:  # held for a moderator: the thread and its followers hear of it once it is let through
            out = post_out(post, auth.user, viewer=Viewer(auth.user.id, is_moderator(auth)))
            out["held"], out["notice"] = True, notice
            return out
        await publish_reply(tx, thread, post, now, count=True)
        await _mark_read(tx.session, auth.user.id, thread.id, post.id)
        _emit_post(tx, "forum_post", post, auth.user)
        if thread.hidden_at is None:
            await notify_followers(tx, thread, post)
        return post_out(post, auth.user, viewer=Viewer(auth.user.id, is_moderator(auth)))


async def publish_reply(tx: Tx, thread: ForumThread, post: ForumPost, now: Any, *, count: bool) -> None:
    """The thread's latest activity becomes this reply (a new one, or a held one let
    through). One UPDATE, so concurrent replies never lose a count; `last_post_id`
    only grows, which keeps board pages from repeating a thread."""
    newest = (func.max if tx.session.get_bind().dialect.name == "sqlite" else func.greatest)(ForumThread.last_post_id, post.id)
    values: dict[str, Any] = {"last_post_id": newest, "last_activity_at": now}
    if count:
        values["reply_count"] = ForumThread.reply_count + 1
    await tx.session.execute(update(ForumThread).where(ForumThread.id == thread.id).values(**values))


async def _moderate(h: Hearth, tx: Tx, author: User, post: ForumPost, title: str = "", *, new_account: bool = False,
                    thread: ForumThread | None = None, edit: bool = False) -> str | None:
    """Automatic flags and crisis detection on forum posts exactly as on chat, in
    the post's own transaction. Returns the author's notice when the post is held
    for a moderator (kept hidden until one lets it through)."""
    from moderation.flags import Place, screen

    checked = f"{title}\n\n{post.body}" if title else post.body
    verdict = await screening.screen(h, author, checked, place="forum", new_account=new_account, edit=edit)  # may refuse
    if verdict.text != checked:  # watched words replaced: in the body (a title keeps its words; it is flagged instead)
        replaced = apply_replacements(post.body, [f for f in check_text(post.body, watched=await current_watchlist(h))
                                                  if f.action == "replace"])
        _set_body(post, replaced)
    if verdict.hold:
        post.hidden_at = utcnow()
        if post.is_opening:
            opening_thread = thread or await tx.session.get(ForumThread, post.thread_id)
            if opening_thread is not None:
                opening_thread.hidden_at = post.hidden_at
    await screening.after_write(h, tx, verdict, author=author, target_kind="post", target_id=post.id, place="forum",
                                room_id=None, thread_id=post.thread_id, body=checked, now=utcnow())

    async def load_context() -> tuple[list[str], list[dict[str, Any]]]:
        since = post.created_at - timedelta(minutes=30)
        recent = await tx.session.scalars(
            select(ForumPost.body_text).where(ForumPost.author_id == author.id, ForumPost.id != post.id,
                                              ForumPost.created_at >= since, ForumPost.deleted_at.is_(None))
            .order_by(ForumPost.id.desc()).limit(4))
        before = await tx.session.execute(
            select(ForumPost.body_text, User.pseudonym, ForumPost.created_at).outerjoin(User, User.id == ForumPost.author_id)
            .where(ForumPost.thread_id == post.thread_id, ForumPost.id < post.id, ForumPost.deleted_at.is_(None))
            .order_by(ForumPost.id.desc()).limit(3))
        context = [{"author": name, "body": text[:1000], "at": at.isoformat()} for text, name, at in before]
        return list(reversed(list(recent))), list(reversed(context))

    text = f"{title}\n\n{post.body_text}" if title else post.body_text
    await screen(h, tx, author, text, Place("forum", post.thread_id, post.id), load_context)
    return verdict.notice if verdict.hold else None


def _set_body(post: ForumPost, body: str) -> None:
    rendered = render(body)
    post.body, post.body_html, post.body_text = body, rendered.html, rendered.text


async def replace_body_in(tx: Tx, post: ForumPost, body: str, now: Any) -> None:
    """A moderator's edit (identifying details taken out), in the caller's transaction."""
    _set_body(post, body)
    post.edited_at = now
    if post.hidden_at is None:
        author = await tx.session.get(User, post.author_id) if post.author_id else None
        _emit_post(tx, "forum_post_edited", post, author)


def _emit_post(tx: Tx, kind: str, post: ForumPost, author: User | None) -> None:
    tx.emit(f"thread:{post.thread_id}", {
        "type": kind, "thread_id": post.thread_id, "author_id": post.author_id, "post": post_out(post, author),
    })


async def notify_followers(tx: Tx, thread: ForumThread, post: ForumPost) -> None:
    """Followers hear that there is a new reply: ids and the title only, never the
    reply's words (a notification can show on a shared screen). Followers who
    blocked the replier hear nothing, and the replier hears nothing of their own."""
    query = select(ForumFollow.user_id).where(ForumFollow.thread_id == thread.id)
    if post.author_id is not None:
        blockers = select(Block.blocker_id).where(Block.blocked_id == post.author_id)
        query = query.where(ForumFollow.user_id != post.author_id, ForumFollow.user_id.not_in(blockers))
    followers = await tx.session.scalars(query)
    for user_id in followers:
        tx.emit(f"user:{user_id}", {
            "type": "forum_notification", "kind": "reply", "thread_id": thread.id, "board_id": thread.board_id,
            "thread_title": thread.title, "post_id": post.id,
        })


async def edit_post(h: Hearth, auth: Auth, post_id: object, data: dict[str, Any]) -> dict[str, Any]:
    """Change one's own post: body, content notes, and (opening post) the title."""
    if not any(k in data for k in ("body", "content_notes", "title")):
        raise InvalidField("Send at least one of body, content_notes or title.")
    draft = _draft(h, auth, data["body"], data.get("content_notes")) if "body" in data else None
    notes = check_notes(data.get("content_notes")) if "content_notes" in data else None
    title = _title(h, data["title"]) if "title" in data else None
    await h.limits.check("forum_reply", h.settings.forum_reply_rate, auth.user.id)
    async with h.transaction(urgent=lambda: may_be_urgent(f"{title or ''}\n{draft.body if draft else ''}")) as tx:
        post, thread = await _own_post(tx.session, auth, post_id)
        _check_open(thread, auth, "edits")
        new_account = await screening.gate(h, tx, auth, room=None, now=utcnow(), rate=None, edit=True)
        if title is not None and not post.is_opening:
            raise InvalidField("Only the first post of a thread has a title.")
        if draft is not None:
            post.body, post.body_html, post.body_text = draft.body, draft.rendered.html, draft.rendered.text
        if notes is not None:
            post.content_notes = ",".join(notes)
        if title is not None:
            thread.title = post.search_title = title
        post.edited_at = utcnow()
        if draft is not None or title is not None:
            await _moderate(h, tx, auth.user, post, thread.title if post.is_opening else "", new_account=new_account, edit=True)
        _emit_post(tx, "forum_post_edited", post, auth.user)
        if title is not None:
            tx.emit(f"thread:{thread.id}", {"type": "forum_thread_updated", "thread_id": thread.id,
                                            "thread": thread_out(thread, auth.user, notes=split_notes(post.content_notes))})
        return post_out(post, auth.user, viewer=Viewer(auth.user.id, is_moderator(auth)))


def _erase(post: ForumPost) -> None:
    post.body = post.body_html = post.body_text = post.search_title = ""


async def delete_post(h: Hearth, auth: Auth, post_id: object) -> dict[str, Any]:
    """Delete one's own post: its words leave the database (and the search index)
    at once. Deleting a thread's first post withdraws the whole thread."""
    async with h.transaction() as tx:
        post, thread = await _own_post(tx.session, auth, post_id)
        now = utcnow()
        _erase(post)
        post.deleted_at = now
        if post.is_opening:
            thread.deleted_at, thread.title = now, ""
            tx.emit(f"thread:{thread.id}", {"type": "forum_thread_removed", "thread_id": thread.id})
        else:
            if post.hidden_at is None:
                thread.reply_count = max(0, thread.reply_count - 1)
            tx.emit(f"thread:{thread.id}", {"type": "forum_post_removed", "thread_id": thread.id, "post_id": post.id,
                                            "reason": "deleted"})
        return post_out(post, auth.user)


# ---- reading -----------------------------------------------------------------------

def _page_size(limit: object) -> int:
    if limit is None or limit == "":
        return PAGE_DEFAULT
    try:
        size = int(str(limit))
    except ValueError:
        raise InvalidField(f"limit must be a whole number between 1 and {PAGE_MAX}.") from None
    if not 1 <= size <= PAGE_MAX:
        raise InvalidField(f"limit must be between 1 and {PAGE_MAX}.")
    return size


def _cursor(value: object) -> int | None:
    if value is None or value == "":
        return None
    raw = str(value)
    if not is_whole_number(raw) or len(raw) > 19:
        raise InvalidField("cursor must be the next_cursor of a previous page.", code="invalid_cursor")
    return int(raw)


def _visible_threads(viewer: Viewer) -> Select[tuple[ForumThread, User | None, str | None, int | None]]:
    opening = ForumPost.__table__.alias("opening")
    query = (
        select(ForumThread, User, opening.c.content_notes, ForumReadMark.last_read_post_id)
        .outerjoin(User, User.id == ForumThread.author_id)
        .outerjoin(opening, (opening.c.thread_id == ForumThread.id) & opening.c.is_opening)
        .outerjoin(ForumReadMark, (ForumReadMark.thread_id == ForumThread.id) & (ForumReadMark.user_id == viewer.user_id))
        .where(ForumThread.deleted_at.is_(None))
    )
    if not viewer.moderator:
        query = query.where(ForumThread.hidden_at.is_(None))
    if viewer.blocked:
        query = query.where((ForumThread.author_id.is_(None)) | ForumThread.author_id.not_in(viewer.blocked))
    return query


def shown_to(viewer: Viewer, query: Select[Any]) -> Select[Any]:
    """Leave out the posts this reader does not get: hidden ones (members) and those by members they blocked."""
    if not viewer.moderator:
        query = query.where(ForumPost.hidden_at.is_(None))
    if viewer.blocked:
        query = query.where((ForumPost.author_id.is_(None)) | ForumPost.author_id.not_in(viewer.blocked))
    return query


def _thread_rows(rows: Any, viewer: Viewer) -> list[dict[str, Any]]:
    return [
        thread_out(thread, author, notes=split_notes(notes or ""), viewer=viewer, last_read=last_read or 0)
        for thread, author, notes, last_read in rows
    ]


async def board_page(h: Hearth, auth: Auth, board_id: object, *, cursor: object = None, limit: object = None) -> dict[str, Any]:
    """Threads by latest activity, newest first. Pinned threads come separately, on
    the first page. The cursor is the `last_post_id` of the page's last thread:
    a thread that gets a reply moves above the cursor, so a page never repeats one."""
    size, after = _page_size(limit), _cursor(cursor)
    async with h.db.read() as session:
        board = await access_board(session, auth, board_id)
        viewer = await load_viewer(session, auth)
        base = _visible_threads(viewer).where(ForumThread.board_id == board.id)
        pinned: list[dict[str, Any]] = []
        if after is None:
            rows = await session.execute(base.where(ForumThread.pinned.is_(True)).order_by(ForumThread.last_post_id.desc()))
            pinned = _thread_rows(rows, viewer)
        query = base.where(ForumThread.pinned.is_(False))
        if after is not None:
            query = query.where(ForumThread.last_post_id < after)
        rows = await session.execute(query.order_by(ForumThread.last_post_id.desc()).limit(size))
        threads = _thread_rows(rows, viewer)
    next_cursor = str(threads[-1]["last_post_id"]) if len(threads) == size else None
    return {"board": board_out(board), "pinned": pinned, "threads": threads, "next_cursor": next_cursor}


async def _reaction_counts(session: AsyncSession, post_ids: list[int], user_id: int) -> tuple[dict[int, dict[str, int]], dict[int, set[str]]]:
    counts: dict[int, dict[str, int]] = {}
    mine: dict[int, set[str]] = {}
    if not post_ids:
        return counts, mine
    rows = await session.execute(
        select(ForumReaction.post_id, ForumReaction.kind, func.count())
        .where(ForumReaction.post_id.in_(post_ids)).group_by(ForumReaction.post_id, ForumReaction.kind)
    )
    for post_id, kind, count in rows:
        counts.setdefault(post_id, {})[kind] = count
    own = await session.execute(
        select(ForumReaction.post_id, ForumReaction.kind).where(ForumReaction.post_id.in_(post_ids), ForumReaction.user_id == user_id)
    )
    for post_id, kind in own:
        mine.setdefault(post_id, set()).add(kind)
    return counts, mine


async def thread_page(h: Hearth, auth: Auth, thread_id: object, *, cursor: object = None, limit: object = None) -> dict[str, Any]:
    """Posts oldest first. The cursor is the id of the page's last post, so new
    replies only ever add to the end: pages stay stable while people write, and
    the last page's cursor fetches whatever was written since."""
    size, after = _page_size(limit), _cursor(cursor)
    async with h.db.read() as session:
        thread = await access_thread(session, auth, thread_id)
        viewer = await load_viewer(session, auth)
        query = shown_to(viewer, select(ForumPost, User).outerjoin(User, User.id == ForumPost.author_id)
                         .where(ForumPost.thread_id == thread.id))
        if after is not None:
            query = query.where(ForumPost.id > after)
        rows = list(await session.execute(query.order_by(ForumPost.id).limit(size)))
        counts, mine = await _reaction_counts(session, [p.id for p, _ in rows], auth.user.id)
        mark = await session.get(ForumReadMark, (auth.user.id, thread.id))
        following = await session.get(ForumFollow, (auth.user.id, thread.id)) is not None
        author = await session.get(User, thread.author_id) if thread.author_id else None
        board = await access_board(session, auth, thread.board_id)
        opening_notes = await session.scalar(
            select(ForumPost.content_notes).where(ForumPost.thread_id == thread.id, ForumPost.is_opening.is_(True))
        )
    last_read = mark.last_read_post_id if mark else 0
    posts = [post_out(p, u, viewer=viewer, reactions=counts.get(p.id), mine=mine.get(p.id, ()), last_read=last_read) for p, u in rows]
    # The cursor is given even on the last page: newer replies are fetched with it later.
    last_seen = posts[-1]["id"] if posts else after
    return {
        "thread": thread_out(thread, author, notes=split_notes(opening_notes or ""), viewer=viewer, last_read=last_read),
        "posts": posts,
        "next_cursor": None if last_seen is None else str(last_seen),
        "has_more": len(posts) == size,
        "following": following,
        "board": board_out(board),
    }


async def get_post(h: Hearth, auth: Auth, post_id: object) -> dict[str, Any]:
    """One post in full, even when its note kind is one the reader hides
    (this is the "show it anyway" the reader asked for)."""
    async with h.db.read() as session:
        post, _ = await access_post(session, auth, post_id)
        viewer = await load_viewer(session, auth)
        author = await session.get(User, post.author_id) if post.author_id else None
        counts, mine = await _reaction_counts(session, [post.id], auth.user.id)
    shown = Viewer(viewer.user_id, viewer.moderator, viewer.blocked, frozenset())
    return post_out(post, author, viewer=shown, reactions=counts.get(post.id), mine=mine.get(post.id, ()))
