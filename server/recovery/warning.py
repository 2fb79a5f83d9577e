"""The early-warning rule, on a member's daily check-ins.

Two signals, both deliberately conservative so ordinary ups and downs stay quiet:

- a sharp drop: on the last DROP_DAYS consecutive days, mood never rose and fell
  by at least MOOD_FALL in all, while cravings never fell and rose by at least
  CRAVING_RISE in all (the latest check-in is from today or yesterday);
- going quiet: a streak of at least STREAK_DAYS daily check-ins, then at least
  MISSED_DAYS whole days with none.

Each signal names the day it is about (the latest check-in), which is what makes
a notice fire once per event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

DROP_DAYS = 3
MOOD_FALL = 2
CRAVING_RISE = 3
STREAK_DAYS = 7
MISSED_DAYS = 3


@dataclass(frozen=True)
class Point:
    day: date
    mood: int  # 1-5
    craving: int  # 0-10


def sharp_drop(points: Sequence[Point], today: date) -> date | None:
    """The day of the latest check-in when the series ends in a sharp drop, else None."""
    series = sorted(points, key=lambda p: p.day)[-DROP_DAYS:]
    if len(series) < DROP_DAYS:
        return None
    if (today - series[-1].day).days > 1:
        return None  # old news: the member has not checked in since
    for before, after in zip(series, series[1:]):
        if (after.day - before.day).days != 1:
            return None
        if after.mood > before.mood or after.craving < before.craving:
            return None
    if series[0].mood - series[-1].mood < MOOD_FALL or series[-1].craving - series[0].craving < CRAVING_RISE:
        return None
    return series[-1].day


def streak_ending(days: Sequence[date], last: date) -> int:
    """How many consecutive days with a check-in end on `last`."""
    have = set(days)
    count = 0
    while last - timedelta(days=count) in have:
        count += 1
    return count


def went_quiet(days: Sequence[date], today: date) -> date | None:
    """The last check-in day when a streak was followed by several missed days, else None."""
    if not days:
        return None
    last = max(days)
    missed = (today - last).days - 1  # whole days with no check-in, today not counted
    if missed < MISSED_DAYS:
        return None
    if streak_ending(days, last) < STREAK_DAYS:
        return None
    return last


def current_streak(days: Sequence[date], today: date) -> int:
    """Consecutive days of check-ins up to today (or up to yesterday while today is still open)."""
    have = set(days)
    if today in have:
        return streak_ending(days, today)
    return streak_ending(days, today - timedelta(days=1))
