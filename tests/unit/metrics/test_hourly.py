"""Composing long windows from whole hours (bot.metrics.hourly)."""

import math

import pytest

from bot.metrics.hourly import HOUR, SETTLE, HourlyCache, whole_hours

DAY = 86400
T = 1_772_452_800  # 2026-03-02T12:00:00Z, a whole hour


@pytest.mark.parametrize(
    ("start", "end", "now", "expected"),
    [
        # aligned: the hour that ended at `now` has not settled, so it is left out
        (T - DAY, T, T, (T - DAY, T - HOUR)),
        # 37 minutes past: hours from the first whole hour to the last settled one
        (T - DAY + 37 * 60, T + 37 * 60, T + 37 * 60, (T - DAY + HOUR, T)),
        # 5 minutes past: the hour that just ended is still settling
        (T - DAY + 300, T + 300, T + 300, (T - DAY + HOUR, T - HOUR)),
        # a stretch that ends long ago: every hour inside it has settled
        (T - 5 * HOUR, T - 2 * HOUR, T, (T - 5 * HOUR, T - 2 * HOUR)),
    ],
)
def test_whole_hours(start: int, end: int, now: int, expected: tuple[int, int]) -> None:
    assert whole_hours(start, end, now) == expected
    first, last = expected
    assert start <= first and last <= end and last <= now - SETTLE


@pytest.mark.parametrize(("start", "end"), [(T, T + HOUR), (T + 1, T + 3 * HOUR - 1)])
def test_fewer_than_two_hours_are_not_worth_a_range_query(start: int, end: int) -> None:
    assert whole_hours(start, end, end + DAY) is None


def hours(first: int, count: int) -> range:
    return range(first, first + count * HOUR, HOUR)


def test_cache_grows_at_both_ends_and_reports_what_is_missing() -> None:
    cache = HourlyCache()
    assert cache.missing("q", hours(T, 5)) == [hours(T, 5)]
    cache.store("q", hours(T, 5), [1.0, 2.0, math.nan, 4.0, 5.0])
    assert cache.missing("q", hours(T, 5)) == []
    assert cache.missing("q", hours(T - 2 * HOUR, 9)) == [
        hours(T - 2 * HOUR, 2),
        hours(T + 5 * HOUR, 2),
    ]
    cache.store("q", hours(T + 5 * HOUR, 2), [6.0, 7.0])
    cache.store("q", hours(T - 2 * HOUR, 2), [0.5, 0.5])
    assert cache.missing("q", hours(T - 2 * HOUR, 9)) == []
    # the cache keeps events per hour; NaN hours had no sample and add nothing
    assert cache.events("q", hours(T, 5)) == pytest.approx(1 + 2 + 4 + 5)
    assert cache.events("q", hours(T - 2 * HOUR, 9)) == pytest.approx(26)
    assert cache.events("q", hours(T + 2 * HOUR, 1)) is None
    assert cache.events("other", hours(T, 1)) is None


def test_a_disjoint_range_replaces_the_cache() -> None:
    cache = HourlyCache()
    cache.store("q", hours(T, 2), [1.0, 1.0])
    far = hours(T + 100 * HOUR, 2)
    assert cache.missing("q", far) == [far]
    cache.store("q", far, [3.0, 3.0])
    assert cache.events("q", far) == pytest.approx(6)
    assert cache.missing("q", hours(T, 2)) == [hours(T, 2)]
