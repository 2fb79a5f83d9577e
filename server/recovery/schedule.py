"""Weekly meeting times.

A meeting happens every week on `day` (0 = Sunday, as in Meeting Guide) at a
wall-clock time in its own zone. "UTC" keeps it at the same UTC instant all
year, so members whose zone changes clock see its local time move by an hour;
a meeting in "America/New_York" keeps its New York time and moves in UTC
instead. A local time that does not exist that day (the spring-forward gap)
happens at the same offset as before the change, i.e. an hour later on the
new clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from server.text import is_whole_number

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Weekly:
    day: int  # 0 = Sunday .. 6 = Saturday
    start_minute: int  # minutes after local midnight
    duration_minutes: int
    zone: str


def sunday_based(d: date) -> int:
    return (d.weekday() + 1) % 7


def start_on(w: Weekly, local_date: date) -> datetime:
    """The UTC start on a local date (whatever its weekday)."""
    hour, minute = divmod(w.start_minute, 60)
    local = datetime.combine(local_date, time(hour, minute), tzinfo=ZoneInfo(w.zone))
    return local.astimezone(timezone.utc)


def next_start(w: Weekly, after: datetime) -> datetime:
    """The first start at or after `after` (UTC)."""
    local_date = after.astimezone(ZoneInfo(w.zone)).date() - timedelta(days=1)
    for offset in range(9):
        candidate = local_date + timedelta(days=offset)
        if sunday_based(candidate) != w.day:
            continue
        start = start_on(w, candidate)
        if start >= after:
            return start
    raise AssertionError("unreachable: a weekday comes round every 7 days")


def current_or_next(w: Weekly, now: datetime) -> datetime:
    """The occurrence running now, or else the next one."""
    return next_start(w, now - timedelta(minutes=w.duration_minutes))


def occurrences(w: Weekly, start: datetime, end: datetime) -> list[datetime]:
    out: list[datetime] = []
    at = next_start(w, start)
    while at < end:
        out.append(at)
        at = next_start(w, at + timedelta(minutes=1))
    return out


def in_zone(at: datetime, zone_name: str) -> dict[str, object]:
    """How an instant reads in a member's zone."""
    local = at.astimezone(ZoneInfo(zone_name))
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return {
        "zone": zone_name, "date": local.date().isoformat(), "day": sunday_based(local.date()),
        "time": local.strftime("%H:%M"), "utc_offset": f"{sign}{minutes // 60:02d}:{minutes % 60:02d}",
    }


def hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def parse_hhmm(value: str) -> int | None:
    """"19:30" -> 1170; also accepts "19:30:00" (common in Meeting Guide feeds)."""
    parts = value.split(":")
    if len(parts) not in (2, 3) or not all(is_whole_number(p) and len(p) == 2 for p in parts):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    if hour > 23 or minute > 59:
        return None
    return hour * 60 + minute
