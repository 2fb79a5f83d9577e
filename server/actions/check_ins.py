"""Daily check-ins: mood (1-5), cravings (0-10), optional sleep and a private note.

One check-in per local calendar day; saving again the same day updates it. A
missed day can be filled in up to a week later. The note is never shown to
anyone else, partners included."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions import early_warning
from server.actions.accounts import Auth
from server.actions.recovery_profile import member_zone
from server.errors import InvalidField, NotFound
from server.models import utcnow
from server.models.recovery import CheckIn
from server.recovery import days
from server.recovery.warning import current_streak
from server.services import Hearth
from server.text import clean_body

RANGES = (7, 30, 90)
BACKFILL_DAYS = 6  # today and the six days before


def _whole(data: dict[str, Any], name: str, low: int, high: int, words: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidField(f"{name} must be a whole number from {low} to {high} ({words}).")
    return value


def _sleep(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 24:
        raise InvalidField("sleep_hours must be a number of hours from 0 to 24, or left out.")
    return round(float(value), 1)


def check_in_out(row: CheckIn, *, with_note: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"day": row.day.isoformat(), "mood": row.mood, "craving": row.craving, "sleep_hours": row.sleep_hours}
    if with_note:
        out["note"] = row.note
        out["updated_at"] = row.updated_at.isoformat()
    return out


async def rows_between(session: AsyncSession, user_id: int, first: date, last: date) -> list[CheckIn]:
    return list(await session.scalars(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.day >= first, CheckIn.day <= last).order_by(CheckIn.day)
    ))


def _summary(rows: list[CheckIn]) -> dict[str, Any]:
    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 2) if values else None

    return {
        "count": len(rows), "mood_avg": mean([r.mood for r in rows]), "craving_avg": mean([r.craving for r in rows]),
        "sleep_avg": mean([r.sleep_hours for r in rows if r.sleep_hours is not None]),
    }


async def streak_of(session: AsyncSession, user_id: int, today: date) -> int:
    # A streak longer than a year still shows; counting further back is not worth the read.
    recent = await session.scalars(select(CheckIn.day).where(CheckIn.user_id == user_id, CheckIn.day > today - timedelta(days=400)))
    return current_streak(list(recent), today)


async def series(session: AsyncSession, user_id: int, span: int, today: date, *, with_note: bool) -> dict[str, Any]:
    rows = await rows_between(session, user_id, today - timedelta(days=span - 1), today)
    return {
        "today": today.isoformat(), "days": span, "streak": await streak_of(session, user_id, today),
        "check_ins": [check_in_out(r, with_note=with_note) for r in rows], "summary": _summary(rows),
    }


def check_span(value: object) -> int:
    try:
        span = int(str(value))
    except ValueError:
        span = 0
    if span not in RANGES:
        raise InvalidField("days must be 7, 30 or 90.")
    return span


async def list_check_ins(h: Hearth, auth: Auth, span: object = 30, *, now: datetime | None = None) -> dict[str, Any]:
    span = check_span(span)
    async with h.db.read() as session:
        zone = await member_zone(session, auth.user.id)
        today = days.local_today(now or utcnow(), zone)
        return {**await series(session, auth.user.id, span, today, with_note=True), "timezone": zone}


async def save_check_in(h: Hearth, auth: Auth, data: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    mood = _whole(data, "mood", 1, 5, "1 is very low, 5 is very good")
    craving = _whole(data, "craving", 0, 10, "0 is none, 10 is the strongest")
    sleep = _sleep(data.get("sleep_hours"))
    note = clean_body(data["note"], field="note", max_chars=2000) if data.get("note") else ""
    async with h.transaction() as tx:
        today = days.local_today(now or utcnow(), await member_zone(tx.session, auth.user.id))
        day = days.parse_date(data["day"], "day") if data.get("day") else today
        if day > today or (today - day).days > BACKFILL_DAYS:
            raise InvalidField("You can check in for today or fill in one of the last six days.")
        row = await tx.session.scalar(select(CheckIn).where(CheckIn.user_id == auth.user.id, CheckIn.day == day))
        stamp = utcnow()
        if row is None:
            row = CheckIn(user_id=auth.user.id, day=day, mood=mood, craving=craving, sleep_hours=sleep, note=note,
                          created_at=stamp, updated_at=stamp)
            tx.session.add(row)
        else:
            row.mood, row.craving, row.sleep_hours, row.note, row.updated_at = mood, craving, sleep, note, stamp
        await tx.session.flush()
        await early_warning.after_check_in(tx, auth.user, today)
        return {"check_in": check_in_out(row, with_note=True), "streak": await streak_of(tx.session, auth.user.id, today)}


async def delete_check_in(h: Hearth, auth: Auth, day: object) -> None:
    parsed = days.parse_date(day, "day")
    async with h.transaction() as tx:
        result = await tx.session.execute(delete(CheckIn).where(CheckIn.user_id == auth.user.id, CheckIn.day == parsed))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFound("There is no check-in on that day.")
