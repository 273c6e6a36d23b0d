"""Composing long windows from whole hours (bot.metrics.hourly)."""

import math

import pytest

from bot.domain.slo import QueryKind
from bot.metrics.hourly import HOUR, SETTLE, HourlyCache, Split, combine, split_window
from bot.metrics.promql import TermError

DAY = 86400
T = 1_772_452_800  # 2026-03-02T12:00:00Z, a whole hour


@pytest.mark.parametrize(
    ("at", "window", "expected"),
    [
        # aligned: no head; the last hour ends before SETTLE, so a 1-hour tail
        (T, DAY, Split(T - DAY, 0, range(T - DAY + HOUR, T - HOUR + HOUR, HOUR), HOUR)),
        # 37 minutes past: a 23-minute head, whole hours, a tail of 37 minutes
        (
            T + 37 * 60,
            DAY,
            Split(T - DAY + HOUR, 23 * 60, range(T - DAY + 2 * HOUR, T + HOUR, HOUR), 37 * 60),
        ),
        # 5 minutes past: the hour that just ended has not settled, so it is in the tail
        (T + 300, DAY, Split(T - DAY + HOUR, 55 * 60, range(T - DAY + 2 * HOUR, T, HOUR), 65 * 60)),
    ],
)
def test_split(at: int, window: int, expected: Split) -> None:
    split = split_window(at, window)
    assert split == expected
    pieces = split.head + len(split.hours) * HOUR + split.tail
    assert pieces == window  # the pieces cover the window exactly
    assert split.tail >= SETTLE


@pytest.mark.parametrize(("at", "window"), [(T, 6 * HOUR), (T + 0.5, DAY), (T, 400 * DAY)])
def test_not_composed(at: float, window: int) -> None:
    assert split_window(at, window) is None


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


def test_combine_rates() -> None:
    split = Split(T, 600, hours(T + HOUR, 2), 1200)
    window = 600 + 2 * HOUR + 1200
    # head 2/s for 600 s, 7,200 events in the hours, tail 3/s for 1,200 s: a rate again
    got = combine(split, window, QueryKind.RATE, (2.0, 7200.0, 3.0))
    assert got == pytest.approx((1200 + 7200 + 3600) / window)
    assert combine(split, window, QueryKind.RATE, (None, None, None)) is None  # no series: no data
    assert combine(split, window, QueryKind.RATE, (None, 7200.0, None)) == pytest.approx(
        7200 / window
    )
    error = TermError("bad")
    assert combine(split, window, QueryKind.RATE, (1.0, 1.0, error)) is error


def test_combine_counts() -> None:
    """A count query's head and tail are already events: added as they are, never scaled."""
    split = Split(T, 600, hours(T + HOUR, 2), 1200)
    window = 600 + 2 * HOUR + 1200
    assert combine(split, window, QueryKind.COUNT, (40.0, 7200.0, 60.0)) == pytest.approx(7300)
    assert combine(split, window, QueryKind.COUNT, (None, None, 5.0)) == pytest.approx(5)


@pytest.mark.parametrize("garbage", [math.nan, math.inf, -math.inf])
def test_a_garbage_piece_is_an_error_never_dropped(garbage: float) -> None:
    split = Split(T, 600, hours(T + HOUR, 2), 1200)
    got = combine(split, 2 * HOUR + 1800, QueryKind.COUNT, (garbage, 7200.0, 60.0))
    assert isinstance(got, TermError) and "returned" in got.message
