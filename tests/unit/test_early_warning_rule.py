"""The early-warning rule on synthetic check-in series: it fires on a sharp drop
or on going quiet after a streak, and stays quiet on ordinary ups and downs."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.recovery.warning import Point, current_streak, sharp_drop, went_quiet

TODAY = date(2026, 3, 10)


def series(moods: list[int], cravings: list[int], end: date = TODAY) -> list[Point]:
    start = end - timedelta(days=len(moods) - 1)
    return [Point(start + timedelta(days=i), m, c) for i, (m, c) in enumerate(zip(moods, cravings))]


def test_fires_on_mood_falling_and_cravings_rising() -> None:
    points = series([4, 4, 4, 3, 2], [2, 1, 2, 4, 6])
    assert sharp_drop(points, TODAY) == TODAY


def test_fires_when_the_latest_check_in_was_yesterday() -> None:
    assert sharp_drop(series([5, 4, 3], [0, 2, 4], end=TODAY - timedelta(days=1)), TODAY) == TODAY - timedelta(days=1)


def test_quiet_on_ordinary_ups_and_downs() -> None:
    assert sharp_drop(series([3, 4, 3, 4, 3, 2, 3], [3, 2, 4, 2, 5, 3, 4]), TODAY) is None
    assert sharp_drop(series([4, 3, 4, 3], [2, 4, 3, 5]), TODAY) is None  # zig-zag


def test_quiet_on_a_small_or_one_sided_change() -> None:
    assert sharp_drop(series([4, 4, 3], [2, 3, 4]), TODAY) is None  # mood fell by one only
    assert sharp_drop(series([5, 4, 3], [3, 3, 4]), TODAY) is None  # cravings rose by one only
    assert sharp_drop(series([5, 3, 1], [2, 2, 2]), TODAY) is None  # mood alone
    assert sharp_drop(series([3, 3, 3], [1, 5, 9]), TODAY) is None  # cravings alone


def test_quiet_when_not_consecutive_or_old() -> None:
    points = series([4, 3, 2], [1, 3, 5])
    gappy = [points[0], Point(points[1].day - timedelta(days=1), 3, 3), points[2]]
    assert sharp_drop(gappy, TODAY) is None
    assert sharp_drop(series([4, 3, 2], [1, 3, 5], end=TODAY - timedelta(days=2)), TODAY) is None
    assert sharp_drop(series([4, 2], [1, 6]), TODAY) is None  # two days are not "several"


def test_went_quiet_after_a_streak() -> None:
    last = TODAY - timedelta(days=4)
    streak = [last - timedelta(days=i) for i in range(7)]
    assert went_quiet(streak, TODAY) == last  # three whole days missed after seven in a row
    assert went_quiet(streak, TODAY - timedelta(days=1)) is None  # only two missed so far
    assert went_quiet(streak[:6], TODAY) is None  # a six-day run is not the streak we watch
    assert went_quiet([], TODAY) is None


def test_current_streak_counts_up_to_today_or_yesterday() -> None:
    run = [TODAY - timedelta(days=i) for i in range(1, 5)]
    assert current_streak(run, TODAY) == 4  # today still open
    assert current_streak(run + [TODAY], TODAY) == 5
    assert current_streak([TODAY - timedelta(days=2)], TODAY) == 0


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 10)), min_size=3, max_size=30))
def test_a_rise_in_mood_or_fall_in_cravings_at_the_end_never_fires(values: list[tuple[int, int]]) -> None:
    moods = [m for m, _ in values]
    cravings = [c for _, c in values]
    fired = sharp_drop(series(moods, cravings), TODAY)
    last3 = list(zip(moods[-3:], cravings[-3:]))
    any_recovery = any(b[0] > a[0] or b[1] < a[1] for a, b in zip(last3, last3[1:]))
    if any_recovery:
        assert fired is None
    if fired is not None:
        assert moods[-3] - moods[-1] >= 2 and cravings[-1] - cravings[-3] >= 3


@given(st.lists(st.integers(2, 4), min_size=3, max_size=30), st.lists(st.integers(2, 4), min_size=30, max_size=30))
def test_moderate_wobbles_never_fire(moods: list[int], cravings: list[int]) -> None:
    # Mood between 2 and 4 and cravings between 2 and 4: ordinary days, whatever the order.
    assert sharp_drop(series(moods, cravings[: len(moods)]), TODAY) is None
