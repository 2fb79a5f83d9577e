"""Day counts and milestones, counted in local calendar days.

A "day" is a calendar day in the member's own time zone, so daylight-saving
changes never add or lose a day. The start date is day 0 ("today is day one");
each later local midnight adds a day. Month and year milestones are calendar
months: from the 31st, six months later is the last day of that month; from
29 February, one year later is 28 February."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterator, Sequence
from zoneinfo import ZoneInfo, available_timezones

from server.errors import InvalidField
from server.text import is_whole_number

EARLIEST_START = date(1940, 1, 1)
_FIXED = (("1d", "24 hours", 1), ("7d", "7 days", 7), ("30d", "30 days", 30), ("60d", "60 days", 60), ("90d", "90 days", 90))
_MONTHS = (("6m", "6 months", 6), ("9m", "9 months", 9))


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_zone(value: object, field: str = "timezone") -> str:
    """An IANA zone name such as "America/New_York" (validated against the tz database)."""
    if not isinstance(value, str) or not 1 <= len(value) <= 64 or value not in _zones():
        raise InvalidField(f"{field} must be a time zone name such as Europe/London or America/New_York.")
    return value


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_today(now: datetime, zone_name: str) -> date:
    return now.astimezone(ZoneInfo(zone_name)).date()


def parse_date(value: object, field: str) -> date:
    if not isinstance(value, str):
        raise InvalidField(f"{field} must be a date like 2026-03-08.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField(f"{field} must be a date like 2026-03-08.") from None


def add_months(start: date, months: int) -> date:
    """Calendar months, keeping the day where it exists, else the month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    for day in (start.day, 30, 29, 28):
        if day <= start.day:
            try:
                return date(year, month, day)
            except ValueError:
                continue
    raise AssertionError("unreachable: every month has 28 days")


@dataclass(frozen=True)
class MilestoneMark:
    key: str
    label: str
    on: date  # the local date it is reached


def milestone_on(start: date, key: str) -> MilestoneMark:
    for k, label, days in _FIXED:
        if k == key:
            return MilestoneMark(k, label, start + timedelta(days=days))
    for k, label, months in _MONTHS:
        if k == key:
            return MilestoneMark(k, label, add_months(start, months))
    if key.endswith("y") and is_whole_number(key[:-1]) and 1 <= int(key[:-1]) <= 100:
        years = int(key[:-1])
        return MilestoneMark(key, "1 year" if years == 1 else f"{years} years", add_months(start, 12 * years))
    raise InvalidField("That is not a milestone we know.")


def all_milestones(start: date) -> Iterator[MilestoneMark]:
    """24 hours, 7, 30, 60, 90 days, 6 and 9 months, then every year."""
    for key, _, _ in _FIXED:
        yield milestone_on(start, key)
    for key, _, _ in _MONTHS:
        yield milestone_on(start, key)
    years = 1
    while True:
        yield milestone_on(start, f"{years}y")
        years += 1


def reached(start: date, today: date) -> list[MilestoneMark]:
    out: list[MilestoneMark] = []
    for mark in all_milestones(start):
        if mark.on > today:
            break
        out.append(mark)
    return out


def next_milestone(start: date, today: date) -> MilestoneMark:
    for mark in all_milestones(start):
        if mark.on > today:
            return mark
    raise AssertionError("unreachable: milestones never end")


@dataclass(frozen=True)
class DayCount:
    current_start: date
    current_days: int  # the current streak, in local days
    total_days: int  # every period added up: a new start keeps the past
    starts: int  # how many starts (1 = never had a new start)


def day_count(starts: Sequence[date], today: date) -> DayCount:
    """`starts` in any order. Each earlier period runs from its start to the next
    start; the current one from the latest start to today (never negative)."""
    ordered = sorted(set(starts))
    if not ordered:
        raise ValueError("a day count needs at least one start date")
    current = max(0, (today - ordered[-1]).days)
    earlier = sum((b - a).days for a, b in zip(ordered, ordered[1:]))
    return DayCount(ordered[-1], current, earlier + current, len(ordered))


def check_start(value: date, today: date, *, after: date | None = None) -> date:
    if value > today:
        raise InvalidField("The start date can't be in the future. Pick today or an earlier day.")
    if value < EARLIEST_START:
        raise InvalidField("That start date is too far in the past. Please check the year.")
    if after is not None and value <= after:
        raise InvalidField("A new start comes after your current start date. Pick a later day.")
    return value
