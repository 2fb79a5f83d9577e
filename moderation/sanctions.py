"""Moderator actions, each in one function that writes its `mod_actions` row, its
audit row and the member's notice in the same transaction as its effect:
dismiss, hide / unhide, edit out identifying details, warn, mute (one room or
everywhere), suspend, ban, lock a thread, pause a room.

And the rules that enforce them on the write paths: mutes, suspensions and
bans (`check_may_speak`, `check_may_log_in`) and paused rooms (`room_rules`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation import audit
from moderation.autoflags import check_text, redact_identifying
from moderation.cases import MODERATORS, access_case, action_out, announce, case_out
from moderation.notices import notify
from server.actions.accounts import Auth
from server.errors import Conflict, Forbidden, HearthError, InvalidField, NotFound, RateLimited
from server.models import ForumPost, ForumThread, Message, ModAction, ModCase, ModReport, Room, RoomHost, RoomMode, User
from server.models.accounts import STAFF_ROLES
from server.services import Hearth, Tx
from server.policy_cache import cached
from server.text import clean_body

if TYPE_CHECKING:
    from server.actions.rooms import PostingRoom

CASE_ACTIONS = ("dismiss", "hide", "unhide", "redact", "warn", "mute", "suspend", "ban", "lock", "pause")
HOST_ACTIONS = frozenset({"dismiss", "hide", "redact", "warn", "mute", "pause"})
MEMBER_ACTIONS = ("warn", "mute", "suspend", "ban")
APPEALABLE = frozenset({"hide", "redact", "warn", "mute", "suspend", "ban"})
MAX_MUTE_MINUTES = 30 * 24 * 60
MAX_SUSPEND_MINUTES = 365 * 24 * 60
MAX_PAUSE_MINUTES = 24 * 60

# What the reporter is told, in plain words and never naming who acted.
REPORT_OUTCOMES = {
    "dismiss": "Thank you for your report. A moderator looked at it and decided it could stay. "
               "If something still feels wrong, you can block the person or report again.",
    "hide": "Thank you for your report. A moderator looked at it and hid it from the community.",
    "redact": "Thank you for your report. A moderator took the personal details out of it.",
    "warn": "Thank you for your report. A moderator looked at it and reminded the person of the community guidelines.",
    "mute": "Thank you for your report. A moderator looked at it and paused the person's posting for a while.",
    "suspend": "Thank you for your report. A moderator looked at it and the account is suspended for a while.",
    "ban": "Thank you for your report. A moderator looked at it and the account can no longer take part.",
    "lock": "Thank you for your report. A moderator looked at it and closed the thread to new replies.",
    "pause": "Thank you for your report. A moderator looked at it and slowed the room down for a while.",
    "unhide": "Thank you for your report. A moderator looked at it and decided it could stay.",
}


class Muted(HearthError):
    status = 403
    code = "muted"


class Suspended(HearthError):
    status = 403
    code = "account_suspended"


def _when(moment: datetime) -> str:
    return moment.strftime("%d %B %Y, %H:%M UTC")


# ---- enforcement on the write paths ---------------------------------------------------

@dataclass(frozen=True)
class Sanction:
    """A mute, suspension or ban in force: an immutable copy, so it can be cached."""

    kind: str
    room_id: int | None
    expires_at: datetime | None
    reason: str


SANCTION_KINDS = ("mute", "suspend", "ban")


async def _active(session: AsyncSession, user_id: int, kinds: tuple[str, ...], now: datetime) -> list[Sanction]:
    async def load() -> tuple[Sanction, ...]:
        # Every unlifted one, ended or not: its end is judged at use, against the
        # clock of that moment, so a cached list never outlives a mute's end.
        rows = await session.scalars(select(ModAction).where(
            ModAction.target_user_id == user_id, ModAction.kind.in_(SANCTION_KINDS), ModAction.revoked_at.is_(None))
            .order_by(ModAction.id.desc()))
        return tuple(Sanction(row.kind, row.room_id, row.expires_at, row.reason) for row in rows)

    in_force = await cached(session, ("sanctions", user_id), load)
    return [s for s in in_force if s.kind in kinds and (s.expires_at is None or s.expires_at > now)]


async def check_may_speak(session: AsyncSession, user: User, room_id: int | None, now: datetime) -> None:
    """Mutes (one room, or everywhere), suspensions and bans stop posting at once."""
    for action in await _active(session, user.id, ("mute", "suspend", "ban"), now):
        if action.kind in ("suspend", "ban"):
            raise Suspended("Your account can't post right now. Please see your notices.")
        if action.room_id is None or action.room_id == room_id:
            where = "here" if action.room_id is not None else "on Hearth"
            raise Muted(f"You can't post {where} until {_when(action.expires_at or now)}: a moderator paused your posting "
                        f"because: {action.reason} You can still read, and you can appeal from your notices.")


async def check_may_log_in(session: AsyncSession, user: User, now: datetime) -> None:
    for action in await _active(session, user.id, ("suspend", "ban"), now):
        if action.kind == "ban":
            raise Suspended(f"This account can no longer take part in Hearth: {action.reason} "
                            "If you think this is a mistake, you can appeal once.", code="account_banned")
        raise Suspended(f"This account is suspended until {_when(action.expires_at or now)}: {action.reason} "
                        "If you think this is a mistake, you can appeal once.")


async def is_host(session: AsyncSession, user_id: int, room_id: int) -> bool:
    return await session.get(RoomHost, (room_id, user_id)) is not None


async def room_rules(session: AsyncSession, user: User, room: "Room | PostingRoom", now: datetime, *, new_account: bool) -> None:
    """A room paused during a raid: slow mode, and/or new accounts kept quiet. Staff and hosts exempt."""
    async def load() -> tuple[datetime, int, bool] | None:
        row = await session.get(RoomMode, room.id)
        return None if row is None else (row.until, row.slow_seconds, row.quiet_new)

    mode = await cached(session, ("room_mode", room.id), load)
    if mode is None:
        return
    until, slow_seconds, quiet_new = mode
    if until <= now or user.role in STAFF_ROLES or await is_host(session, user.id, room.id):
        return
    if quiet_new and new_account:
        raise Forbidden("This room is quiet for new accounts for a little while. You can still read, and the forum "
                        "and other rooms are open to you.", code="room_quiet")
    if slow_seconds:
        last = await session.scalar(select(func.max(Message.created_at)).where(Message.room_id == room.id, Message.author_id == user.id))
        if last is not None and (now - last).total_seconds() < slow_seconds:
            wait = int(slow_seconds - (now - last).total_seconds()) + 1
            raise RateLimited(wait, f"This room is in slow mode for a little while. You can post again in {wait} seconds.")


# ---- helpers -----------------------------------------------------------------------------

def _minutes(data: dict[str, Any], most: int, name: str = "minutes") -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
        raise InvalidField(f"{name} must be a whole number from 1 to {most}.")
    return value


def _reason(data: dict[str, Any], default: str | None = None) -> str:
    raw = data.get("reason")
    if (raw is None or raw == "") and default is not None:
        return default
    return clean_body(raw, field="reason", max_chars=1000)


async def _record(tx: Tx, auth: Auth, kind: str, *, case: ModCase | None, member: User | None, target_kind: str,
                  target_id: int, reason: str, now: datetime, notice: str | None = None, room_id: int | None = None,
                  expires_at: datetime | None = None, **detail: Any) -> ModAction:
    action = ModAction(case_id=case.id if case else None, kind=kind, target_user_id=member.id if member else None,
                       target_pseudonym=member.pseudonym if member else "", target_kind=target_kind, target_id=target_id,
                       room_id=room_id, actor_id=auth.user.id, actor_pseudonym=auth.user.pseudonym, reason=reason,
                       notice=notice, detail=detail, created_at=now, expires_at=expires_at)
    tx.session.add(action)
    await tx.session.flush()
    audit.record(tx.session, auth.user, kind, target_kind=target_kind, target_id=target_id,
                 target_pseudonym=member.pseudonym if member else None, reason=reason, at=now,
                 case_id=case.id if case else None, action_id=action.id, room_id=room_id,
                 expires_at=expires_at.isoformat() if expires_at else None, **detail)
    if notice and member is not None:
        await notify(tx, member.id, "action", notice, now, action_id=action.id, appealable=kind in APPEALABLE)
    return action


def _check_target_member(auth: Auth, member: User | None) -> User:
    if member is None:
        raise Conflict("This member has left Hearth.", code="member_gone")
    if member.id == auth.user.id:
        raise Forbidden("You can't take moderation action about yourself: ask another moderator.")
    if member.role in STAFF_ROLES and auth.user.role != "admin":
        raise Forbidden("Staff accounts are looked after by admins.")
    return member


async def _place_name(session: AsyncSession, room_id: int | None) -> str:
    room = await session.get(Room, room_id) if room_id else None
    if room is None:
        return "Hearth"
    return room.name if room.kind == "topic" else "a private conversation"


# ---- the effects ---------------------------------------------------------------------------

async def _message_and_author(tx: Tx, case: ModCase) -> tuple[Message, User | None]:
    message = await tx.session.get(Message, case.target_id)
    if message is None:
        raise Conflict("That message is no longer there.", code="item_gone")
    author = await tx.session.get(User, message.author_id) if message.author_id else None
    return message, author


async def _post_and_thread(tx: Tx, case: ModCase) -> tuple[ForumPost, ForumThread]:
    post = await tx.session.get(ForumPost, case.target_id)
    thread = await tx.session.get(ForumThread, post.thread_id) if post else None
    if post is None or thread is None:
        raise Conflict("That post is no longer there.", code="item_gone")
    return post, thread


async def _release_if_held(h: Hearth, tx: Tx, case: ModCase) -> None:
    from server.actions import forum_moderation, messages

    if case.target_kind == "message":
        message, author = await _message_and_author(tx, case)
        if message.held_at is not None:
            await messages.release_in(tx, message, author)
    elif case.target_kind == "post" and isinstance(case.snapshot, dict) and case.snapshot.get("held"):
        post, thread = await _post_and_thread(tx, case)
        if post.hidden_at is not None:
            await forum_moderation.hide_in(tx, post, thread, False, released=True)


async def _apply(h: Hearth, tx: Tx, auth: Auth, case: ModCase, kind: str, data: dict[str, Any], reason: str,
                 now: datetime) -> ModAction:
    from server.actions import forum, forum_moderation, messages

    member = await tx.session.get(User, case.target_user_id) if case.target_user_id else None
    if kind == "dismiss":
        await _release_if_held(h, tx, case)
        return await _record(tx, auth, kind, case=case, member=member, target_kind=case.target_kind, target_id=case.target_id,
                             reason=reason, now=now)
    if kind in ("hide", "unhide"):
        hidden = kind == "hide"
        if case.target_kind == "message":
            message, author = await _message_and_author(tx, case)
            await messages.hide_in(tx, message, author, hidden, "moderator", now)
            where = await _place_name(tx.session, message.room_id)
        elif case.target_kind == "post":
            post, thread = await _post_and_thread(tx, case)
            await forum_moderation.hide_in(tx, post, thread, hidden)
            where = "the forum"
        else:
            raise InvalidField("Only messages and posts can be hidden; for a member, warn, mute or suspend.")
        notice = (f"A moderator hid your {'message' if case.target_kind == 'message' else 'post'} in {where} because: "
                  f"{reason} Only you and the moderators can still see it. If you think this was a mistake, you can appeal."
                  if hidden else None)
        return await _record(tx, auth, kind, case=case, member=member, target_kind=case.target_kind, target_id=case.target_id,
                             reason=reason, now=now, notice=notice)
    if kind == "redact":
        if case.target_kind == "message":
            message, author = await _message_and_author(tx, case)
            edited = redact_identifying(message.body, check_text(message.body))
            if edited == message.body:
                raise Conflict("We couldn't find identifying details to take out. Hide it instead if it should go.", code="nothing_to_redact")
            await messages.replace_body_in(tx, message, author, edited, now)
            if message.held_at is not None:
                await messages.release_in(tx, message, author)
        elif case.target_kind == "post":
            post, thread = await _post_and_thread(tx, case)
            edited = redact_identifying(post.body, check_text(post.body))
            if edited == post.body:
                raise Conflict("We couldn't find identifying details to take out. Hide it instead if it should go.", code="nothing_to_redact")
            await forum.replace_body_in(tx, post, edited, now)
            await _release_if_held(h, tx, case)
        else:
            raise InvalidField("Details can be taken out of messages and posts only.")
        notice = ("A moderator took personal details (like a phone number, e-mail, address or social handle) out of what you "
                  "wrote, to keep you safe: Hearth works best when nobody can find you outside it. The rest of it is still there.")
        return await _record(tx, auth, kind, case=case, member=member, target_kind=case.target_kind, target_id=case.target_id,
                             reason=reason, now=now, notice=notice)
    if kind == "lock":
        if case.target_kind != "post":
            raise InvalidField("Only forum threads can be locked.")
        post, thread = await _post_and_thread(tx, case)
        await forum_moderation.lock_in(tx, thread, True)
        return await _record(tx, auth, kind, case=case, member=member, target_kind="thread", target_id=thread.id,
                             reason=reason, now=now)
    if kind == "pause":
        if case.place_kind != "room" or case.room_id is None:
            raise InvalidField("Only rooms can be paused.")
        return await _pause(tx, auth, case.room_id, data, reason, now, case=case)
    # Actions on the member.
    room_id = case.room_id if case.place_kind == "room" else None
    return await _member_action(tx, auth, _check_target_member(auth, member), kind, data, reason, now, case=case, case_room=room_id)


async def _member_action(tx: Tx, auth: Auth, member: User, kind: str, data: dict[str, Any], reason: str, now: datetime, *,
                         case: ModCase | None = None, case_room: int | None = None) -> ModAction:
    from server.actions import accounts

    if kind == "warn":
        notice = f"A moderator is reminding you of the community guidelines: {reason} Thank you for helping keep Hearth safe for everyone."
        return await _record(tx, auth, kind, case=case, member=member, target_kind="member", target_id=member.id,
                             reason=reason, now=now, notice=notice)
    if kind == "mute":
        minutes = _minutes(data, MAX_MUTE_MINUTES)
        scope = data.get("scope", "room" if case_room else "everywhere")
        if scope not in ("room", "everywhere"):
            raise InvalidField("scope must be room or everywhere.")
        room_id = data.get("room_id", case_room) if scope == "room" else None
        if scope == "room":
            if not isinstance(room_id, int) or await tx.session.get(Room, room_id) is None:
                raise InvalidField("Say which room the mute is for (room_id).")
            if auth.user.role not in MODERATORS and not await is_host(tx.session, auth.user.id, room_id):
                raise NotFound()
        elif auth.user.role not in MODERATORS:
            raise Forbidden("Room hosts can mute in their own rooms; a site moderator can mute everywhere.")
        until = now + timedelta(minutes=minutes)
        where = f"in {await _place_name(tx.session, room_id)}" if room_id else "anywhere on Hearth"
        notice = (f"A moderator paused your posting {where} until {_when(until)} because: {reason} "
                  "You can still read. If you think this was a mistake, you can appeal.")
        return await _record(tx, auth, kind, case=case, member=member, target_kind="member", target_id=member.id,
                             reason=reason, now=now, notice=notice, room_id=room_id, expires_at=until)
    if kind in ("suspend", "ban"):
        if auth.user.role not in MODERATORS:
            raise Forbidden("Only site moderators can suspend or ban.")
        # The member's row first (as log-in does): a log-in racing this either sees the
        # suspension or made its session before, and then the session ends below.
        await tx.session.execute(select(User.id).where(User.id == member.id).with_for_update(key_share=True))
        until = now + timedelta(minutes=_minutes(data, MAX_SUSPEND_MINUTES)) if kind == "suspend" else None
        notice = (f"Your account is suspended until {_when(until)} because: {reason} You can appeal once."
                  if until else f"Your account can no longer take part in Hearth because: {reason} You can appeal once.")
        action = await _record(tx, auth, kind, case=case, member=member, target_kind="member", target_id=member.id,
                               reason=reason, now=now, notice=notice, expires_at=until)
        # Every session ends now; open sockets close with the reason (the `user:{id}` session_ended event).
        await accounts._revoke_all_sessions(tx, member.id, "suspended" if kind == "suspend" else "banned")
        return action
    raise InvalidField(f"action must be one of: {', '.join(CASE_ACTIONS)}.")


async def _pause(tx: Tx, auth: Auth, room_id: int, data: dict[str, Any], reason: str, now: datetime, *,
                 case: ModCase | None = None) -> ModAction:
    room = await tx.session.get(Room, room_id)
    if room is None or room.kind != "topic":
        raise NotFound()
    if auth.user.role not in MODERATORS and not await is_host(tx.session, auth.user.id, room.id):
        raise NotFound()
    minutes = _minutes(data, MAX_PAUSE_MINUTES)
    slow = data.get("slow_seconds", 30)
    quiet = data.get("quiet_new", True)
    if not isinstance(slow, int) or isinstance(slow, bool) or not 0 <= slow <= 3600 or not isinstance(quiet, bool) or (not slow and not quiet):
        raise InvalidField("A pause needs slow_seconds (0-3600) and/or quiet_new (true: new accounts wait).")
    until = now + timedelta(minutes=minutes)
    mode = await tx.session.get(RoomMode, room.id)
    if mode is None:
        tx.session.add(RoomMode(room_id=room.id, slow_seconds=slow, quiet_new=quiet, until=until, set_by=auth.user.pseudonym, set_at=now))
    else:
        mode.slow_seconds, mode.quiet_new, mode.until, mode.set_by, mode.set_at = slow, quiet, until, auth.user.pseudonym, now
    tx.emit(f"room:{room.id}", {"type": "room_paused", "room_id": room.id, "slow_seconds": slow, "quiet_new": quiet,
                                "until": until.isoformat()})
    return await _record(tx, auth, "pause", case=case, member=None, target_kind="room", target_id=room.id, reason=reason,
                         now=now, room_id=room.id, expires_at=until, slow_seconds=slow, quiet_new=quiet)


async def _tell_reporters(tx: Tx, case: ModCase, kind: str, now: datetime) -> None:
    words = REPORT_OUTCOMES.get(kind, REPORT_OUTCOMES["dismiss"])
    reports = list(await tx.session.scalars(select(ModReport).where(ModReport.case_id == case.id, ModReport.outcome.is_(None))))
    for report in reports:
        report.outcome = words
        await notify(tx, report.reporter_id, "report_outcome", words, now)


# ---- entry points ------------------------------------------------------------------------------

async def act_on_case(h: Hearth, auth: Auth, case_id: object, data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("action")
    if kind not in CASE_ACTIONS:
        raise InvalidField(f"action must be one of: {', '.join(CASE_ACTIONS)}.")
    resolve = data.get("resolve", True)
    if not isinstance(resolve, bool):
        raise InvalidField("resolve must be true or false.")
    reason = _reason(data, "No community guideline was broken." if kind == "dismiss" else None)
    now = h.clock()
    async with h.transaction() as tx:
        case = await access_case(tx.session, auth, case_id, lock=True)
        if case.status == "resolved":
            raise Conflict("This case is already closed.", code="case_resolved")
        if case.status == "claimed" and case.claimed_by != auth.user.id and auth.user.role != "admin":
            raise Conflict("Another moderator holds this case.", code="claimed_by_other")
        if auth.user.role not in MODERATORS and kind not in HOST_ACTIONS:
            raise Forbidden("Room hosts can dismiss, hide, take out details, warn, mute in their room and pause it; "
                            "a site moderator does the rest.")
        if case.status == "open":
            won = await tx.session.execute(update(ModCase).where(ModCase.id == case.id, ModCase.status == "open")
                                           .values(status="claimed", claimed_by=auth.user.id, claimed_at=now, escalate_at=None))
            if won.rowcount != 1:  # type: ignore[attr-defined]
                raise Conflict("Someone else has just taken this case.", code="already_claimed")
            await tx.session.refresh(case)
        action = await _apply(h, tx, auth, case, str(kind), data, reason, now)
        if resolve or kind == "dismiss":
            case.status, case.resolved_at, case.resolved_by = "resolved", now, auth.user.id
            case.outcome, case.outcome_note, case.escalate_at = str(kind), reason, None
            await _tell_reporters(tx, case, str(kind), now)
        await announce(tx, case, "case_resolved" if case.status == "resolved" else "case_updated")
        return {"case": case_out(case, claimer=auth.user.pseudonym), "action": action_out(action)}


async def act_on_member(h: Hearth, auth: Auth, member_id: object, data: dict[str, Any]) -> dict[str, Any]:
    """Warn, mute, suspend or ban a member directly (not from a case)."""
    kind = data.get("action")
    if kind not in MEMBER_ACTIONS:
        raise InvalidField(f"action must be one of: {', '.join(MEMBER_ACTIONS)}.")
    if auth.user.role not in MODERATORS:
        raise Forbidden("Only moderators and admins can do that.")
    reason = _reason(data)
    now = h.clock()
    async with h.transaction() as tx:
        member = await tx.session.get(User, member_id) if isinstance(member_id, int) else None
        if member is None:
            raise NotFound()
        action = await _member_action(tx, auth, _check_target_member(auth, member), str(kind), data, reason, now)
        return action_out(action)


async def lift(h: Hearth, auth: Auth, action_id: object, data: dict[str, Any]) -> dict[str, Any]:
    """End a mute, suspension or ban early."""
    if auth.user.role not in MODERATORS:
        raise Forbidden("Only moderators and admins can do that.")
    reason = _reason(data)
    now = h.clock()
    async with h.transaction() as tx:
        action = await tx.session.get(ModAction, action_id) if isinstance(action_id, int) else None
        if action is None or action.kind not in ("mute", "suspend", "ban"):
            raise NotFound()
        if action.revoked_at is not None:
            raise Conflict("That has already been lifted.", code="already_lifted")
        await revoke_in(tx, auth, action, reason, now)
        return action_out(action)


async def revoke_in(tx: Tx, auth: Auth, action: ModAction, reason: str, now: datetime) -> None:
    action.revoked_at = now
    audit.record(tx.session, auth.user, f"{action.kind}_lifted", target_kind="member", target_id=action.target_user_id,
                 target_pseudonym=action.target_pseudonym, reason=reason, at=now, action_id=action.id)
    if action.target_user_id is not None:
        await notify(tx, action.target_user_id, "action", f"Good news: the {action.kind} on your account has been lifted.", now,
                     action_id=action.id)


async def pause_room(h: Hearth, auth: Auth, room_id: object, data: dict[str, Any]) -> dict[str, Any]:
    reason = _reason(data, "Keeping the room calm for a little while.")
    now = h.clock()
    async with h.transaction() as tx:
        if not isinstance(room_id, int):
            raise NotFound()
        return action_out(await _pause(tx, auth, room_id, data, reason, now))


async def unpause_room(h: Hearth, auth: Auth, room_id: object) -> None:
    now = h.clock()
    async with h.transaction() as tx:
        mode = await tx.session.get(RoomMode, room_id) if isinstance(room_id, int) else None
        if mode is None or (auth.user.role not in MODERATORS and not await is_host(tx.session, auth.user.id, mode.room_id)):
            raise NotFound()
        await tx.session.delete(mode)
        audit.record(tx.session, auth.user, "unpause", target_kind="room", target_id=mode.room_id, at=now)
        tx.emit(f"room:{mode.room_id}", {"type": "room_paused", "room_id": mode.room_id, "slow_seconds": 0, "quiet_new": False,
                                         "until": None})


async def room_mode(h: Hearth, room_id: int) -> dict[str, Any] | None:
    async with h.db.read() as session:
        mode = await session.get(RoomMode, room_id)
    if mode is None or mode.until <= h.clock():
        return None
    return {"slow_seconds": mode.slow_seconds, "quiet_new": mode.quiet_new, "until": mode.until.isoformat()}
