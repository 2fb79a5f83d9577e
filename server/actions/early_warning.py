"""Early warning, opt-in: a member may allow their mentor, an accountability
partner or a peer specialist to be told, gently, when their check-ins show a
sharp drop or go quiet after a steady run (the rule is in server/recovery/warning.py).

Nothing is sent without a consent row, the consent names one person, and every
notice is stored word for word so the member can see exactly what was shared.
Scores are included only when the member chose `share_scores`; notes never are.
A consent lapses with the mentorship or partnership that allowed it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import jsonutil
from server.actions.accounts import Auth
from server.actions.idempotent import insert_ignore
from server.actions.partners import are_partners
from server.actions.recovery_profile import flag, member_by_pseudonym, member_zone
from server.errors import Conflict, InvalidField, NotFound
from server.models import Mentorship, User, utcnow
from server.models.recovery import CheckIn, WarningConsent, WarningNotice
from server.recovery import days, warning
from server.services import Hearth, Tx

MAX_RECIPIENTS = 5
DROP_COOLDOWN_DAYS = 3  # one "drop" notice per recipient in this many days, however the series goes on

_BODIES = {
    "drop": "{name}'s check-ins over the last few days suggest things may be harder right now. "
            "They asked Hearth to let you know. A gentle hello could help.",
    "missed": "{name} hasn't checked in for a few days after a steady run. "
              "They asked Hearth to let you know. A gentle hello could help.",
}


async def recipient_kind(session: AsyncSession, member_id: int, recipient: User) -> str | None:
    """Why `recipient` may be told about the member: "specialist", "mentor" (the
    member's own, while the mentorship lasts) or "partner"; None when nothing allows it."""
    if recipient.role == "specialist":
        return "specialist"
    mentoring = await session.scalar(select(Mentorship.id).where(
        Mentorship.mentor_id == recipient.id, Mentorship.mentee_id == member_id, Mentorship.status == "active").limit(1))
    if mentoring is not None:
        return "mentor"
    if await are_partners(session, member_id, recipient.id):
        return "partner"
    return None


async def _eligible(session: AsyncSession, member_id: int, recipient: User) -> bool:
    return await recipient_kind(session, member_id, recipient) is not None


async def drop_lapsed_consents(session: AsyncSession, a: int, b: int) -> None:
    """When a partnership or mentorship between `a` and `b` ends: either one's consent
    naming the other goes, unless something else still allows it (a specialist, the
    other relationship)."""
    consents = (await session.execute(
        select(WarningConsent, User).join(User, User.id == WarningConsent.recipient_id).where(or_(
            (WarningConsent.user_id == a) & (WarningConsent.recipient_id == b),
            (WarningConsent.user_id == b) & (WarningConsent.recipient_id == a))))).all()
    for consent, recipient in consents:
        if not await _eligible(session, consent.user_id, recipient):
            await session.delete(consent)


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "pseudonym": user.pseudonym} if user else None


def notice_out(n: WarningNotice, about: User | None, recipient: User | None) -> dict[str, Any]:
    return {
        "id": n.id, "kind": n.kind, "about": _person(about), "recipient": _person(recipient), "body": n.body,
        "details": jsonutil.loads(n.details) if n.details else None, "trigger_day": n.trigger_day.isoformat(),
        "created_at": n.created_at.isoformat(),
    }


async def settings(h: Hearth, auth: Auth) -> dict[str, Any]:
    """The member's consents and every notice sent about them, word for word."""
    async with h.db.read() as session:
        consents = (await session.execute(
            select(WarningConsent, User).join(User, User.id == WarningConsent.recipient_id)
            .where(WarningConsent.user_id == auth.user.id).order_by(WarningConsent.id))).all()
        sent = (await session.execute(
            select(WarningNotice, User).outerjoin(User, User.id == WarningNotice.recipient_id)
            .where(WarningNotice.user_id == auth.user.id).order_by(WarningNotice.id.desc()))).all()
        return {
            "consents": [{"id": c.id, "recipient": _person(u), "recipient_kind": await recipient_kind(session, auth.user.id, u),
                          "share_scores": c.share_scores, "created_at": c.created_at.isoformat()} for c, u in consents],
            "shared": [notice_out(n, auth.user, u) for n, u in sent],
        }


