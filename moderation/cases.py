"""Review cases: one per reported or automatically flagged item (a message, a
forum post, a member), gathering every report and flag of it while open.

- Reports: any member, with a reason; a repeat report of an item joins its open
  case (the count goes up once per reporter). The reported member never learns
  who reported (nothing they can reach carries a reporter).
- A private message can only reach a case through a report by a participant;
  the case then holds a copy of it and a few around it, the only way staff
  ever read a private conversation (copying and every viewing are audited).
- Cases about a room with hosts go to its hosts first (`tier = "host"`) and to
  site moderators when untouched for HEARTH_HOST_ESCALATE_SECONDS.
- The queue orders by severity, then age. Claiming is a conditional UPDATE:
  of any number of concurrent claims, exactly one wins."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from moderation import audit
from moderation.autoflags import Finding
from server.actions.accounts import Auth
from server.errors import Conflict, Forbidden, InvalidField, NotFound
from server.models import ForumPost, ForumThread, Message, ModAction, ModCase, ModReport, Room, RoomHost, StaffNote, User
from server.ratelimit import address_key
from server.services import Hearth, Tx
from server.text import clean_body, is_whole_number

MODERATORS = frozenset({"moderator", "admin"})
REASONS = {  # reason -> (severity, words for the member)
    "harassment": (2, "harassment"),
    "drugs": (3, "selling or sourcing drugs"),
    "identifying": (3, "sharing identifying details"),
    "spam": (1, "spam"),
    "other": (1, "something else"),
}
TARGETS = ("message", "post", "member")
MAX_FINDINGS = 20
PRIVATE_BEFORE, PRIVATE_AFTER = 5, 2


# ---- shapes ------------------------------------------------------------------------

def case_out(case: ModCase, *, claimer: str | None = None) -> dict[str, Any]:
    item = case.snapshot.get("item", {}) if isinstance(case.snapshot, dict) else {}
    return {
        "id": case.id, "source": case.source, "status": case.status, "tier": case.tier,
        "target": {"kind": case.target_kind, "id": case.target_id,
                   "member": {"id": case.target_user_id, "pseudonym": case.target_pseudonym}},
        "place": {"kind": case.place_kind, "room_id": case.room_id, "thread_id": case.thread_id},
        "reasons": case.reasons, "severity": case.severity, "report_count": case.report_count,
        "excerpt": (item.get("body") or "")[:280] if isinstance(item, dict) else "",
        "created_at": case.created_at.isoformat(), "updated_at": case.updated_at.isoformat(),
        "claimed_by": {"id": case.claimed_by, "pseudonym": claimer} if case.claimed_by else None,
        "escalated": case.escalated_at is not None,
        "outcome": case.outcome,
    }


def report_out(report: ModReport, case: ModCase) -> dict[str, Any]:
    """The reporter's own view: what they reported and, once decided, what came of it."""
    return {"id": report.id, "target": {"kind": case.target_kind, "id": case.target_id}, "reason": report.reason,
            "created_at": report.created_at.isoformat(), "status": "closed" if report.outcome else "open",
            "outcome": report.outcome}


# ---- who may handle a case ------------------------------------------------------------

async def hosted_rooms(session: AsyncSession, user_id: int) -> list[int]:
    return list(await session.scalars(select(RoomHost.room_id).where(RoomHost.user_id == user_id)))


async def may_handle(session: AsyncSession, user: User, case: ModCase) -> bool:
    """Site moderators handle every case; a room's hosts the cases about their room,
    never one about themselves."""
    if case.target_user_id == user.id and user.role != "admin":
        return False
    if user.role in MODERATORS:
        return True
    if case.room_id is None or case.place_kind != "room":
        return False
    return await session.get(RoomHost, (case.room_id, user.id)) is not None


