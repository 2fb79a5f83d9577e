"""Day counts and milestones in local calendar days: time zones, DST, leap days, new starts."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.errors import InvalidField
from server.recovery import days

UTC = timezone.utc


def test_a_day_is_a_local_calendar_day_far_apart_zones() -> None:
    # The same instant is 2 January in Kiritimati (UTC+14) and still 1 January in Pago Pago (UTC-11).
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert days.local_today(now, "Pacific/Kiritimati") == date(2026, 1, 2)
    assert days.local_today(now, "Pacific/Pago_Pago") == date(2026, 1, 1)
    start = date(2025, 12, 31)
    assert days.day_count([start], days.local_today(now, "Pacific/Kiritimati")).current_days == 2
    assert days.day_count([start], days.local_today(now, "Pacific/Pago_Pago")).current_days == 1


@pytest.mark.parametrize(("instant", "expected_day"), [
    # New York springs forward at 02:00 local on 8 March 2026 (07:00 UTC): the day is 23 hours long.
    (datetime(2026, 3, 8, 4, 59, tzinfo=UTC), date(2026, 3, 7)),   # 23:59 EST on the 7th
    (datetime(2026, 3, 8, 5, 0, tzinfo=UTC), date(2026, 3, 8)),    # 00:00 EST on the 8th
    (datetime(2026, 3, 9, 3, 59, tzinfo=UTC), date(2026, 3, 8)),   # 23:59 EDT on the 8th
    (datetime(2026, 3, 9, 4, 0, tzinfo=UTC), date(2026, 3, 9)),    # 00:00 EDT on the 9th
    # ...and falls back at 02:00 local on 1 November 2026: a 25-hour day.
    (datetime(2026, 11, 2, 4, 59, tzinfo=UTC), date(2026, 11, 1)),  # 23:59 EST on the 1st
    (datetime(2026, 11, 2, 5, 0, tzinfo=UTC), date(2026, 11, 2)),
])
def test_dst_days_change_at_local_midnight(instant: datetime, expected_day: date) -> None:
    assert days.local_today(instant, "America/New_York") == expected_day


def test_day_count_across_dst_counts_each_calendar_day_once() -> None:
    start = date(2026, 3, 1)
    # A week that contains the 23-hour day is still seven days.
    today = days.local_today(datetime(2026, 3, 8, 17, 0, tzinfo=UTC), "America/New_York")
    assert days.day_count([start], today).current_days == 7
    assert [m.key for m in days.reached(start, today)] == ["1d", "7d"]
    # The autumn 25-hour day adds one day, not two.
    start = date(2026, 10, 31)
    assert days.day_count([start], days.local_today(datetime(2026, 11, 2, 4, 59, tzinfo=UTC), "America/New_York")).current_days == 1
    assert days.day_count([start], days.local_today(datetime(2026, 11, 2, 5, 0, tzinfo=UTC), "America/New_York")).current_days == 2


def test_milestone_sequence() -> None:
    start = date(2024, 1, 15)
    marks = []
    for mark in days.all_milestones(start):
        marks.append((mark.key, mark.on))
        if mark.key == "3y":
            break
    assert marks == [
        ("1d", date(2024, 1, 16)), ("7d", date(2024, 1, 22)), ("30d", date(2024, 2, 14)), ("60d", date(2024, 3, 15)),
        ("90d", date(2024, 4, 14)), ("6m", date(2024, 7, 15)), ("9m", date(2024, 10, 15)), ("1y", date(2025, 1, 15)),
        ("2y", date(2026, 1, 15)), ("3y", date(2027, 1, 15)),
    ]


def test_leap_day_start_and_month_ends() -> None:
    leap = date(2024, 2, 29)
    assert days.milestone_on(leap, "1y").on == date(2025, 2, 28)  # no 29 February in 2025
    assert days.milestone_on(leap, "4y").on == date(2028, 2, 29)
    assert days.milestone_on(leap, "6m").on == date(2024, 8, 29)
    assert days.milestone_on(date(2025, 8, 31), "6m").on == date(2026, 2, 28)
    assert days.milestone_on(date(2023, 8, 31), "6m").on == date(2024, 2, 29)  # a leap year keeps the 29th
    assert days.milestone_on(date(2025, 5, 31), "9m").on == date(2026, 2, 28)
    # 30 days across a leap February.
    assert days.milestone_on(date(2024, 2, 15), "30d").on == date(2024, 3, 16)
    assert days.milestone_on(date(2025, 2, 15), "30d").on == date(2025, 3, 17)
    # A year that contains 29 February is 366 days.
    assert days.day_count([date(2024, 1, 1)], date(2025, 1, 1)).current_days == 366


def test_reached_and_next() -> None:
    start = date(2026, 1, 1)
    assert days.reached(start, start) == []
    assert days.next_milestone(start, start).key == "1d"
    assert [m.key for m in days.reached(start, date(2026, 1, 31))] == ["1d", "7d", "30d"]
    assert days.next_milestone(start, date(2026, 1, 31)).key == "60d"
    assert days.next_milestone(start, date(2027, 1, 1)).key == "2y"


def test_new_start_keeps_the_past() -> None:
    first, second = date(2026, 1, 1), date(2026, 2, 10)
    count = days.day_count([second, first], date(2026, 3, 1))
    assert count.current_start == second
    assert count.current_days == 19
    assert count.total_days == 40 + 19  # the 40 days before the new start still count
    assert count.starts == 2


def test_start_date_rules() -> None:
    today = date(2026, 3, 8)
    assert days.check_start(today, today) == today
    with pytest.raises(InvalidField):
        days.check_start(today + timedelta(days=1), today)
    with pytest.raises(InvalidField):
        days.check_start(date(2026, 1, 1), today, after=date(2026, 1, 1))
    with pytest.raises(InvalidField):
        days.check_zone("Mars/Olympus_Mons")
    with pytest.raises(InvalidField):
        days.check_zone("")
    assert days.check_zone("Pacific/Kiritimati") == "Pacific/Kiritimati"


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)), st.integers(min_value=0, max_value=4000))
def test_milestones_are_in_order_and_reached_exactly_on_their_day(start: date, elapsed: int) -> None:
    today = start + timedelta(days=elapsed)
    reached = days.reached(start, today)
    dates = [m.on for m in reached]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert all(m.on <= today for m in reached)
    assert days.next_milestone(start, today).on > today
    assert days.day_count([start], today).current_days == elapsed


@given(st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)), min_size=1, max_size=6, unique=True))
def test_total_is_the_span_since_the_first_start(starts: list[date]) -> None:
    today = date(2030, 1, 1)
    count = days.day_count(starts, today)
    assert count.total_days == (today - min(starts)).days
    assert count.current_days == (today - max(starts)).days
