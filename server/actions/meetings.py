"""Weekly meetings in topic rooms: scheduling, the meeting list in each member's
local time, Meeting Guide JSON import and export, .ics export, "remind me", and
the reminder sweep.

Reminders are claimed with a conditional UPDATE on `meetings.reminded_for`, so
with several processes sweeping at once each occurrence is announced once."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.accounts import Auth
from server.actions.recovery_profile import flag, member_by_pseudonym, member_zone
from server.actions.rooms import ROOM_MANAGERS, access_room
from server.errors import Conflict, Forbidden, InvalidField, NotFound
from server.models import Room, User, utcnow
from server.models.recovery import Meeting, MeetingReminder
from server.recovery import calendar_file, meeting_guide, schedule
from server.recovery.days import check_zone
from server.services import Hearth
from server.text import clean_body, clean_line

MAX_IMPORT = 1000
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def weekly(m: Meeting) -> schedule.Weekly:
    return schedule.Weekly(m.day, m.start_minute, m.duration_minutes, m.timezone)


def _types(m: Meeting) -> list[str]:
    return [t for t in m.types.split(",") if t]


def can_host(auth: Auth, m: Meeting) -> bool:
    return auth.user.id == m.host_id or auth.user.role in ROOM_MANAGERS


async def access_meeting(session: AsyncSession, auth: Auth, meeting_id: object) -> tuple[Meeting, Room]:
    """The one access check for meetings: whoever may read the room may see its
    meetings. Missing and forbidden are both NotFound."""
    if not isinstance(meeting_id, int) or isinstance(meeting_id, bool):
        raise NotFound()
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    room = await access_room(session, auth, meeting.room_id)
    return meeting, room


def meeting_out(m: Meeting, room: Room, host: User | None, *, zone: str, now: datetime, remind_me: bool) -> dict[str, Any]:
    upcoming = schedule.current_or_next(weekly(m), now)
    return {
        "id": m.id, "room_id": room.id, "room_name": room.name, "slug": m.slug, "title": m.title,
        "host": {"id": host.id, "pseudonym": host.pseudonym} if host else None,
        "day": m.day, "time": schedule.hhmm(m.start_minute), "duration_minutes": m.duration_minutes,
        "timezone": m.timezone, "types": _types(m), "notes": m.notes, "formatted_address": m.formatted_address,
        "next_start": upcoming.isoformat(),
        "next_end": (upcoming + timedelta(minutes=m.duration_minutes)).isoformat(),
        "local": schedule.in_zone(upcoming, zone),  # the same instant on the viewer's clock
        "open": m.opened_at is not None, "remind_me": remind_me,
    }


async def _listing(session: AsyncSession, auth: Auth, query: Any, now: datetime, zone: str | None) -> list[dict[str, Any]]:
    zone = zone or await member_zone(session, auth.user.id)
    rows = (await session.execute(query)).all()
    mine = set(await session.scalars(select(MeetingReminder.meeting_id).where(MeetingReminder.user_id == auth.user.id)))
    out = [meeting_out(m, r, u, zone=zone, now=now, remind_me=m.id in mine) for m, r, u in rows]
    return sorted(out, key=lambda item: item["next_start"])


def _base_query() -> Any:
    return (select(Meeting, Room, User).join(Room, Room.id == Meeting.room_id).outerjoin(User, User.id == Meeting.host_id)
            .where(Room.kind == "topic", Room.archived_at.is_(None)))


async def list_meetings(h: Hearth, auth: Auth, *, room_id: object = None, zone: object = None,
                        now: datetime | None = None) -> list[dict[str, Any]]:
    """Soonest first. `zone` shows local times in another zone than the member's saved one."""
    viewer_zone = check_zone(zone, "tz") if zone else None
    query = _base_query()
    async with h.db.read() as session:
        if room_id is not None:
            try:
                room = await access_room(session, auth, int(str(room_id)))
            except ValueError:
                raise InvalidField("room_id must be a room's id.") from None
            query = query.where(Meeting.room_id == room.id)
        return await _listing(session, auth, query, now or utcnow(), viewer_zone)