async def access_case(session: AsyncSession, auth: Auth, case_id: object, *, lock: bool = False) -> ModCase:
    """The one access check for cases: missing and not-yours are both NotFound."""
    if not isinstance(case_id, int) or isinstance(case_id, bool):
        raise NotFound()
    query = select(ModCase).where(ModCase.id == case_id)
    found = await session.scalar(query.with_for_update() if lock else query)
    if found is None or not await may_handle(session, auth.user, found):
        raise NotFound()
    return found


async def _host_ids(session: AsyncSession, room_id: int | None) -> list[int]:
    if room_id is None:
        return []
    return list(await session.scalars(select(RoomHost.user_id).where(RoomHost.room_id == room_id)))


async def announce(tx: Tx, case: ModCase, kind: str) -> None:
    """Live queue updates: site moderators on `staff`; hosts on their own channel."""
    claimer = await tx.session.get(User, case.claimed_by) if case.claimed_by else None
    event = {"type": kind, "case": case_out(case, claimer=claimer.pseudonym if claimer else None)}
    if case.tier == "site" or case.status != "open" or case.escalated_at is not None:
        tx.emit("staff", event)
    if case.place_kind == "room":
        for host in await _host_ids(tx.session, case.room_id):
            if host != case.target_user_id:
                tx.emit(f"user:{host}", event)


# ---- gathering reports and flags into cases -----------------------------------------------

async def gather(h: Hearth, tx: Tx, *, source: str, target_kind: str, target_id: int, target_user: User | None,
                 place_kind: str, room_id: int | None, thread_id: int | None, reasons: Iterable[str],
                 findings: Iterable[Finding] = (), severity: int, snapshot: dict[str, Any], now: datetime,
                 quiet: bool = False) -> tuple[ModCase, bool]:
    """Open a case for the item, or add to its open one. Returns (case, created)."""
    reasons, found_dicts = list(reasons), [f.to_dict() for f in findings]
    existing = await _open_case(tx.session, target_kind, target_id)
    created = False
    if existing is None:
        tier = "host" if place_kind == "room" and await _host_ids(tx.session, room_id) else "site"
        fresh = ModCase(
            source=source, status="open", tier=tier, target_kind=target_kind, target_id=target_id,
            target_user_id=target_user.id if target_user else None, target_pseudonym=target_user.pseudonym if target_user else "",
            place_kind=place_kind, room_id=room_id, thread_id=thread_id, reasons=sorted(set(reasons)),
            findings=found_dicts[:MAX_FINDINGS], severity=severity, report_count=0, snapshot=snapshot,
            created_at=now, updated_at=now,
            escalate_at=now + timedelta(seconds=h.settings.host_escalate_seconds) if tier == "host" else None,
        )
        try:
            async with tx.session.begin_nested():  # a concurrent first report of the same item wins the unique key
                tx.session.add(fresh)
                await tx.session.flush()
            created = True
            existing = fresh
        except IntegrityError:
            existing = await _open_case(tx.session, target_kind, target_id)
            assert existing is not None
    if not created:
        existing.reasons = sorted(set(existing.reasons) | set(reasons))
        existing.findings = (list(existing.findings) + found_dicts)[-MAX_FINDINGS:]
        existing.severity = max(existing.severity, severity)
        existing.updated_at = now
    if not quiet:  # a report announces once its count is in
        await announce(tx, existing, "case_opened" if created else "case_updated")
    return existing, created


async def _open_case(session: AsyncSession, target_kind: str, target_id: int) -> ModCase | None:
    return await session.scalar(select(ModCase).where(
        ModCase.target_kind == target_kind, ModCase.target_id == target_id, ModCase.status != "resolved"))


def _message_copy(message: Message, author: User | None) -> dict[str, Any]:
    return {"id": message.id, "author": author.pseudonym if author else None, "body": message.body,
            "at": message.created_at.isoformat(), "deleted": message.deleted_at is not None}