async def set_consent(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    share_scores = flag(data, "share_scores", False)
    async with h.transaction() as tx:
        recipient = await member_by_pseudonym(tx.session, data.get("pseudonym"))
        if recipient.id == auth.user.id or not await _eligible(tx.session, auth.user.id, recipient):
            raise InvalidField("Choose your mentor, one of your accountability partners, or a peer specialist.", code="not_eligible")
        consent = await tx.session.scalar(select(WarningConsent).where(
            WarningConsent.user_id == auth.user.id, WarningConsent.recipient_id == recipient.id))
        if consent is None:
            count = len(list(await tx.session.scalars(select(WarningConsent.id).where(WarningConsent.user_id == auth.user.id))))
            if count >= MAX_RECIPIENTS:
                raise Conflict(f"You can choose up to {MAX_RECIPIENTS} people.", code="too_many")
            consent = WarningConsent(user_id=auth.user.id, recipient_id=recipient.id, created_at=utcnow())
            tx.session.add(consent)
        consent.share_scores = bool(share_scores)
        await tx.session.flush()
        return {"id": consent.id, "recipient": _person(recipient), "share_scores": consent.share_scores}


async def remove_consent(h: Hearth, auth: Auth, consent_id: object) -> None:
    if not isinstance(consent_id, int) or isinstance(consent_id, bool):
        raise NotFound()
    async with h.transaction() as tx:
        result = await tx.session.execute(delete(WarningConsent).where(WarningConsent.id == consent_id, WarningConsent.user_id == auth.user.id))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFound()


async def received(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    async with h.db.read() as session:
        rows = (await session.execute(
            select(WarningNotice, User).outerjoin(User, User.id == WarningNotice.user_id)
            .where(WarningNotice.recipient_id == auth.user.id).order_by(WarningNotice.id.desc()).limit(100))).all()
        return [notice_out(n, u, auth.user) for n, u in rows]


async def _deliver(tx: Tx, member: User, consent: WarningConsent, kind: str, trigger: date, points: list[CheckIn]) -> bool:
    recipient = await tx.session.get(User, consent.recipient_id)
    if recipient is None or not await _eligible(tx.session, member.id, recipient):
        return False
    if kind == "drop":
        recent = await tx.session.scalar(select(WarningNotice.id).where(
            WarningNotice.user_id == member.id, WarningNotice.recipient_id == recipient.id, WarningNotice.kind == "drop",
            WarningNotice.trigger_day > trigger - timedelta(days=DROP_COOLDOWN_DAYS)).limit(1))
        if recent is not None:
            return False
    details = ""
    if consent.share_scores:
        details = jsonutil.dumps({"check_ins": [{"day": p.day.isoformat(), "mood": p.mood, "craving": p.craving} for p in points]})
    values = {"user_id": member.id, "recipient_id": recipient.id, "kind": kind, "trigger_day": trigger,
              "body": _BODIES[kind].format(name=member.pseudonym), "details": details, "created_at": utcnow()}
    notice_id = await insert_ignore(tx.session, WarningNotice, values)
    if notice_id is None:
        return False  # another process (or an earlier check-in) sent this one already
    notice = await tx.session.get(WarningNotice, notice_id)
    assert notice is not None
    tx.emit(f"user:{recipient.id}", {"type": "recovery_notice", "notice": notice_out(notice, member, recipient)})
    return True


async def _consents(session: AsyncSession, user_id: int) -> list[WarningConsent]:
    return list(await session.scalars(select(WarningConsent).where(WarningConsent.user_id == user_id).order_by(WarningConsent.id)))


async def after_check_in(tx: Tx, member: User, today: date) -> None:
    """Called inside the check-in's transaction, so a notice and its check-in commit together."""
    consents = await _consents(tx.session, member.id)
    if not consents:
        return
    rows = list(await tx.session.scalars(select(CheckIn).where(
        CheckIn.user_id == member.id, CheckIn.day > today - timedelta(days=warning.DROP_DAYS + 1)).order_by(CheckIn.day)))
    trigger = warning.sharp_drop([warning.Point(r.day, r.mood, r.craving) for r in rows], today)
    if trigger is None:
        return
    for consent in consents:
        await _deliver(tx, member, consent, "drop", trigger, rows[-warning.DROP_DAYS:])


async def sweep_quiet(h: Hearth, *, now: datetime | None = None) -> int:
    """Look for members who went quiet after a streak. Safe to run in every
    process at once: the notice's unique key lets exactly one insert win."""
    now = now or utcnow()
    due: list[tuple[int, date]] = []
    async with h.db.read() as session:  # read first: most sweeps find nothing to write
        for member_id in list(await session.scalars(select(WarningConsent.user_id).distinct())):
            today = days.local_today(now, await member_zone(session, member_id))
            window = today - timedelta(days=warning.STREAK_DAYS + warning.MISSED_DAYS + 30)
            checked = list(await session.scalars(select(CheckIn.day).where(CheckIn.user_id == member_id, CheckIn.day > window)))
            trigger = warning.went_quiet(checked, today)
            if trigger is not None:
                due.append((member_id, trigger))
    sent = 0
    for member_id, trigger in due:
        async with h.transaction() as tx:
            member = await tx.session.get(User, member_id)
            if member is None:
                continue
            rows = list(await tx.session.scalars(select(CheckIn).where(
                CheckIn.user_id == member_id, CheckIn.day <= trigger).order_by(CheckIn.day.desc()).limit(warning.DROP_DAYS)))
            for consent in await _consents(tx.session, member_id):
                sent += await _deliver(tx, member, consent, "missed", trigger, rows[::-1])
    return sent
