"""Crisis flags: raised in the same transaction that stores the words,
alerted to everyone on call, claimed by exactly one specialist, escalated
when nobody claims them, resolved only by staff with a recorded outcome.

Triage is by risk, not by arrival: the queue orders by severity, then by
how long the flag has waited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Sequence

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.crisis import FirstLook, assess
from moderation.oncall import CRISIS_ROLES, on_call_ids, require_role
from moderation.resources import SUPPORT_MESSAGE, load_resources
from server.actions.accounts import Auth
from server.errors import Conflict, InvalidField, NotFound
from server.models import CrisisFlag, FlagAudit, FlagNote, SafetyPlan, User
from server.services import Hearth, Tx
from server.text import clean_body

RANK = {"none": 0, "concern": 1, "high": 2, "imminent": 3}
OUTCOMES = ("reached_safe", "referred_emergency", "false_alarm", "no_response", "other")
MAX_ITEMS = 20
FOLLOW_UP_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Place:
    kind: str  # room | conversation | forum | concern
    id: int | None
    message_id: int | None = None


# (same author's recent texts in this place, a few messages of context around it)
ContextLoader = Callable[[], Awaitable[tuple[list[str], list[dict[str, Any]]]]]


def _deadline(h: Hearth, severity: str, now: datetime) -> datetime:
    return now + timedelta(seconds=h.settings.escalate_seconds[severity])


async def audit(session: AsyncSession, flag_id: int, actor: User | None, action: str, now: datetime, **detail: Any) -> None:
    session.add(FlagAudit(flag_id=flag_id, actor_id=actor.id if actor else None,
                          actor_pseudonym=actor.pseudonym if actor else "system", action=action, detail=detail, at=now))


async def screen(h: Hearth, tx: Tx, author: User, text: str, place: Place, load_context: ContextLoader,
                 first_look: FirstLook | None = None) -> CrisisFlag | None:
    """Run the detector on words being stored in `tx`; raise or update the
    author's flag in that same transaction. Never blocks or hides the words.
    `first_look`: the message's words-alone assessment, if the write gate made one."""
    first = first_look.assess(text) if first_look is not None else assess(text)
    if not first.evidence:
        return None  # no signal at all: context alone never raises a flag
    recent, around = await load_context()
    result = assess(text, recent) if recent else first
    if result.severity == "none":
        return None
    now = h.clock()
    item = {
        "message_id": place.message_id, "place_kind": place.kind, "place_id": place.id, "severity": result.severity,
        "categories": list(result.categories), "evidence": [e.to_dict() for e in result.evidence],
        "excerpt": text[:2000], "context": around, "at": now.isoformat(),
    }
    # Lock the member's row so two concurrent messages can't open two flags.
    await tx.session.execute(select(User.id).where(User.id == author.id).with_for_update())
    flag = await tx.session.scalar(select(CrisisFlag).where(CrisisFlag.member_id == author.id, CrisisFlag.status != "resolved"))
    created = flag is None
    rose = False
    if flag is None:
        flag = CrisisFlag(
            member_id=author.id, member_pseudonym=author.pseudonym, status="open", severity=result.severity,
            categories=list(result.categories), score=result.score, items=[item], place_kind=place.kind, place_id=place.id,
            created_at=now, raised_at=now, escalate_at=_deadline(h, result.severity, now), escalation_level=0,
        )
        tx.session.add(flag)
        await tx.session.flush()
        await audit(tx.session, flag.id, None, "created", now, severity=result.severity, message_id=place.message_id)
    else:
        rose = RANK[result.severity] > RANK[flag.severity]
        flag.items = (list(flag.items) + [item])[-MAX_ITEMS:]
        flag.categories = sorted(set(flag.categories) | set(result.categories))
        flag.score = max(flag.score, result.score)
        if rose:  # severity only rises while open
            await audit(tx.session, flag.id, None, "raised", now, old=flag.severity, new=result.severity, message_id=place.message_id)
            flag.severity, flag.raised_at, flag.alerted_at = result.severity, now, None
            if flag.status == "open":
                flag.escalate_at, flag.escalation_level = _deadline(h, result.severity, now), 0
        else:
            await audit(tx.session, flag.id, None, "added", now, message_id=place.message_id)
    await _announce(h, tx, flag, author, created=created, rose=rose)
    return flag


