"""Actions with an injected clock, against a real database (SQLite, or the
PostgreSQL test database): meeting reminders around a DST change and the
"went quiet" early warning, each fired exactly once even when two process
contexts sweep at the same moment; early warning to a mentor, lapsing with
the mentorship; day counts and check-ins in the member's own calendar (far
time zones, a DST change, a leap day)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from typing import AsyncIterator, Iterator

import pytest

from server.actions import accounts, check_ins, day_counts, early_warning, meetings, mentors, partners, recovery_profile
from server.actions.accounts import Auth
from server.config import Settings, load_settings
from server.db import migrate
from server.errors import InvalidField
from server.services import Hearth
from tests.support import PASSWORD, Database, unique_name

UTC = timezone.utc


@pytest.fixture(scope="module")
def settings() -> Iterator[Settings]:
    database = Database.fresh()
    env = {"HEARTH_DATA_DIR": str(database.data_dir), "HEARTH_SECRET_KEY": "test-secret-key-" + "x" * 32,
           "HEARTH_MEETING_REMINDER_MINUTES": "15", "HEARTH_BROKER_PREFIX": "test-" + database.data_dir.name}
    if database.url:
        env["HEARTH_DATABASE_URL"] = database.url
    loaded = load_settings(env)
    migrate(loaded)
    yield loaded


@pytest.fixture
async def pair(settings: Settings) -> AsyncIterator[tuple[Hearth, Hearth]]:
    """Two process contexts on one database (each with its own engine and write lock)."""
    first, second = Hearth(settings), Hearth(settings)
    await first.start()
    await second.start()
    yield first, second
    await first.stop()
    await second.stop()


async def member(h: Hearth, role: str = "member") -> Auth:
    _, token, _ = await accounts.sign_up(h, unique_name(), PASSWORD, role=role)
    return await accounts.authenticate(h, token)


async def test_reminder_fires_once_per_occurrence_across_dst(pair: tuple[Hearth, Hearth]) -> None:
    h, other = pair
    mod = await member(h, "moderator")
    meeting = await meetings.create_meeting(h, mod, {"room_id": 2, "title": "Sunday evening", "day": 0, "time": "19:00",
                                                     "timezone": "America/New_York"})
    # 1 March 2026 is in winter time: 19:00 EST is 00:00 UTC on Monday.
    winter = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert await meetings.send_due_reminders(h, now=winter - timedelta(minutes=20)) == 0
    fired = await asyncio.gather(*(meetings.send_due_reminders(x, now=winter - timedelta(minutes=10)) for x in (h, other, h, other)))
    assert sum(fired) == 1
    assert await meetings.send_due_reminders(other, now=winter - timedelta(minutes=5)) == 0
    # After the clocks change on 8 March, 19:00 EDT is 23:00 UTC on Sunday: the reminder follows local time.
    summer = datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    assert await meetings.send_due_reminders(h, now=summer - timedelta(minutes=30)) == 0
    fired = await asyncio.gather(*(meetings.send_due_reminders(x, now=summer - timedelta(minutes=14)) for x in (other, h)))
    assert sum(fired) == 1
    listed = await meetings.get_meeting(h, mod, meeting["id"], now=summer - timedelta(minutes=14))
    assert listed["next_start"] == summer.isoformat()


async def test_went_quiet_after_a_streak_notifies_once_and_only_with_consent(pair: tuple[Hearth, Hearth]) -> None:
    h, other = pair
    person, specialist, silent = await member(h), await member(h, "specialist"), await member(h)
    await early_warning.set_consent(h, person, {"pseudonym": specialist.user.pseudonym})
    first = date(2026, 5, 1)
    for offset in range(7):  # a week of daily check-ins, each on its own day (the clock is injected)
        day_noon = datetime.combine(first + timedelta(days=offset), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
        for who in (person, silent):
            await check_ins.save_check_in(h, who, {"mood": 4, "craving": 2}, now=day_noon)
    last = first + timedelta(days=6)
    two_missed = datetime.combine(last + timedelta(days=3), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    assert await early_warning.sweep_quiet(h, now=two_missed) == 0
    three_missed = two_missed + timedelta(days=1)
    sent = await asyncio.gather(*(early_warning.sweep_quiet(x, now=three_missed) for x in (h, other, h)))
    assert sum(sent) == 1
    assert await early_warning.sweep_quiet(other, now=three_missed + timedelta(days=1)) == 0  # the same gap, already told
    got = await early_warning.received(h, specialist)
    assert [(n["kind"], n["about"]["pseudonym"], n["trigger_day"]) for n in got] == [("missed", person.user.pseudonym, last.isoformat())]
    assert got[0]["details"] is None  # scores were not shared
    # The member who gave no consent went quiet too, and nobody was told.
    assert all(n["about"]["pseudonym"] != silent.user.pseudonym for n in got)
    assert (await early_warning.settings(h, silent))["shared"] == []


async def test_consent_to_a_former_partner_sends_nothing(pair: tuple[Hearth, Hearth]) -> None:
    h, _ = pair
    a, b = await member(h), await member(h)
    p = await partners.request_partner(h, a, {"pseudonym": b.user.pseudonym})
    await partners.accept_partner(h, b, p["id"])
    await early_warning.set_consent(h, a, {"pseudonym": b.user.pseudonym, "share_scores": True})
    await partners.end_partner(h, a, p["id"])
    start = datetime(2026, 6, 1, 12, tzinfo=UTC)
    for offset, (mood, craving) in enumerate([(5, 1), (4, 3), (2, 6)]):
        await check_ins.save_check_in(h, a, {"mood": mood, "craving": craving}, now=start + timedelta(days=offset))
    assert await early_warning.received(h, b) == []


async def _mentorship(h: Hearth, mentor: Auth, mentee: Auth) -> dict[str, object]:
    await mentors.volunteer(h, mentor, {"recovery_since": "2015-01-01", "focus": ["general"], "tz_band": "europe_africa"})
    request = await mentors.request_mentor(h, mentee, {"focus": "general", "tz_band": "europe_africa"})
    return await mentors.accept(h, mentor, request["id"])


async def test_a_member_may_choose_their_mentor_until_the_mentorship_ends(pair: tuple[Hearth, Hearth]) -> None:
    h, _ = pair
    mentee, mentor, someone_elses_mentor = await member(h), await member(h), await member(h)
    # Not their mentor (yet): refused, and nothing is stored.
    with pytest.raises(InvalidField):
        await early_warning.set_consent(h, mentee, {"pseudonym": mentor.user.pseudonym})
    ship = await _mentorship(h, mentor, mentee)
    await mentors.volunteer(h, someone_elses_mentor, {"recovery_since": "2015-01-01", "focus": ["general"], "tz_band": "americas"})
    with pytest.raises(InvalidField):  # a mentor, but not this member's
        await early_warning.set_consent(h, mentee, {"pseudonym": someone_elses_mentor.user.pseudonym})
    await early_warning.set_consent(h, mentee, {"pseudonym": mentor.user.pseudonym, "share_scores": True})
    consents = (await early_warning.settings(h, mentee))["consents"]
    assert [(c["recipient"]["pseudonym"], c["recipient_kind"]) for c in consents] == [(mentor.user.pseudonym, "mentor")]
    start = datetime(2026, 7, 1, 12, tzinfo=UTC)
    for offset, (mood, craving) in enumerate([(5, 1), (4, 3), (2, 6)]):
        await check_ins.save_check_in(h, mentee, {"mood": mood, "craving": craving, "note": "mine alone"}, now=start + timedelta(days=offset))
    got = await early_warning.received(h, mentor)
    assert [(n["kind"], n["about"]["pseudonym"]) for n in got] == [("drop", mentee.user.pseudonym)]
    assert [c["mood"] for c in got[0]["details"]["check_ins"]] == [5, 4, 2] and "mine alone" not in str(got)
    # The member sees exactly what was shared, word for word.
    assert (await early_warning.settings(h, mentee))["shared"] == got
    # The mentorship ends: the consent lapses with it, and a later drop tells nobody.
    await mentors.end(h, mentee, int(str(ship["id"])))
    assert (await early_warning.settings(h, mentee))["consents"] == []
    later = start + timedelta(days=10)
    for offset, (mood, craving) in enumerate([(5, 0), (3, 4), (1, 8)]):
        await check_ins.save_check_in(h, mentee, {"mood": mood, "craving": craving}, now=later + timedelta(days=offset))
    assert len(await early_warning.received(h, mentor)) == 1


async def test_ending_a_partnership_keeps_a_consent_that_a_mentorship_still_allows(pair: tuple[Hearth, Hearth]) -> None:
    h, _ = pair
    mentee, mentor = await member(h), await member(h)
    await _mentorship(h, mentor, mentee)
    p = await partners.request_partner(h, mentee, {"pseudonym": mentor.user.pseudonym})
    await partners.accept_partner(h, mentor, p["id"])
    await early_warning.set_consent(h, mentee, {"pseudonym": mentor.user.pseudonym})
    await early_warning.set_consent(h, mentor, {"pseudonym": mentee.user.pseudonym})  # allowed only by the partnership
    await partners.end_partner(h, mentor, p["id"])
    assert [c["recipient_kind"] for c in (await early_warning.settings(h, mentee))["consents"]] == ["mentor"]
    assert (await early_warning.settings(h, mentor))["consents"] == []


async def test_day_counts_and_check_ins_follow_the_members_own_calendar(pair: tuple[Hearth, Hearth]) -> None:
    """Through the actions, not just the rules: the member's saved zone decides what "today" is."""
    h, _ = pair
    far_east, new_york, leap = await member(h), await member(h), await member(h)
    # Noon UTC on 1 January is already 2 January in Kiritimati (UTC+14).
    await recovery_profile.set_profile(h, far_east, {"timezone": "Pacific/Kiritimati"})
    new_year = datetime(2026, 1, 1, 12, tzinfo=UTC)
    counter = await day_counts.create_counter(h, far_east, {"label": "Alcohol"}, now=new_year)
    assert (counter["current_start"], counter["current_days"], counter["today"]) == ("2026-01-02", 0, "2026-01-02")
    saved = await check_ins.save_check_in(h, far_east, {"mood": 4, "craving": 1}, now=new_year)
    assert saved["check_in"]["day"] == "2026-01-02"
    with pytest.raises(InvalidField):  # tomorrow in Kiritimati is still the future, even where it is already tomorrow in UTC
        await day_counts.new_start(h, far_east, counter["id"], {"start_date": "2026-01-03"}, now=new_year)
    # New York springs forward on 8 March 2026: the 23-hour day is still one day, and day 7 comes at local midnight.
    await recovery_profile.set_profile(h, new_york, {"timezone": "America/New_York"})
    started = await day_counts.create_counter(h, new_york, {"start_date": "2026-03-01"}, now=datetime(2026, 3, 1, 15, tzinfo=UTC))
    late_on_the_7th = (await day_counts.list_counters(h, new_york, now=datetime(2026, 3, 8, 4, 59, tzinfo=UTC)))[0]
    assert late_on_the_7th["current_days"] == 6 and late_on_the_7th["next_milestone"]["key"] == "7d"
    late_on_the_8th = (await day_counts.list_counters(h, new_york, now=datetime(2026, 3, 9, 3, 59, tzinfo=UTC)))[0]
    assert late_on_the_8th["current_days"] == 7 and late_on_the_8th["celebrate"]["key"] == "7d"
    # A new start keeps the past: the streak starts again, the total does not.
    renewed = await day_counts.new_start(h, new_york, started["id"], {"start_date": "2026-03-10"}, now=datetime(2026, 3, 12, 15, tzinfo=UTC))
    assert (renewed["current_days"], renewed["total_days"], renewed["new_starts"]) == (2, 11, 1)
    assert renewed["celebrate"]["key"] == "1d" and [m["key"] for m in renewed["milestones"]] == ["1d"]
    # From 29 February the first year is reached on 28 February (no 29th in 2025), and it is celebrated.
    born = await day_counts.create_counter(h, leap, {"start_date": "2024-02-29"}, now=datetime(2024, 3, 1, 12, tzinfo=UTC))
    before = (await day_counts.list_counters(h, leap, now=datetime(2025, 2, 27, 23, 59, tzinfo=UTC)))[0]
    assert before["next_milestone"] == {"key": "1y", "label": "1 year", "on": "2025-02-28", "days_to_go": 1}
    year = (await day_counts.list_counters(h, leap, now=datetime(2025, 2, 28, 0, 0, tzinfo=UTC)))[0]
    assert year["id"] == born["id"] and year["current_days"] == 365 and year["celebrate"]["key"] == "1y"
    assert year["next_milestone"]["key"] == "2y" and year["next_milestone"]["on"] == "2026-02-28"