async def get_meeting(h: Hearth, auth: Auth, meeting_id: object, *, zone: object = None, now: datetime | None = None) -> dict[str, Any]:
    viewer_zone = check_zone(zone, "tz") if zone else None
    async with h.db.read() as session:
        m, _ = await access_meeting(session, auth, meeting_id)
        found = await _listing(session, auth, _base_query().where(Meeting.id == m.id), now or utcnow(), viewer_zone)
        if not found:
            raise NotFound()
        return found[0]


def _check_manager(auth: Auth) -> None:
    if auth.user.role not in ROOM_MANAGERS:
        raise Forbidden("Only moderators and admins can schedule meetings.")


def _slug_from(title: str) -> str:
    base = _NOT_SLUG.sub("-", title.lower()).strip("-")[:50] or "meeting"
    return f"{base}-{secrets.token_hex(3)}"


async def _fields(session: AsyncSession, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "title" in data or not partial:
        fields["title"] = clean_line(data.get("title"), field="title", min_chars=2, max_chars=120)
    if "slug" in data and data["slug"] is not None:
        slug = data["slug"]
        if not isinstance(slug, str) or not meeting_guide.SLUG.match(slug):
            raise InvalidField("slug must be 1-64 lowercase letters, digits, dashes or underscores.")
        fields["slug"] = slug
    if "day" in data or not partial:
        day = data.get("day")
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
            raise InvalidField("day must be 0 (Sunday) to 6 (Saturday).")
        fields["day"] = day
    if "time" in data or not partial:
        minute = schedule.parse_hhmm(data["time"]) if isinstance(data.get("time"), str) else None
        if minute is None:
            raise InvalidField("time must be HH:MM on a 24-hour clock, such as 19:30.")
        fields["start_minute"] = minute
    if "duration_minutes" in data:
        duration = data["duration_minutes"]
        if not isinstance(duration, int) or isinstance(duration, bool) or not 10 <= duration <= 600:
            raise InvalidField("duration_minutes must be from 10 to 600.")
        fields["duration_minutes"] = duration
    if "timezone" in data:
        fields["timezone"] = check_zone(data["timezone"])
    if "types" in data:
        types = data["types"]
        if not isinstance(types, list) or len(types) > meeting_guide.MAX_TYPES or not all(
                isinstance(t, str) and meeting_guide.TYPE_CODE.match(t) for t in types):
            raise InvalidField("types must be a list of Meeting Guide type codes such as O, C, D or ST.")
        fields["types"] = ",".join(dict.fromkeys(types))
    if "notes" in data:
        fields["notes"] = clean_body(data["notes"], field="notes", max_chars=2000) if data["notes"] else ""
    if "formatted_address" in data:
        fields["formatted_address"] = clean_line(data["formatted_address"], field="formatted_address", max_chars=200) if data["formatted_address"] else ""
    if "host" in data:
        fields["host_id"] = (await member_by_pseudonym(session, data["host"])).id if data["host"] else None
    return fields


async def create_meeting(h: Hearth, auth: Auth, data: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    _check_manager(auth)
    async with h.transaction() as tx:
        room = await access_room(tx.session, auth, data.get("room_id"))
        fields = await _fields(tx.session, data, partial=False)
        fields.setdefault("slug", _slug_from(fields["title"]))
        fields.setdefault("host_id", auth.user.id)
        if await tx.session.scalar(select(Meeting.id).where(Meeting.slug == fields["slug"])) is not None:
            raise Conflict("A meeting with that slug exists already.")
        stamp = utcnow()
        defaults = {"duration_minutes": 60, "timezone": "UTC", "types": "", "notes": "", "formatted_address": ""}
        meeting = Meeting(room_id=room.id, created_at=stamp, updated_at=stamp, quiet=False, state_version=0, **{**defaults, **fields})
        tx.session.add(meeting)
        await tx.session.flush()
        meeting_id = meeting.id
    return await get_meeting(h, auth, meeting_id, now=now)


async def update_meeting(h: Hearth, auth: Auth, meeting_id: object, data: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    _check_manager(auth)
    async with h.transaction() as tx:
        meeting, _ = await access_meeting(tx.session, auth, meeting_id)
        fields = await _fields(tx.session, data, partial=True)
        if "room_id" in data:
            fields["room_id"] = (await access_room(tx.session, auth, data["room_id"])).id
        if "slug" in fields and await tx.session.scalar(select(Meeting.id).where(Meeting.slug == fields["slug"], Meeting.id != meeting.id)) is not None:
            raise Conflict("A meeting with that slug exists already.")
        for key, value in fields.items():
            setattr(meeting, key, value)
        meeting.updated_at = utcnow()
    return await get_meeting(h, auth, meeting.id, now=now)


async def delete_meeting(h: Hearth, auth: Auth, meeting_id: object) -> None:
    _check_manager(auth)
    async with h.transaction() as tx:
        meeting, room = await access_meeting(tx.session, auth, meeting_id)
        await tx.session.delete(meeting)
        tx.emit(f"room:{room.id}", {"type": "meeting_removed", "room_id": room.id, "meeting_id": meeting.id})


async def set_reminder(h: Hearth, auth: Auth, meeting_id: object, data: dict[str, Any]) -> dict[str, Any]:
    on = flag(data, "on", True)
    async with h.transaction() as tx:
        meeting, _ = await access_meeting(tx.session, auth, meeting_id)
        existing = await tx.session.get(MeetingReminder, (meeting.id, auth.user.id))
        if on and existing is None:
            tx.session.add(MeetingReminder(meeting_id=meeting.id, user_id=auth.user.id, created_at=utcnow()))
        elif not on and existing is not None:
            await tx.session.delete(existing)
    return {"meeting_id": meeting.id, "remind_me": bool(on)}


# ---- Meeting Guide JSON and iCalendar ------------------------------------------

def meeting_url(h: Hearth, m: Meeting) -> str:
    return f"{h.settings.public_url}/#/meetings/{m.id}"


async def import_meeting_guide(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    """Bring a community's existing schedule in: meetings are matched by slug
    (updated when they exist in the same room, created otherwise)."""
    _check_manager(auth)
    listings = data.get("meetings")
    if not isinstance(listings, list) or not listings:
        raise InvalidField("meetings must be a non-empty list in Meeting Guide JSON format.")
    if len(listings) > MAX_IMPORT:
        raise InvalidField(f"Import at most {MAX_IMPORT} meetings at a time.")
    default_zone = check_zone(data.get("timezone", "UTC"))
    parsed: list[meeting_guide.ImportedMeeting] = []
    skipped: list[dict[str, Any]] = []
    for index, item in enumerate(listings):
        try:
            parsed.extend(meeting_guide.parse_listing(item, default_zone))
        except meeting_guide.Skip as why:
            slug = item.get("slug") if isinstance(item, dict) else None
            skipped.append({"index": index, "slug": slug if isinstance(slug, (str, int)) else None, "reason": str(why)})
    created: list[str] = []
    updated: list[str] = []
    async with h.transaction() as tx:
        room = await access_room(tx.session, auth, data.get("room_id"))
        for item in parsed:
            stamp = utcnow()
            values = {"title": item.title, "day": item.day, "start_minute": item.start_minute,
                      "duration_minutes": item.duration_minutes, "timezone": item.timezone, "types": ",".join(item.types),
                      "notes": item.notes, "formatted_address": item.formatted_address, "updated_at": stamp}
            existing = await tx.session.scalar(select(Meeting).where(Meeting.slug == item.slug))
            if existing is not None and existing.room_id != room.id:
                skipped.append({"index": None, "slug": item.slug, "reason": "that slug belongs to a meeting in another room"})
                continue
            if existing is None:
                tx.session.add(Meeting(room_id=room.id, slug=item.slug, host_id=None, created_at=stamp, quiet=False, state_version=0, **values))
                created.append(item.slug)
            else:
                for key, value in values.items():
                    setattr(existing, key, value)
                updated.append(item.slug)
            await tx.session.flush()
    return {"created": created, "updated": updated, "skipped": skipped}


async def export_meeting_guide(h: Hearth) -> list[dict[str, Any]]:
    """Every meeting in an open topic room, as a Meeting Guide feed. No host names: the feed may be public."""
    async with h.db.read() as session:
        rows = (await session.execute(_base_query().order_by(Meeting.id))).all()
    return [meeting_guide.listing(
        slug=m.slug, title=m.title, day=m.day, start_minute=m.start_minute, duration_minutes=m.duration_minutes,
        timezone=m.timezone, types=_types(m), notes=m.notes, formatted_address=m.formatted_address,
        updated_at=m.updated_at, url=meeting_url(h, m), group=room.name,
    ) for m, room, _ in rows]


async def export_ics(h: Hearth, auth: Auth, *, room_id: object = None, meeting_id: object = None,
                     now: datetime | None = None) -> bytes:
    now = now or utcnow()
    query = _base_query().order_by(Meeting.id)
    async with h.db.read() as session:
        if meeting_id is not None:
            m, _ = await access_meeting(session, auth, meeting_id)
            query = query.where(Meeting.id == m.id)
        elif room_id is not None:
            try:
                room = await access_room(session, auth, int(str(room_id)))
            except ValueError:
                raise InvalidField("room_id must be a room's id.") from None
            query = query.where(Meeting.room_id == room.id)
        rows = (await session.execute(query)).all()
    host = h.settings.public_url.split("://", 1)[-1]
    entries = [calendar_file.CalendarEntry(
        uid=f"meeting-{m.id}@{host}", title=m.title, weekly=weekly(m), first_after=m.created_at,
        description=(m.notes + "\n\n" if m.notes else "") + f"Hearth room: {room.name}",
        url=meeting_url(h, m), updated_at=m.updated_at,
    ) for m, room, _ in rows]
    return calendar_file.ics(entries, name="Hearth meetings", now=now)


# ---- reminders -----------------------------------------------------------------

async def send_due_reminders(h: Hearth, *, now: datetime | None = None) -> int:
    """Announce meetings starting within HEARTH_MEETING_REMINDER_MINUTES, once per
    occurrence, to members who asked (their own channel) and to the room."""
    now = now or utcnow()
    lead = timedelta(minutes=h.settings.meeting_reminder_minutes)
    async with h.db.read() as session:
        rows = (await session.execute(_base_query())).all()
    due = []
    for m, room, _ in rows:
        start = schedule.next_start(weekly(m), now)
        if start - now <= lead and m.reminded_for != start:
            due.append((m.id, room.id, m.title, start))
    fired = 0
    for meeting_id, room_id, title, start in due:
        async with h.transaction() as tx:
            claimed = await tx.session.scalar(
                update(Meeting).where(Meeting.id == meeting_id, or_(Meeting.reminded_for.is_(None), Meeting.reminded_for != start))
                .values(reminded_for=start).returning(Meeting.id)
            )
            if claimed is None:
                continue  # another process announced this occurrence
            fired += 1
            minutes = max(0, round((start - now).total_seconds() / 60))
            event = {"type": "meeting_reminder", "room_id": room_id, "starts_at": start.isoformat(), "minutes": minutes,
                     "meeting": {"id": meeting_id, "title": title, "room_id": room_id}}
            tx.emit(f"room:{room_id}", event)
            for user_id in await tx.session.scalars(select(MeetingReminder.user_id).where(MeetingReminder.meeting_id == meeting_id)):
                tx.emit(f"user:{user_id}", event)
    return fired


async def hosted_by(session: AsyncSession, user_id: int) -> list[Meeting]:
    return list(await session.scalars(select(Meeting).where(Meeting.host_id == user_id)))


async def forget_member(session: AsyncSession, user_id: int) -> None:
    """For delete-all: the member's reminders go; meetings they host stay for the room, without a host."""
    await session.execute(delete(MeetingReminder).where(MeetingReminder.user_id == user_id))
    await session.execute(update(Meeting).where(Meeting.host_id == user_id).values(host_id=None))
    await session.execute(update(Meeting).where(Meeting.speaker_id == user_id).values(speaker_id=None))