async def _announce(h: Hearth, tx: Tx, flag: CrisisFlag, member: User, *, created: bool, rose: bool) -> None:
    summary = flag_out(flag, h.clock())
    if not (created or rose):
        tx.emit("oncall", {"type": "flag_updated", "flag": summary})
        return
    tx.emit("oncall", {"type": "flag_raised", "flag": summary})
    if not await on_call_ids(tx.session):
        # Nobody is on call: moderators and admins are alerted at once.
        tx.emit("staff", {"type": "flag_raised", "flag": summary, "reason": "nobody_on_call"})
    if flag.severity in ("high", "imminent"):
        tx.emit(f"user:{member.id}", resources_event(h))
    tx.then(lambda: mark_alerted(h, flag.id))


def resources_event(h: Hearth) -> dict[str, Any]:
    # Only the member's own sockets get this: the flag itself is never shown to anyone else.
    return {"type": "crisis_resources", "message": SUPPORT_MESSAGE, "resources": list(load_resources(h.settings.crisis_resources_file))}


async def mark_alerted(h: Hearth, flag_id: int) -> None:
    async with h.transaction() as tx:
        await tx.session.execute(update(CrisisFlag).where(CrisisFlag.id == flag_id).values(alerted_at=h.clock()))


def flag_out(flag: CrisisFlag, now: datetime, *, claimer: str | None = None, full: bool = False) -> dict[str, Any]:
    items = flag.items if full else flag.items[-3:]
    return {
        "id": flag.id,
        "member": {"id": flag.member_id, "pseudonym": flag.member_pseudonym},
        "status": flag.status,
        "severity": flag.severity,
        "categories": flag.categories,
        "score": flag.score,
        "place": {"kind": flag.place_kind, "id": flag.place_id},
        "created_at": flag.created_at.isoformat(),
        "raised_at": flag.raised_at.isoformat(),
        "waiting_seconds": int(((flag.claimed_at or flag.resolved_at or now) - flag.created_at).total_seconds()),
        "escalation_level": flag.escalation_level,
        "claimed_by": {"id": flag.claimed_by, "pseudonym": claimer} if flag.claimed_by else None,
        "support_room_id": flag.support_room_id,
        "outcome": flag.outcome,
        "items": items,
    }


_SEVERITY_ORDER = case({"imminent": 3, "high": 2, "concern": 1}, value=CrisisFlag.severity, else_=0)


async def list_flags(h: Hearth, auth: Auth, status: str = "active", limit: int = 100) -> list[dict[str, Any]]:
    require_role(auth, CRISIS_ROLES, "see crisis flags")
    if status not in ("active", "open", "claimed", "resolved"):
        raise InvalidField("status must be active, open, claimed or resolved.")
    claimer = User.__table__.alias("claimer")
    query = select(CrisisFlag, claimer.c.pseudonym).outerjoin(claimer, claimer.c.id == CrisisFlag.claimed_by)
    if status == "active":
        query = query.where(CrisisFlag.status != "resolved").order_by(_SEVERITY_ORDER.desc(), CrisisFlag.created_at)
    elif status == "resolved":
        query = query.where(CrisisFlag.status == "resolved").order_by(CrisisFlag.resolved_at.desc())
    else:
        query = query.where(CrisisFlag.status == status).order_by(_SEVERITY_ORDER.desc(), CrisisFlag.created_at)
    now = h.clock()
    async with h.db.read() as session:
        rows = await session.execute(query.limit(max(1, min(limit, 200))))
        return [flag_out(flag, now, claimer=name) for flag, name in rows]


