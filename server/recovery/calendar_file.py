"""iCalendar (.ics) export of weekly meetings, written with the `icalendar` library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from server.recovery.schedule import Weekly, next_start

BYDAY = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    title: str
    weekly: Weekly
    first_after: datetime  # the series starts at the first occurrence at or after this
    description: str
    url: str
    updated_at: datetime


def ics(entries: list[CalendarEntry], *, name: str, now: datetime) -> bytes:
    # Imported here: a calendar download is rare, and the library's 80 modules
    # would otherwise take ~4 MB of every serving process (docs/performance.md).
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Hearth//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for entry in entries:
        first = next_start(entry.weekly, entry.first_after)
        event = icalendar.Event()
        event.add("uid", entry.uid)
        event.add("summary", entry.title)
        # Wall-clock time in the meeting's own zone, so calendars follow its DST rules.
        start = first.astimezone(timezone.utc) if entry.weekly.zone == "UTC" else first.astimezone(ZoneInfo(entry.weekly.zone))
        event.add("dtstart", start)
        event.add("duration", timedelta(minutes=entry.weekly.duration_minutes))
        event.add("rrule", {"freq": "weekly", "byday": BYDAY[entry.weekly.day]})
        event.add("dtstamp", now.astimezone(timezone.utc))
        event.add("last-modified", entry.updated_at.astimezone(timezone.utc))
        if entry.description:
            event.add("description", entry.description)
        event.add("url", entry.url)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()

