"""Mentors: volunteering, asking for a mentor, matching, accept / decline,
specialist assignment, and ending a mentorship kindly.

A request is offered to every volunteering mentor whose profile fits (focus,
time-zone band, language) and who has room for another mentee. The first
mentor to accept wins: `UPDATE … WHERE status = 'waiting'` succeeds for exactly
one, and the mentor's cap is a counter moved by `UPDATE … WHERE
active_mentees < max_mentees` in the same transaction, so both hold across
processes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.pseudonyms import pseudonym_key
from server.actions.accounts import Auth
from server.actions.blocks import is_blocked_by, no_block_between
from server.actions.conversations import announce, open_pair
from server.actions.early_warning import drop_lapsed_consents
from server.errors import Conflict, Forbidden, InvalidField, NotFound
from server.models import Conversation, MentorDecline, MentorProfile, MentorRequest, Mentorship, User, utcnow
from server.services import Hearth, Tx

FOCUS_AREAS = ("alcohol", "opioids", "stimulants", "cannabis", "prescription", "gambling", "family", "general")
TZ_BANDS = ("americas", "europe_africa", "asia_pacific")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


# ---- profiles -----------------------------------------------------------------
# focus and languages are kept as ",a,b," so "contains ',a,'" matches whole items on every database.

def _pack(items: list[str]) -> str:
    return "," + ",".join(items) + ","


def _unpack(packed: str) -> list[str]:
    return [item for item in packed.split(",") if item]


def profile_out(profile: MentorProfile, user: User) -> dict[str, Any]:
    return {
        "user": {"id": user.id, "pseudonym": user.pseudonym},
        "recovery_since": profile.recovery_since.isoformat(), "focus": _unpack(profile.focus), "tz_band": profile.tz_band,
        "languages": _unpack(profile.languages), "max_mentees": profile.max_mentees,
        "active_mentees": profile.active_mentees, "volunteering": profile.volunteering,
    }


def _choices(value: object, allowed: tuple[str, ...] | None, name: str, most: int) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= most or not all(isinstance(v, str) for v in value):
        raise InvalidField(f"{name} must be a list of 1 to {most} choices.")
    items = sorted({v.strip().lower() for v in value})
    for item in items:
        if (allowed is not None and item not in allowed) or (allowed is None and not _LANGUAGE.match(item)):
            hint = f"one of: {', '.join(allowed)}" if allowed else "two-letter language codes such as en or es"
            raise InvalidField(f"{name} must be {hint}.")
    return items


def _band(value: object) -> str:
    if value not in TZ_BANDS:
        raise InvalidField(f"tz_band must be one of: {', '.join(TZ_BANDS)}.")
    return str(value)


async def volunteer(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("recovery_since")
    try:
        since = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        since = None
    if since is None:
        raise InvalidField("recovery_since must be a date like 2024-03-01.")
    days = h.settings.mentor_min_days
    if since > date.today():
        raise InvalidField("recovery_since can't be in the future.")
    if since > date.today() - timedelta(days=days):
        raise Forbidden(f"Mentors have at least {days} days in recovery. Thank you for wanting to help: "
                        "you're welcome to volunteer when you get there.", code="not_yet_eligible")
    focus = _choices(data.get("focus"), FOCUS_AREAS, "focus", len(FOCUS_AREAS))
    languages = _choices(data.get("languages", ["en"]), None, "languages", 5)
    band = _band(data.get("tz_band"))
    cap = h.settings.mentor_max_mentees
    most = data.get("max_mentees", min(2, cap))
    if not isinstance(most, int) or isinstance(most, bool) or not 1 <= most <= cap:
        raise InvalidField(f"max_mentees must be between 1 and {cap}.")
    async with h.transaction() as tx:
        profile = await tx.session.get(MentorProfile, auth.user.id)
        if profile is None:
            profile = MentorProfile(user_id=auth.user.id, active_mentees=0, created_at=utcnow())
            tx.session.add(profile)
        profile.recovery_since, profile.focus, profile.languages = since, _pack(focus), _pack(languages)
        profile.tz_band, profile.max_mentees, profile.volunteering, profile.updated_at = band, most, True, utcnow()
        return profile_out(profile, auth.user)


async def stop_volunteering(h: Hearth, auth: Auth) -> None:
    """Current mentorships go on; no new requests are offered."""
    async with h.transaction() as tx:
        await tx.session.execute(update(MentorProfile).where(MentorProfile.user_id == auth.user.id).values(volunteering=False, updated_at=utcnow()))


# ---- requests and matching -------------------------------------------------------

def _fits(request: Any = MentorRequest, profile: Any = MentorProfile) -> Any:
    """A request fits a mentor: focus, band and language agree, the mentor has room,
    did not decline it, is not the member, and neither has blocked the other."""
    return and_(
        profile.volunteering.is_(True),
        profile.active_mentees < profile.max_mentees,
        profile.user_id != request.member_id,
        profile.tz_band == request.tz_band,
        profile.focus.contains(("," + request.focus + ",")),
        or_(request.language.is_(None), profile.languages.contains("," + request.language + ",")),
        ~exists().where(MentorDecline.request_id == request.id, MentorDecline.mentor_id == profile.user_id),
        ~exists().where(Mentorship.mentor_id == profile.user_id, Mentorship.mentee_id == request.member_id, Mentorship.status == "active"),
        no_block_between(profile.user_id, request.member_id),
    )


async def _offered_to(session: AsyncSession, request: MentorRequest) -> list[int]:
    rows = await session.scalars(select(MentorProfile.user_id).join(MentorRequest, MentorRequest.id == request.id).where(_fits()))
    return list(rows)


def request_out(request: MentorRequest, member: User, offered_to: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": request.id, "member": {"id": member.id, "pseudonym": member.pseudonym}, "focus": request.focus,
        "tz_band": request.tz_band, "language": request.language, "status": request.status,
        "created_at": request.created_at.isoformat(),
    }
    if offered_to is not None:
        out["offered_to"] = offered_to  # how many mentors can see it now; never who
    return out


async def request_mentor(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    focus = data.get("focus")
    if focus not in FOCUS_AREAS:
        raise InvalidField(f"focus must be one of: {', '.join(FOCUS_AREAS)}.")
    band = _band(data.get("tz_band"))
    language = data.get("language")
    if language is not None and (not isinstance(language, str) or not _LANGUAGE.match(language)):
        raise InvalidField("language must be a two-letter code such as en or es.")
    try:
        async with h.transaction() as tx:
            request = MentorRequest(member_id=auth.user.id, focus=focus, tz_band=band, language=language,
                                    status="waiting", created_at=utcnow())
            tx.session.add(request)
            await tx.session.flush()
            mentors = await _offered_to(tx.session, request)
            out = request_out(request, auth.user, len(mentors))
            for mentor_id in mentors:
                tx.emit(f"user:{mentor_id}", {"type": "mentor_request", "request": request_out(request, auth.user)})
    except IntegrityError:
        raise Conflict("You already have a mentor request waiting. You can cancel it to ask again.",
                       code="request_waiting") from None
    return out


async def cancel_request(h: Hearth, auth: Auth, request_id: int) -> None:
    async with h.transaction() as tx:
        done = await tx.session.execute(
            update(MentorRequest).where(MentorRequest.id == request_id, MentorRequest.member_id == auth.user.id,
                                        MentorRequest.status == "waiting").values(status="cancelled")
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound()


async def inbox(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    """Waiting requests offered to this mentor, oldest first."""
    async with h.db.read() as session:
        rows = await session.execute(
            select(MentorRequest, User).join(User, User.id == MentorRequest.member_id)
            .join(MentorProfile, MentorProfile.user_id == auth.user.id)
            .where(MentorRequest.status == "waiting", _fits())
            .order_by(MentorRequest.id)
        )
        return [request_out(r, u) for r, u in rows]


async def _offered_request(session: AsyncSession, auth: Auth, request_id: int) -> tuple[MentorRequest, User]:
    """The request, if it is (still) offered to this mentor; NotFound otherwise."""
    row = (await session.execute(
        select(MentorRequest, User).join(User, User.id == MentorRequest.member_id)
        .join(MentorProfile, MentorProfile.user_id == auth.user.id)
        .where(MentorRequest.id == request_id, MentorRequest.status == "waiting", _fits())
    )).first()
    if row is None:
        raise NotFound("That request isn't open to you any more. Someone else may have taken it.")
    return row[0], row[1]


async def _take_slot(tx: Tx, mentor_id: int) -> None:
    taken = await tx.session.execute(
        update(MentorProfile)
        .where(MentorProfile.user_id == mentor_id, MentorProfile.volunteering.is_(True),
               MentorProfile.active_mentees < MentorProfile.max_mentees)
        .values(active_mentees=MentorProfile.active_mentees + 1)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("That mentor has no room for another mentee right now.", code="at_capacity")


async def _start(tx: Tx, mentor: User, mentee: User, request_id: int | None, assigned_by: int | None) -> dict[str, Any]:
    conversation, _created = await open_pair(tx, mentor, mentee, "mentorship")
    mentorship = Mentorship(mentor_id=mentor.id, mentee_id=mentee.id, room_id=conversation.room_id, request_id=request_id,
                            assigned_by_id=assigned_by, status="active", started_at=utcnow())
    tx.session.add(mentorship)
    await tx.session.flush()
    announce(tx, conversation, mentor, mentee)
    for me, other in ((mentor, mentee), (mentee, mentor)):
        tx.emit(f"user:{me.id}", {"type": "mentorship_started", "mentorship": mentorship_out(mentorship, me.id, other)})
    return mentorship_out(mentorship, mentor.id, mentee)


async def accept(h: Hearth, auth: Auth, request_id: int) -> dict[str, Any]:
    async with h.transaction() as tx:
        request, member = await _offered_request(tx.session, auth, request_id)
        won = await tx.session.execute(
            update(MentorRequest).where(MentorRequest.id == request.id, MentorRequest.status == "waiting")
            .values(status="matched", mentor_id=auth.user.id, matched_at=utcnow())
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("Another mentor has just accepted this request. Thank you for offering!", code="already_matched")
        await _take_slot(tx, auth.user.id)  # rolls the match back too if the cap is reached
        return await _start(tx, auth.user, member, request.id, None)


async def decline(h: Hearth, auth: Auth, request_id: int) -> None:
    async with h.transaction() as tx:
        request, member = await _offered_request(tx.session, auth, request_id)
        tx.session.add(MentorDecline(request_id=request.id, mentor_id=auth.user.id))
        await tx.session.flush()
        left = await _offered_to(tx.session, request)
        # The member learns how many mentors can still see the request, never who said no.
        tx.emit(f"user:{member.id}", {"type": "mentor_request_updated", "request": request_out(request, member, len(left))})


async def _user(session: AsyncSession, pseudonym: object, what: str) -> User:
    if not isinstance(pseudonym, str) or not pseudonym.strip() or len(pseudonym) > 128:
        raise InvalidField(f"Please give the {what}'s pseudonym.")
    user = await session.scalar(select(User).where(User.pseudonym_key == pseudonym_key(pseudonym.strip())))
    if user is None:
        raise NotFound(f"We couldn't find that {what}.")
    return user


async def assign(h: Hearth, auth: Auth, mentee_name: object, mentor_name: object) -> dict[str, Any]:
    """A specialist pairs a member with a volunteering mentor (the mentor's cap still holds)."""
    if auth.user.role != "specialist":
        raise Forbidden("Only peer specialists can assign mentors.")
    async with h.transaction() as tx:
        mentee, mentor = await _user(tx.session, mentee_name, "member"), await _user(tx.session, mentor_name, "mentor")
        if mentee.id == mentor.id:
            raise InvalidField("A member can't mentor themselves.")
        if await is_blocked_by(tx.session, mentor.id, mentee.id) or await is_blocked_by(tx.session, mentee.id, mentor.id):
            raise Conflict("These two can't be paired. Please choose another mentor.", code="cannot_pair")
        active = await tx.session.scalar(select(Mentorship.id).where(
            Mentorship.mentor_id == mentor.id, Mentorship.mentee_id == mentee.id, Mentorship.status == "active"))
        if active is not None:
            raise Conflict("They are already paired.", code="already_paired")
        if await tx.session.get(MentorProfile, mentor.id) is None:
            raise InvalidField("That member hasn't volunteered as a mentor.", code="not_a_mentor")
        await _take_slot(tx, mentor.id)
        await tx.session.execute(
            update(MentorRequest).where(MentorRequest.member_id == mentee.id, MentorRequest.status == "waiting")
            .values(status="matched", mentor_id=mentor.id, matched_at=utcnow())
        )
        return await _start(tx, mentor, mentee, None, auth.user.id)


def mentorship_out(m: Mentorship, viewer_id: int, other: User) -> dict[str, Any]:
    return {
        "id": m.id, "role": "mentor" if m.mentor_id == viewer_id else "mentee",
        "with": {"id": other.id, "pseudonym": other.pseudonym}, "conversation_id": m.room_id, "status": m.status,
        "assigned": m.assigned_by_id is not None,
        "started_at": m.started_at.isoformat(), "ended_at": m.ended_at.isoformat() if m.ended_at else None,
    }


async def end(h: Hearth, auth: Auth, mentorship_id: int) -> dict[str, Any]:
    async with h.transaction() as tx:
        mentorship = await tx.session.get(Mentorship, mentorship_id)
        if mentorship is None or auth.user.id not in (mentorship.mentor_id, mentorship.mentee_id):
            raise NotFound()
        ended = await tx.session.execute(
            update(Mentorship).where(Mentorship.id == mentorship.id, Mentorship.status == "active")
            .values(status="ended", ended_at=utcnow())
        )
        if ended.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("This mentorship has already ended.", code="already_ended")
        await tx.session.execute(
            update(MentorProfile).where(MentorProfile.user_id == mentorship.mentor_id, MentorProfile.active_mentees > 0)
            .values(active_mentees=MentorProfile.active_mentees - 1)
        )
        await tx.session.execute(update(Conversation).where(Conversation.room_id == mentorship.room_id).values(purpose="direct"))
        await drop_lapsed_consents(tx.session, mentorship.mentor_id, mentorship.mentee_id)
        await tx.session.refresh(mentorship)
        other_id = mentorship.mentee_id if auth.user.id == mentorship.mentor_id else mentorship.mentor_id
        other = await tx.session.get(User, other_id)
        assert other is not None
        note = (f"{auth.user.pseudonym} has closed the mentorship. Thank you for the time you shared. "
                "Your conversation stays here, and you can ask for a new mentor whenever you like.")
        tx.emit(f"user:{other.id}", {"type": "mentorship_ended", "mentorship": mentorship_out(mentorship, other.id, auth.user), "note": note})
        tx.emit(f"user:{auth.user.id}", {"type": "mentorship_ended", "mentorship": mentorship_out(mentorship, auth.user.id, other)})
        return mentorship_out(mentorship, auth.user.id, other)


async def overview(h: Hearth, auth: Auth) -> dict[str, Any]:
    """Everything mentorship-related for the asking member."""
    me = auth.user.id
    async with h.db.read() as session:
        profile = await session.get(MentorProfile, me)
        requests = list(await session.scalars(
            select(MentorRequest).where(MentorRequest.member_id == me, MentorRequest.status == "waiting")))
        rows = await session.execute(
            select(Mentorship, User).join(User, or_(
                and_(Mentorship.mentor_id == me, User.id == Mentorship.mentee_id),
                and_(Mentorship.mentee_id == me, User.id == Mentorship.mentor_id)))
            .where(Mentorship.status == "active").order_by(Mentorship.id)
        )
        return {
            "profile": profile_out(profile, auth.user) if profile else None,
            "requests": [request_out(r, auth.user, len(await _offered_to(session, r))) for r in requests],
            "mentorships": [mentorship_out(m, me, u) for m, u in rows],
            "focus_areas": list(FOCUS_AREAS), "tz_bands": list(TZ_BANDS), "min_days": h.settings.mentor_min_days,
        }