async def _load(session: AsyncSession, flag_id: object, *, lock: bool = False) -> CrisisFlag:
    if not isinstance(flag_id, int) or isinstance(flag_id, bool):
        raise NotFound()
    query = select(CrisisFlag).where(CrisisFlag.id == flag_id)
    flag = await session.scalar(query.with_for_update() if lock else query)
    if flag is None:
        raise NotFound()
    return flag


async def view_flag(h: Hearth, auth: Auth, flag_id: object) -> dict[str, Any]:
    """Full flag for staff; the safety plan only for the specialist holding it. Audited."""
    require_role(auth, CRISIS_ROLES, "see crisis flags")
    now = h.clock()
    async with h.transaction() as tx:
        flag = await _load(tx.session, flag_id)
        await audit(tx.session, flag.id, auth.user, "viewed", now)
        claimer = await tx.session.get(User, flag.claimed_by) if flag.claimed_by else None
        out = flag_out(flag, now, claimer=claimer.pseudonym if claimer else None, full=True)
        notes = await tx.session.scalars(select(FlagNote).where(FlagNote.flag_id == flag.id).order_by(FlagNote.id))
        out["notes"] = [{"id": n.id, "author": n.author_pseudonym, "kind": n.kind, "body": n.body, "created_at": n.created_at.isoformat()} for n in notes]
        out["safety_plan"] = None
        if flag.status == "claimed" and flag.claimed_by == auth.user.id and flag.member_id is not None:
            plan = await tx.session.get(SafetyPlan, flag.member_id)
            if plan is not None:
                out["safety_plan"] = safety_plan_out(plan)
        audit_rows = await tx.session.scalars(select(FlagAudit).where(FlagAudit.flag_id == flag.id).order_by(FlagAudit.id))
        out["audit"] = [{"actor": a.actor_pseudonym, "action": a.action, "detail": a.detail, "at": a.at.isoformat()} for a in audit_rows]
        return out


def safety_plan_out(plan: SafetyPlan) -> dict[str, Any]:
    return {"warning_signs": plan.warning_signs, "coping_steps": plan.coping_steps,
            "people_and_places": plan.people_and_places, "reasons_to_keep_going": plan.reasons_to_keep_going,
            "updated_at": plan.updated_at.isoformat()}


async def _held_by(session: AsyncSession, user_id: int) -> int:
    return int(await session.scalar(select(func.count()).select_from(CrisisFlag).where(
        CrisisFlag.claimed_by == user_id, CrisisFlag.status == "claimed")) or 0)