async def _message_target(session: AsyncSession, auth: Auth, message_id: int) -> tuple[Message, Room, User | None, dict[str, Any]]:
    from server.actions.rooms import access_room

    message = await session.get(Message, message_id)
    if message is None or message.deleted_at is not None:
        raise NotFound()
    room = await access_room(session, auth, message.room_id)  # a private message: only its two participants get past this
    if message.held_at is not None and message.author_id != auth.user.id:
        raise NotFound()
    author = await session.get(User, message.author_id) if message.author_id else None
    snapshot: dict[str, Any] = {"item": _message_copy(message, author)}
    if room.kind == "direct":
        around = []
        for newer, limit in ((False, PRIVATE_BEFORE), (True, PRIVATE_AFTER)):
            rows = await session.execute(
                select(Message, User).outerjoin(User, User.id == Message.author_id)
                .where(Message.room_id == room.id, Message.deleted_at.is_(None),
                       Message.id > message.id if newer else Message.id < message.id)
                .order_by(Message.id if newer else Message.id.desc()).limit(limit))
            around.extend(_message_copy(m, u) for m, u in rows)
        snapshot["context"] = sorted(around, key=lambda m: m["id"])
        snapshot["private"] = True
    return message, room, author, snapshot


async def file_report(h: Hearth, auth: Auth, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """A member reports a message, a post or a member. Returns (report, created)."""
    kind, target_id, reason = data.get("kind"), data.get("id"), data.get("reason")
    if kind not in TARGETS:
        raise InvalidField("kind must be message, post or member.")
    if not isinstance(target_id, int) or isinstance(target_id, bool) or target_id <= 0:
        raise InvalidField("id must be the id of what you're reporting.")
    if reason not in REASONS:
        raise InvalidField("reason must be one of: harassment, drugs, identifying, spam, other.")
    note = data.get("text")
    text = clean_body(note, field="text", max_chars=1000) if note else ""
    if reason == "other" and not text:
        raise InvalidField("Please tell us a little about what's wrong, so a moderator knows what to look for.")
    await h.limits.check("report", h.settings.report_rate, auth.user.id,
                         detail="You've sent a lot of reports in a short time. Thank you for looking out for people; "
                                "please wait a little before sending more.")
    if auth.address:
        await h.limits.check("report_address", h.settings.address_report_rate, address_key(h.settings.secret_key, auth.address))
    now = h.clock()
    async with h.transaction() as tx:
        room_id = thread_id = None
        place = "profile"
        if kind == "message":
            message, room, target_user, snapshot = await _message_target(tx.session, auth, target_id)
            place, room_id = ("room" if room.kind == "topic" else "conversation"), room.id
        elif kind == "post":
            from server.actions.forum import access_post

            post, thread = await access_post(tx.session, auth, target_id)
            if post.deleted_at is not None:
                raise NotFound()
            target_user = await tx.session.get(User, post.author_id) if post.author_id else None
            snapshot = {"item": {"id": post.id, "author": target_user.pseudonym if target_user else None,
                                 "body": post.body, "title": thread.title if post.is_opening else None,
                                 "at": post.created_at.isoformat()}}
            place, thread_id = "forum", thread.id
        else:
            target_user = await tx.session.get(User, target_id)
            if target_user is None:
                raise NotFound()
            snapshot = {"item": {"id": target_user.id, "pseudonym": target_user.pseudonym, "body": target_user.pseudonym}}
        if target_user is not None and target_user.id == auth.user.id:
            raise InvalidField("That's yours: you can edit or remove it yourself instead of reporting it.")
        severity = REASONS[str(reason)][0]
        case, created = await gather(h, tx, source="report", target_kind=str(kind), target_id=target_id, target_user=target_user,
                                      place_kind=place, room_id=room_id, thread_id=thread_id, reasons=[str(reason)],
                                      severity=severity, snapshot=snapshot, now=now, quiet=True)
        mine = await tx.session.scalar(select(ModReport).where(ModReport.case_id == case.id, ModReport.reporter_id == auth.user.id))
        if mine is not None:
            return report_out(mine, case), False  # one reporter counts once per item
        report = ModReport(case_id=case.id, reporter_id=auth.user.id, reason=str(reason), text=text, created_at=now)
        tx.session.add(report)
        # One UPDATE, so concurrent reports never lose a count.
        await tx.session.execute(update(ModCase).where(ModCase.id == case.id).values(report_count=ModCase.report_count + 1))
        await tx.session.flush()
        await tx.session.refresh(case)
        await announce(tx, case, "case_opened" if created else "case_updated")
        if snapshot.get("private"):
            audit.record(tx.session, None, "private_messages_copied", target_kind="case", target_id=case.id, at=now,
                         room_id=room_id, messages=1 + len(snapshot.get("context", [])))
        return report_out(report, case), True


async def my_reports(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    async with h.db.read() as session:
        rows = await session.execute(select(ModReport, ModCase).join(ModCase, ModCase.id == ModReport.case_id)
                                     .where(ModReport.reporter_id == auth.user.id).order_by(ModReport.id.desc()).limit(100))
        return [report_out(r, c) for r, c in rows]


# ---- the queue ------------------------------------------------------------------------------

_STATUS = {"active": ("open", "claimed"), "open": ("open",), "claimed": ("claimed",), "resolved": ("resolved",)}


async def queue(h: Hearth, auth: Auth, filters: dict[str, str]) -> list[dict[str, Any]]:
    """Open cases, most severe first, then oldest first. Site moderators see every
    case (filter `tier=host|site`); hosts see the cases about their rooms."""
    unknown = set(filters) - {"status", "source", "reason", "place", "tier", "room_id", "mine", "limit"}
    if unknown:
        raise InvalidField(f"Unknown filter: {', '.join(sorted(unknown))}.")
    status = filters.get("status", "active")
    if status not in _STATUS:
        raise InvalidField("status must be active, open, claimed or resolved.")
    async with h.db.read() as session:
        query = select(ModCase, User.pseudonym).outerjoin(User, User.id == ModCase.claimed_by).where(ModCase.status.in_(_STATUS[status]))
        if auth.user.role not in MODERATORS:
            rooms = await hosted_rooms(session, auth.user.id)
            if not rooms:
                raise Forbidden("Only moderators and room hosts can see the review queue.")
            query = query.where(ModCase.place_kind == "room", ModCase.room_id.in_(rooms),
                                or_(ModCase.target_user_id.is_(None), ModCase.target_user_id != auth.user.id))
        for name, column in (("source", ModCase.source), ("place", ModCase.place_kind), ("tier", ModCase.tier)):
            if filters.get(name):
                query = query.where(column == filters[name])
        if filters.get("room_id"):
            if not is_whole_number(filters["room_id"]):
                raise InvalidField("room_id must be a whole number.")
            query = query.where(ModCase.room_id == int(filters["room_id"]))
        if filters.get("mine") == "true":
            query = query.where(ModCase.claimed_by == auth.user.id)
        if status == "resolved":
            query = query.order_by(ModCase.resolved_at.desc())
        else:
            query = query.order_by(ModCase.severity.desc(), ModCase.created_at, ModCase.id)
        rows = await session.execute(query.limit(200))
        out = [case_out(c, claimer=name) for c, name in rows]
    if filters.get("reason"):
        out = [c for c in out if filters["reason"] in c["reasons"]]
    return out[:100]


async def claim(h: Hearth, auth: Auth, case_id: object) -> dict[str, Any]:
    now = h.clock()
    async with h.transaction() as tx:
        await access_case(tx.session, auth, case_id)
        won = await tx.session.execute(update(ModCase).where(ModCase.id == case_id, ModCase.status == "open")
                                       .values(status="claimed", claimed_by=auth.user.id, claimed_at=now, escalate_at=None))
        if won.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("Someone else has just taken this case.", code="already_claimed")
        found = await access_case(tx.session, auth, case_id)
        await tx.session.refresh(found)
        audit.record(tx.session, auth.user, "case_claimed", target_kind="case", target_id=found.id,
                     target_pseudonym=found.target_pseudonym, at=now)
        await announce(tx, found, "case_updated")
        return case_out(found, claimer=auth.user.pseudonym)


async def release(h: Hearth, auth: Auth, case_id: object) -> dict[str, Any]:
    """Give a claimed case back to the queue."""
    now = h.clock()
    async with h.transaction() as tx:
        found = await access_case(tx.session, auth, case_id, lock=True)
        if found.status != "claimed" or (found.claimed_by != auth.user.id and auth.user.role != "admin"):
            raise Conflict("Only the person holding this case can give it back.", code="not_holder")
        found.status, found.claimed_by, found.claimed_at = "open", None, None
        audit.record(tx.session, auth.user, "case_released", target_kind="case", target_id=found.id, at=now)
        await announce(tx, found, "case_updated")
        return case_out(found)


# ---- one case, in full ----------------------------------------------------------------------

def action_out(action: ModAction) -> dict[str, Any]:
    return {"id": action.id, "case_id": action.case_id, "kind": action.kind, "target": {"kind": action.target_kind, "id": action.target_id},
            "member": {"id": action.target_user_id, "pseudonym": action.target_pseudonym}, "room_id": action.room_id,
            "by": action.actor_pseudonym, "reason": action.reason, "notice": action.notice,
            "created_at": action.created_at.isoformat(),
            "expires_at": action.expires_at.isoformat() if action.expires_at else None,
            "revoked": action.revoked_at is not None}


def note_out(note: StaffNote) -> dict[str, Any]:
    return {"id": note.id, "author": note.author_pseudonym, "body": note.body, "created_at": note.created_at.isoformat()}


async def _current_item(session: AsyncSession, found: ModCase) -> dict[str, Any] | None:
    """The item as it is now (hidden, held, deleted, edited), for the public places.
    A private message is only ever shown from the case's copy."""
    if found.target_kind == "message" and found.place_kind == "room":
        message = await session.get(Message, found.target_id)
        if message is None:
            return None
        return {"id": message.id, "room_id": message.room_id, "body": None if message.deleted_at else message.body,
                "deleted": message.deleted_at is not None, "hidden": message.hidden_at is not None,
                "held": message.held_at is not None, "edited": message.edited_at is not None}
    if found.target_kind == "post":
        post = await session.get(ForumPost, found.target_id)
        if post is None:
            return None
        thread = await session.get(ForumThread, post.thread_id)
        return {"id": post.id, "thread_id": post.thread_id, "body": None if post.deleted_at else post.body,
                "deleted": post.deleted_at is not None, "hidden": post.hidden_at is not None,
                "thread_locked": bool(thread and thread.locked_at), "is_opening": post.is_opening}
    if found.target_kind == "member":
        member = await session.get(User, found.target_id)
        return {"id": found.target_id, "pseudonym": member.pseudonym if member else found.target_pseudonym}
    return None


async def _room_context(session: AsyncSession, found: ModCase) -> list[dict[str, Any]]:
    if found.target_kind != "message" or found.place_kind != "room":
        return list(found.snapshot.get("context", [])) if isinstance(found.snapshot, dict) else []
    rows = []
    for newer in (False, True):
        part = await session.execute(
            select(Message, User).outerjoin(User, User.id == Message.author_id)
            .where(Message.room_id == found.room_id, Message.deleted_at.is_(None), Message.held_at.is_(None),
                   Message.id > found.target_id if newer else Message.id < found.target_id)
            .order_by(Message.id if newer else Message.id.desc()).limit(3))
        rows.extend(_message_copy(m, u) for m, u in part)
    return sorted(rows, key=lambda m: m["id"])


async def member_history(session: AsyncSession, member_id: int | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if member_id is None:
        return [], []
    actions = await session.scalars(select(ModAction).where(ModAction.target_user_id == member_id).order_by(ModAction.id.desc()).limit(50))
    notes = await session.scalars(select(StaffNote).where(StaffNote.member_id == member_id).order_by(StaffNote.id.desc()).limit(50))
    return [action_out(a) for a in actions], [note_out(n) for n in notes]


async def view_case(h: Hearth, auth: Auth, case_id: object) -> dict[str, Any]:
    """The item, its context, the reports, the author's prior actions and staff notes.
    Hosts (members) see report counts and reasons but never who reported, nor staff notes."""
    now = h.clock()
    async with h.transaction() as tx:
        found = await access_case(tx.session, auth, case_id)
        claimer = await tx.session.get(User, found.claimed_by) if found.claimed_by else None
        out = case_out(found, claimer=claimer.pseudonym if claimer else None)
        site = auth.user.role in MODERATORS
        out["item"] = await _current_item(tx.session, found)
        out["snapshot"] = found.snapshot
        out["context"] = await _room_context(tx.session, found)
        out["findings"] = found.findings
        reports = await tx.session.execute(select(ModReport, User.pseudonym).join(User, User.id == ModReport.reporter_id)
                                           .where(ModReport.case_id == found.id).order_by(ModReport.id))
        out["reports"] = [{"reason": r.reason, "text": r.text, "at": r.created_at.isoformat(),
                           **({"reporter": name} if site else {})} for r, name in reports]
        prior, notes = await member_history(tx.session, found.target_user_id)
        out["prior_actions"] = prior
        out["notes"] = notes if site else []
        case_actions = await tx.session.scalars(select(ModAction).where(ModAction.case_id == found.id).order_by(ModAction.id))
        out["actions"] = [action_out(a) for a in case_actions]
        if isinstance(found.snapshot, dict) and found.snapshot.get("private"):
            audit.record(tx.session, auth.user, "private_case_viewed", target_kind="case", target_id=found.id,
                         target_pseudonym=found.target_pseudonym, at=now)
        return out


# ---- staff notes on members -------------------------------------------------------------------

def _require_moderator(auth: Auth, what: str) -> None:
    if auth.user.role not in MODERATORS:
        raise Forbidden(f"Only moderators and admins can {what}.")


async def _member(session: AsyncSession, member_id: object) -> User:
    member = await session.get(User, member_id) if isinstance(member_id, int) and not isinstance(member_id, bool) else None
    if member is None:
        raise NotFound()
    return member


async def member_view(h: Hearth, auth: Auth, member_id: object) -> dict[str, Any]:
    from moderation import trust

    _require_moderator(auth, "look up members")
    async with h.db.read() as session:
        member = await _member(session, member_id)
        prior, notes = await member_history(session, member.id)
        level = await trust.level_of(session, h.settings, member, h.clock())
        override = await trust.override_for(session, member.id)
        return {"member": {"id": member.id, "pseudonym": member.pseudonym, "role": member.role,
                           "joined": member.created_at.strftime("%Y-%m")},
                "trust": trust.trust_out(level, override), "actions": prior, "notes": notes}


async def add_note(h: Hearth, auth: Auth, member_id: object, body: object) -> dict[str, Any]:
    _require_moderator(auth, "write staff notes")
    text = clean_body(body, field="note", max_chars=4000)
    now = h.clock()
    async with h.transaction() as tx:
        member = await _member(tx.session, member_id)
        note = StaffNote(member_id=member.id, author_pseudonym=auth.user.pseudonym, body=text, created_at=now)
        tx.session.add(note)
        await tx.session.flush()
        audit.record(tx.session, auth.user, "staff_note_added", target_kind="member", target_id=member.id,
                     target_pseudonym=member.pseudonym, at=now)
        return note_out(note)


async def list_notes(h: Hearth, auth: Auth, member_id: object) -> list[dict[str, Any]]:
    _require_moderator(auth, "read staff notes")
    async with h.db.read() as session:
        member = await _member(session, member_id)
        return (await member_history(session, member.id))[1]

