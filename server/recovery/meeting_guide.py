"""Meeting Guide JSON (the open format of code4recovery/spec that AA and NA
service bodies publish): a JSON array of meetings with `name`, `slug`, `day`
(0 = Sunday, or a list of days), `time` and `end_time` ("HH:MM"), `timezone`,
`types`, `notes`, `conference_url`, `updated` ("YYYY-MM-DD HH:MM:SS", UTC), and
geography such as `formatted_address`.

Import reads what Hearth can hold and says why it skipped the rest; export
writes what the Meeting Guide app and TSML UI read. A meeting is online when it
has a `conference_url` (the old "ONL" type code is no longer in the spec, and
readers ignore it); an online meeting's address is only an approximate place of
origin, which the feed says with `"approximate": "yes"`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from server.errors import HearthError
from server.recovery.days import check_zone
from server.recovery.schedule import hhmm, parse_hhmm
from server.text import clean_body, clean_line, is_whole_number

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")
TYPE_CODE = re.compile(r"^[A-Za-z0-9-]{1,10}$")
LEGACY_ONLINE = "ONL"  # dropped on import: every Hearth meeting is online, and the feed says so with conference_url
DEFAULT_MINUTES = 60  # the spec's default when end_time is missing
MAX_TYPES = 20


@dataclass
class ImportedMeeting:
    slug: str
    title: str
    day: int
    start_minute: int
    duration_minutes: int
    timezone: str
    types: list[str] = field(default_factory=list)
    notes: str = ""
    formatted_address: str = ""


class Skip(Exception):
    """One listing Hearth can't hold; the import goes on without it."""


def _slug(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Skip("slug is missing")
    slug = str(value).strip().lower()
    if not SLUG.match(slug):
        raise Skip("slug must be 1-64 letters, digits, dashes or underscores")
    return slug


def _days(value: object) -> list[int]:
    days = value if isinstance(value, list) else [value]
    out: list[int] = []
    for day in days:
        if isinstance(day, str) and is_whole_number(day):
            day = int(day)
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
            raise Skip("day must be 0 (Sunday) to 6 (Saturday); meetings by appointment are not imported")
        if day not in out:
            out.append(day)
    if not out:
        raise Skip("day is missing")
    return out


def _text(value: object, fn: Any, **kw: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return str(fn(value, **kw))
    except HearthError as error:
        raise Skip(error.detail) from None


def parse_listing(item: object, default_zone: str) -> list[ImportedMeeting]:
    """One Meeting Guide listing -> one Hearth meeting per weekday it lists."""
    if not isinstance(item, dict):
        raise Skip("each meeting must be a JSON object")
    slug = _slug(item.get("slug"))
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise Skip("name is missing")
    title = _text(name, clean_line, field="name", min_chars=1, max_chars=120)
    days = _days(item.get("day"))
    start = parse_hhmm(item["time"]) if isinstance(item.get("time"), str) else None
    if start is None:
        raise Skip("time must be HH:MM (24-hour)")
    duration = DEFAULT_MINUTES
    if isinstance(item.get("end_time"), str) and item["end_time"]:
        end = parse_hhmm(item["end_time"])
        if end is None:
            raise Skip("end_time must be HH:MM (24-hour)")
        duration = (end - start) % (24 * 60) or DEFAULT_MINUTES  # past midnight wraps round
    zone_name = default_zone
    if item.get("timezone"):
        try:
            zone_name = check_zone(item["timezone"])
        except HearthError:
            raise Skip("timezone must be a tz database name such as America/New_York") from None
    raw_types = item.get("types") or []
    if isinstance(raw_types, str):
        raw_types = [raw_types]
    types = [t for t in raw_types if isinstance(t, str) and TYPE_CODE.match(t) and t != LEGACY_ONLINE][:MAX_TYPES] \
        if isinstance(raw_types, list) else []
    notes = _text(item.get("notes"), clean_body, field="notes", max_chars=2000)
    address = _text(item.get("formatted_address"), clean_line, field="formatted_address", max_chars=200)
    if not address:
        parts = [item.get(k) for k in ("city", "state", "country")]
        joined = ", ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        address = _text(joined, clean_line, field="formatted_address", max_chars=200) if joined else ""
    out = []
    for day in days:
        # A listing on several days becomes one Hearth meeting per day, each with its own slug.
        day_slug = slug if len(days) == 1 else f"{slug[:61]}-{day}"
        out.append(ImportedMeeting(day_slug, title, day, start, duration, zone_name, types, notes, address))
    return out


def listing(*, slug: str, title: str, day: int, start_minute: int, duration_minutes: int, timezone: str,
            types: list[str], notes: str, formatted_address: str, updated_at: datetime, url: str,
            group: str) -> dict[str, Any]:
    """One Hearth meeting as a Meeting Guide listing."""
    out: dict[str, Any] = {
        "name": title, "slug": slug, "day": day, "time": hhmm(start_minute),
        "end_time": hhmm(start_minute + duration_minutes), "timezone": timezone,
        "types": sorted(set(types) - {LEGACY_ONLINE}), "conference_url": url, "url": url,
        "group": group, "updated": updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    if notes:
        out["notes"] = notes
    if formatted_address:
        out["formatted_address"] = formatted_address
        out["approximate"] = "yes"
    return out