async def claim(h: Hearth, auth: Auth, flag_id: object) -> dict[str, Any]:
    """Exactly one specialist wins when several claim at once (a conditional update)."""
    require_role(auth, CRISIS_ROLES, "claim crisis flags")
    now = h.clock()
    async with h.transaction() as tx:
        # Serialise this specialist's claims so the cap holds under races.
        await tx.session.execute(select(User.id).where(User.id == auth.user.id).with_for_update())
        if await _held_by(tx.session, auth.user.id) >= h.settings.specialist_max_flags:
            raise Conflict(f"You already hold {h.settings.specialist_max_flags} flags. Hand one over or resolve one first; "
                           "looking after yourself matters too.", code="flag_cap")
        await _load(tx.session, flag_id)
        won = await tx.session.execute(
            update(CrisisFlag).where(CrisisFlag.id == flag_id, CrisisFlag.status == "open")
            .values(status="claimed", claimed_by=auth.user.id, claimed_at=now, escalate_at=None,
                    first_claimed_at=func.coalesce(CrisisFlag.first_claimed_at, now))
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("Someone else has just taken this flag.", code="already_claimed")
        await audit(tx.session, flag_id, auth.user, "claimed", now)  # type: ignore[arg-type]
        flag = await _load(tx.session, flag_id)
        out = flag_out(flag, now, claimer=auth.user.pseudonym)
        tx.emit("oncall", {"type": "flag_claimed", "flag": out})
        tx.emit("staff", {"type": "flag_claimed", "flag": out})
        return out


async def add_note(h: Hearth, auth: Auth, flag_id: object, body: object, kind: str = "note") -> dict[str, Any]:
    require_role(auth, CRISIS_ROLES, "write notes on crisis flags")
    text = clean_body(body, field="note", max_chars=4000)
    now = h.clock()
    async with h.transaction() as tx:
        flag = await _load(tx.session, flag_id)
        note = FlagNote(flag_id=flag.id, author_id=auth.user.id, author_pseudonym=auth.user.pseudonym, kind=kind, body=text, created_at=now)
        tx.session.add(note)
        await tx.session.flush()
        await audit(tx.session, flag.id, auth.user, "noted", now, kind=kind)
        return {"id": note.id, "author": note.author_pseudonym, "kind": kind, "body": text, "created_at": now.isoformat()}


async def hand_over(h: Hearth, auth: Auth, flag_id: object, to_pseudonym: object, note: object) -> dict[str, Any]:
    """The holder passes a flag on with a note (end of shift, or a better fit)."""
    require_role(auth, CRISIS_ROLES, "hand over crisis flags")
    from server.accounts.pseudonyms import pseudonym_key

    if not isinstance(to_pseudonym, str):
        raise InvalidField("Say who should take this flag over (their pseudonym).")
    text = clean_body(note, field="hand-over note", max_chars=4000)
    now = h.clock()
    async with h.transaction() as tx:
        flag = await _load(tx.session, flag_id, lock=True)
        if flag.status != "claimed" or (flag.claimed_by != auth.user.id and auth.user.role != "admin"):
            raise Conflict("Only the person holding this flag can hand it over.", code="not_holder")
        target = await tx.session.scalar(select(User).where(User.pseudonym_key == pseudonym_key(to_pseudonym)))
        if target is None or target.role not in CRISIS_ROLES or target.id == flag.claimed_by:
            raise InvalidField("Flags can be handed to another specialist, moderator or admin.")
        if await _held_by(tx.session, target.id) >= h.settings.specialist_max_flags:
            raise Conflict(f"{target.pseudonym} already holds as many flags as they can.", code="flag_cap")
        flag.claimed_by, flag.claimed_at = target.id, now
        tx.session.add(FlagNote(flag_id=flag.id, author_id=auth.user.id, author_pseudonym=auth.user.pseudonym, kind="handover", body=text, created_at=now))
        await audit(tx.session, flag.id, auth.user, "handed_over", now, to=target.pseudonym)
        out = flag_out(flag, now, claimer=target.pseudonym)
        tx.emit(f"user:{target.id}", {"type": "flag_handed_to_you", "flag": out, "from": auth.user.pseudonym})
        tx.emit("oncall", {"type": "flag_claimed", "flag": out})
        return out


async def resolve(h: Hearth, auth: Auth, flag_id: object, outcome: object, note: object) -> dict[str, Any]:
    """Only staff, only with an outcome and a reason. A false alarm keeps its
    evidence so the rules can be improved."""
    require_role(auth, CRISIS_ROLES, "resolve crisis flags")
    if outcome not in OUTCOMES:
        raise InvalidField(f"outcome must be one of: {', '.join(OUTCOMES)}.")
    reason = clean_body(note, field="reason", max_chars=4000)
    now = h.clock()
    async with h.transaction() as tx:
        flag = await _load(tx.session, flag_id, lock=True)
        if flag.status == "resolved":
            raise Conflict("This flag is already resolved.", code="already_resolved")
        if flag.status == "claimed" and flag.claimed_by != auth.user.id and auth.user.role != "admin":
            raise Conflict("Another specialist holds this flag; ask them, or an admin, to resolve it.", code="not_holder")
        flag.status, flag.resolved_at, flag.resolved_by = "resolved", now, auth.user.id
        flag.outcome, flag.outcome_note, flag.escalate_at = str(outcome), reason, None
        if flag.severity in ("high", "imminent"):
            flag.follow_up_at = now + FOLLOW_UP_AFTER  # a gentle check-in tomorrow
        await audit(tx.session, flag.id, auth.user, "resolved", now, outcome=outcome)
        out = flag_out(flag, now)
        out["debrief_prompt"] = flag.severity == "imminent"
        tx.emit("oncall", {"type": "flag_resolved", "flag": out})
        tx.emit("staff", {"type": "flag_resolved", "flag": out})
        return out


async def record_first_reply(session: AsyncSession, room_id: int, author_id: int, now: datetime) -> None:
    """Called when a message is stored in a private conversation: the first
    words from the specialist holding a flag mark its time to first reply."""
    await session.execute(
        update(CrisisFlag)
        .where(CrisisFlag.support_room_id == room_id, CrisisFlag.claimed_by == author_id, CrisisFlag.first_reply_at.is_(None))
        .values(first_reply_at=now)
    )


async def stats(h: Hearth, auth: Auth) -> dict[str, Any]:
    require_role(auth, CRISIS_ROLES, "see crisis figures")
    async with h.db.read() as session:
        return await figures(session)


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index], 1)


