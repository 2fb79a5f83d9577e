"""Weekly meeting times in each member's local time around DST changes,
Meeting Guide JSON in and out, and .ics output parsed back with `icalendar`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from server.recovery import calendar_file, meeting_guide, schedule

UTC = timezone.utc
NY = "America/New_York"


def test_a_utc_meeting_moves_on_new_york_clocks_across_dst() -> None:
    # Sunday 23:30 UTC. New York springs forward on Sunday 8 March 2026.
    w = schedule.Weekly(day=0, start_minute=23 * 60 + 30, duration_minutes=60, zone="UTC")
    before = schedule.next_start(w, datetime(2026, 3, 1, 12, tzinfo=UTC))
    after = schedule.next_start(w, datetime(2026, 3, 8, 12, tzinfo=UTC))
    assert before == datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert after == datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    assert schedule.in_zone(before, NY) == {"zone": NY, "date": "2026-03-01", "day": 0, "time": "18:30", "utc_offset": "-05:00"}
    assert schedule.in_zone(after, NY) == {"zone": NY, "date": "2026-03-08", "day": 0, "time": "19:30", "utc_offset": "-04:00"}
    # In London (no change until 29 March) it stays 23:30.
    assert schedule.in_zone(after, "Europe/London")["time"] == "23:30"


def test_a_new_york_meeting_keeps_its_local_time_and_moves_in_utc() -> None:
    w = schedule.Weekly(day=0, start_minute=19 * 60, duration_minutes=60, zone=NY)
    assert schedule.next_start(w, datetime(2026, 3, 1, tzinfo=UTC)) == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert schedule.next_start(w, datetime(2026, 3, 5, tzinfo=UTC)) == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    assert schedule.next_start(w, datetime(2026, 10, 26, tzinfo=UTC)) == datetime(2026, 11, 1, 23, 0, tzinfo=UTC) + timedelta(hours=1)
    # Seen from Kiritimati (UTC+14, no DST) the same meeting is Monday afternoon.
    local = schedule.in_zone(datetime(2026, 3, 8, 23, 0, tzinfo=UTC), "Pacific/Kiritimati")
    assert (local["day"], local["time"], local["date"]) == (1, "13:00", "2026-03-09")


def test_a_time_in_the_spring_gap_happens_an_hour_later_on_the_new_clock() -> None:
    w = schedule.Weekly(day=0, start_minute=2 * 60 + 30, duration_minutes=60, zone=NY)  # 02:30 does not exist on 8 March
    start = schedule.next_start(w, datetime(2026, 3, 7, tzinfo=UTC))
    assert start == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert schedule.in_zone(start, NY)["time"] == "03:30"


def test_occurrences_are_weekly_and_current_or_next_includes_the_running_one() -> None:
    w = schedule.Weekly(day=3, start_minute=12 * 60, duration_minutes=90, zone="UTC")  # Wednesdays at noon
    found = schedule.occurrences(w, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
    assert [d.day for d in found] == [7, 14, 21, 28]
    running = datetime(2026, 1, 7, 13, 0, tzinfo=UTC)
    assert schedule.current_or_next(w, running) == datetime(2026, 1, 7, 12, 0, tzinfo=UTC)
    assert schedule.current_or_next(w, running + timedelta(hours=1)) == datetime(2026, 1, 14, 12, 0, tzinfo=UTC)


def test_meeting_guide_import_reads_the_spec_and_skips_with_reasons() -> None:
    ok = meeting_guide.parse_listing({
        "name": "Sunday Serenity", "slug": "sunday-serenity", "day": [0, 3], "time": "18:00", "end_time": "19:30",
        "timezone": "America/Los_Angeles", "types": ["O", "T", "<script>", "LGBTQ"], "notes": "Ring buzzer.",
        "city": "Anytown", "state": "CA", "country": "US", "updated": "2014-05-31 14:32:23",
    }, "UTC")
    assert [(m.slug, m.day, m.start_minute, m.duration_minutes, m.timezone) for m in ok] == [
        ("sunday-serenity-0", 0, 18 * 60, 90, "America/Los_Angeles"), ("sunday-serenity-3", 3, 18 * 60, 90, "America/Los_Angeles")]
    assert ok[0].types == ["O", "T", "LGBTQ"] and ok[0].formatted_address == "Anytown, CA, US"
    late = meeting_guide.parse_listing({"name": "Night Owls", "slug": 42, "day": "5", "time": "23:30", "end_time": "00:30"}, "Europe/Dublin")
    assert (late[0].slug, late[0].day, late[0].duration_minutes, late[0].timezone) == ("42", 5, 60, "Europe/Dublin")
    for bad, reason in [({"name": "x", "slug": "a"}, "day"), ({"name": "x", "slug": "a", "day": 7, "time": "10:00"}, "day"),
                        ({"name": "x", "slug": "a", "day": 1, "time": "25:00"}, "time"), ({"slug": "a", "day": 1, "time": "10:00"}, "name"),
                        ({"name": "x", "slug": "has space", "day": 1, "time": "10:00"}, "slug"),
                        ({"name": "x", "slug": "a", "day": 1, "time": "10:00", "timezone": "Nowhere/Else"}, "timezone"),
                        ("not an object", "object")]:
        with pytest.raises(meeting_guide.Skip, match=reason):
            meeting_guide.parse_listing(bad, "UTC")


# Every field name in the code4recovery/spec README ("Field Definitions"): an exported key outside it is a typo
# or an invention the Meeting Guide app and TSML UI would ignore.
SPEC_FIELDS = {
    "name", "slug", "day", "time", "end_time", "timezone", "formatted_address", "address", "city", "state",
    "postal_code", "country", "region", "sub_region", "regions", "conference_url", "conference_url_notes",
    "conference_phone", "conference_phone_notes", "types", "notes", "location", "location_notes", "latitude",
    "longitude", "approximate", "updated", "group", "group_notes", "venmo", "square", "paypal", "url", "edit_url",
    "feedback_url", "entity", "entity_email", "entity_feedback_emails", "entity_location", "entity_logo",
    "entity_phone", "entity_website_url",
}
# The spec's reserved type codes (its "Meeting Types" table). "ONL" was retired: online is conference_url.
SPEC_TYPES = {
    "11", "12x12", "A", "ABSI", "AL", "AL-AN", "AM", "ASL", "B", "BA", "BE", "BI", "BRK", "C", "CAN", "CF", "D", "DA",
    "DB", "DD", "DE", "DR", "EL", "EN", "FA", "FF", "FR", "G", "GR", "H", "HE", "HI", "HR", "HU", "ITA", "JA", "KOR",
    "L", "LGBTQ", "LIT", "LS", "LT", "M", "MED", "ML", "N", "NB", "NDG", "NO", "O", "OUT", "P", "POA", "POC", "POL",
    "POR", "PUN", "RUS", "S", "SEN", "SK", "SM", "SP", "ST", "SV", "T", "TC", "TH", "TL", "TR", "UK", "W", "X", "XB",
    "XT", "Y",
}


def test_the_client_names_every_spec_type_in_words() -> None:
    catalogue = json.loads((Path(__file__).resolve().parents[2] / "client" / "i18n" / "en.json").read_text(encoding="utf-8"))
    assert {key.split(".", 1)[1] for key in catalogue if key.startswith("meetingType.")} == SPEC_TYPES


def test_meeting_guide_export_round_trips() -> None:
    out = meeting_guide.listing(slug="step-study", title="Step study", day=2, start_minute=19 * 60 + 15, duration_minutes=75,
                                timezone=NY, types=["O", "ST"], notes="Bring the book.", formatted_address="",
                                updated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), url="https://hearth.example/#/meetings/1", group="Early recovery")
    assert out["day"] == 2 and out["time"] == "19:15" and out["end_time"] == "20:30" and out["timezone"] == NY
    assert out["types"] == ["O", "ST"] and out["updated"] == "2026-01-02 03:04:05"
    assert out["conference_url"] == "https://hearth.example/#/meetings/1"  # what makes it an online meeting for the apps
    assert "formatted_address" not in out and "approximate" not in out
    assert set(out) <= SPEC_FIELDS
    back = meeting_guide.parse_listing(out, "UTC")[0]
    assert (back.slug, back.day, back.start_minute, back.duration_minutes, back.timezone) == ("step-study", 2, 1155, 75, NY)


def test_meeting_guide_export_follows_the_spec_for_online_meetings() -> None:
    # `updated` is UTC whatever zone the stored time comes back in; an online meeting's address is approximate;
    # a late meeting's end_time wraps past midnight; the retired ONL code never goes out.
    out = meeting_guide.listing(slug="night-owls", title="Night owls", day=6, start_minute=23 * 60 + 30, duration_minutes=60,
                                timezone="UTC", types=["ONL", "D", "O"], notes="", formatted_address="Chicago, IL, USA",
                                updated_at=datetime(2026, 7, 1, 20, 0, 0, tzinfo=ZoneInfo(NY)), url="https://hearth.example/#/meetings/2",
                                group="Wins")
    assert out["updated"] == "2026-07-02 00:00:00"
    assert (out["formatted_address"], out["approximate"]) == ("Chicago, IL, USA", "yes")
    assert out["end_time"] == "00:30" and len(out["time"]) == len(out["end_time"]) == 5
    assert out["types"] == ["D", "O"] and set(out["types"]) <= SPEC_TYPES
    assert set(out) <= SPEC_FIELDS and "notes" not in out
    # A legacy feed's ONL comes in as nothing: online is what every Hearth meeting is.
    back = meeting_guide.parse_listing({"name": "Legacy", "slug": "legacy", "day": 1, "time": "08:00", "types": ["ONL", "O"]}, "UTC")
    assert back[0].types == ["O"]


def test_ics_is_valid_and_parses_back_with_its_rules_and_zone() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    entries = [
        calendar_file.CalendarEntry("meeting-1@hearth.example", "Sunday evening share", schedule.Weekly(0, 19 * 60, 60, NY),
                                    now, "Hearth room: Welcome", "https://hearth.example/#/meetings/1", now),
        calendar_file.CalendarEntry("meeting-2@hearth.example", "Late check-in, UTC", schedule.Weekly(3, 23 * 60 + 30, 45, "UTC"),
                                    now, "", "https://hearth.example/#/meetings/2", now),
    ]
    raw = calendar_file.ics(entries, name="Hearth meetings", now=now)
    cal = icalendar.Calendar.from_ical(raw)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    first = events["meeting-1@hearth.example"]
    start = first.decoded("dtstart")
    assert start == datetime(2026, 3, 1, 19, 0, tzinfo=ZoneInfo(NY))
    assert first["dtstart"].params["TZID"] == NY
    assert first["rrule"]["FREQ"] == ["WEEKLY"] and first["rrule"]["BYDAY"] == ["SU"]
    assert first.decoded("duration") == timedelta(hours=1)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [NY]
    second = events["meeting-2@hearth.example"]
    assert second.decoded("dtstart") == datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    assert second["rrule"]["BYDAY"] == ["WE"]
    # Expanding the rule across the DST change keeps 19:00 on New York clocks.
    after_change = first.decoded("dtstart") + timedelta(weeks=1)
    assert after_change.astimezone(UTC).hour == 23