async def figures(session: AsyncSession) -> dict[str, Any]:
    flags = list(await session.scalars(select(CrisisFlag)))
    escalations = int(await session.scalar(select(func.count()).select_from(FlagAudit).where(FlagAudit.action == "escalated")) or 0)
    out: dict[str, Any] = {"open": {}, "escalations": escalations, "time_to_claim": {}, "time_to_first_reply": {}}
    for severity in ("imminent", "high", "concern"):
        of = [f for f in flags if f.severity == severity]
        out["open"][severity] = sum(1 for f in of if f.status != "resolved")
        claim_times = [(f.first_claimed_at - f.created_at).total_seconds() for f in of if f.first_claimed_at]
        reply_times = [(f.first_reply_at - f.created_at).total_seconds() for f in of if f.first_reply_at]
        out["time_to_claim"][severity] = {"median": _percentile(claim_times, 0.5), "p95": _percentile(claim_times, 0.95), "count": len(claim_times)}
        out["time_to_first_reply"][severity] = {"median": _percentile(reply_times, 0.5), "p95": _percentile(reply_times, 0.95), "count": len(reply_times)}
    return out


async def false_alarms(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    """Resolved as false alarms, with their evidence: material to improve the rules."""
    require_role(auth, frozenset({"admin", "moderator"}), "review false alarms")
    now = h.clock()
    async with h.db.read() as session:
        rows = await session.scalars(select(CrisisFlag).where(CrisisFlag.outcome == "false_alarm").order_by(CrisisFlag.resolved_at.desc()).limit(200))
        return [{**flag_out(f, now, full=True), "note": f.outcome_note} for f in rows]


async def open_support(h: Hearth, auth: Auth, flag_id: object) -> dict[str, Any]:
    """Open a one-on-one support conversation with the member straight from the
    flag, whatever their "who may message me" setting. Only the holder may."""
    from server.actions.conversations import open_conversation

    require_role(auth, frozenset({"specialist"}), "open support conversations")
    async with h.db.read() as session:
        flag = await _load(session, flag_id)
    if flag.status != "claimed" or flag.claimed_by != auth.user.id:
        raise Conflict("Take this flag first; then you can reach the member.", code="not_holder")
    if flag.member_id is None:
        raise Conflict("This member has left Hearth.", code="member_gone")
    conversation, _created = await open_conversation(h, auth, flag.member_pseudonym, purpose="support")
    now = h.clock()
    async with h.transaction() as tx:
        await tx.session.execute(update(CrisisFlag).where(CrisisFlag.id == flag.id).values(support_room_id=conversation["id"]))
        await audit(tx.session, flag.id, auth.user, "support_opened", now, room_id=conversation["id"])
    return conversation
