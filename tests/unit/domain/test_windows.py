"""Calendar periods: where each begins and ends, in the team's time zone, across DST
changes, month lengths, leap years and ISO-year edges; and the burn-rate factors they scale."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.burn import DEFAULT_RULES
from bot.domain.windows import (
    MIN_ELAPSED,
    Calendar,
    calendar_span,
    period_label,
    period_note,
    rolling_span,
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("calendar", "at", "zone", "start", "end"),
    [
        # ISO weeks from Monday 00:00 local
        ("week", "2026-12-02T10:00Z", "UTC", "2026-11-30T00:00Z", "2026-12-07T00:00Z"),
        ("week", "2026-11-30T00:00Z", "UTC", "2026-11-30T00:00Z", "2026-12-07T00:00Z"),
        ("week", "2026-11-29T23:59:59Z", "UTC", "2026-11-23T00:00Z", "2026-11-30T00:00Z"),
        # Sunday evening in New York is Monday in UTC: still the local week before
        (
            "week",
            "2026-11-30T03:00Z",
            "America/New_York",
            "2026-11-23T00:00-05:00",
            "2026-11-30T00:00-05:00",
        ),
        # Monday morning in Tokyo is Sunday in UTC: already the new local week
        (
            "week",
            "2026-11-29T16:00Z",
            "Asia/Tokyo",
            "2026-11-30T00:00+09:00",
            "2026-12-07T00:00+09:00",
        ),
        # ISO-year edge: 2027-01-01 is a Friday of ISO week 2026-W53
        ("week", "2027-01-01T12:00Z", "UTC", "2026-12-28T00:00Z", "2027-01-04T00:00Z"),
        # a week across the spring DST change in Berlin: 167 hours
        (
            "week",
            "2026-03-25T12:00Z",
            "Europe/Berlin",
            "2026-03-23T00:00+01:00",
            "2026-03-30T00:00+02:00",
        ),
        # months from the 1st, 28 to 31 days
        ("month", "2026-02-14T00:00Z", "UTC", "2026-02-01T00:00Z", "2026-03-01T00:00Z"),
        ("month", "2028-02-29T23:00Z", "UTC", "2028-02-01T00:00Z", "2028-03-01T00:00Z"),
        ("month", "2026-04-30T23:59Z", "UTC", "2026-04-01T00:00Z", "2026-05-01T00:00Z"),
        ("month", "2026-12-31T23:00Z", "UTC", "2026-12-01T00:00Z", "2027-01-01T00:00Z"),
        # the 1st in Sydney begins on the last day of the month before in UTC
        (
            "month",
            "2026-10-31T14:00Z",
            "Australia/Sydney",
            "2026-11-01T00:00+11:00",
            "2026-12-01T00:00+11:00",
        ),
        # a month across the autumn DST change in New York: 30 days and 1 hour
        (
            "month",
            "2026-11-15T12:00Z",
            "America/New_York",
            "2026-11-01T00:00-04:00",
            "2026-12-01T00:00-05:00",
        ),
        # quarters from 1 January, April, July, October
        ("quarter", "2026-02-10T00:00Z", "UTC", "2026-01-01T00:00Z", "2026-04-01T00:00Z"),
        ("quarter", "2026-06-30T23:59Z", "UTC", "2026-04-01T00:00Z", "2026-07-01T00:00Z"),
        ("quarter", "2026-07-01T00:00Z", "UTC", "2026-07-01T00:00Z", "2026-10-01T00:00Z"),
        ("quarter", "2026-12-31T20:00Z", "UTC", "2026-10-01T00:00Z", "2027-01-01T00:00Z"),
        (
            "quarter",
            "2026-12-31T20:00Z",
            "Pacific/Auckland",
            "2027-01-01T00:00+13:00",
            "2027-04-01T00:00+13:00",
        ),
        ("quarter", "2028-02-29T12:00Z", "UTC", "2028-01-01T00:00Z", "2028-04-01T00:00Z"),
    ],
)
def test_period_boundaries(calendar: str, at: str, zone: str, start: str, end: str) -> None:
    span = calendar_span(Calendar(calendar), utc(at), zone)
    assert (span.start, span.end) == (utc(start), utc(end))
    assert span.start <= utc(at) < span.end
    assert span.start.tzinfo is UTC and span.end.tzinfo is UTC


@pytest.mark.parametrize(
    ("calendar", "at", "zone", "hours"),
    [
        ("month", "2026-02-10T00:00Z", "UTC", 28 * 24),
        ("month", "2028-02-10T00:00Z", "UTC", 29 * 24),
        ("month", "2026-01-10T00:00Z", "UTC", 31 * 24),
        ("month", "2026-03-10T00:00Z", "Europe/Berlin", 31 * 24 - 1),  # spring forward
        ("month", "2026-10-10T00:00Z", "Europe/Berlin", 31 * 24 + 1),  # fall back
        ("week", "2026-03-25T00:00Z", "Europe/Berlin", 7 * 24 - 1),
        ("quarter", "2026-01-10T00:00Z", "UTC", (31 + 28 + 31) * 24),
        ("quarter", "2028-01-10T00:00Z", "UTC", (31 + 29 + 31) * 24),
        ("quarter", "2026-07-10T00:00Z", "UTC", (31 + 31 + 30) * 24),
    ],
)
def test_period_lengths(calendar: str, at: str, zone: str, hours: int) -> None:
    assert calendar_span(Calendar(calendar), utc(at), zone).length == hours * 3600


def test_elapsed_and_left_split_the_period_at_the_instant() -> None:
    span = calendar_span(Calendar.MONTH, utc("2026-11-20T00:00Z"), "UTC")
    assert span.elapsed == 19 * 86400 and span.left == 11 * 86400
    assert span.elapsed + span.left == span.length


def test_a_period_a_moment_old_is_read_over_the_last_minute() -> None:
    span = calendar_span(Calendar.MONTH, utc("2026-12-01T00:00:05Z"), "UTC")
    assert span.elapsed == MIN_ELAPSED


def test_a_rolling_window_ends_at_the_instant() -> None:
    at = utc("2026-12-02T10:00Z")
    span = rolling_span(30 * 86400, at)
    assert span.end == at and span.start == at - timedelta(days=30)
    assert span.length == span.elapsed == 30 * 86400 and span.left == 0


@pytest.mark.parametrize(
    ("at", "share_hours"),
    [("2026-02-10T00:00Z", 28 * 24), ("2026-01-10T00:00Z", 31 * 24)],
)
def test_burn_factors_scale_with_the_whole_period(at: str, share_hours: int) -> None:
    """The SRE Workbook's 2 % in 1 hour: 14.4x for 30 days, 13.44x for February's 28."""
    page = DEFAULT_RULES[0]
    span = calendar_span(Calendar.MONTH, utc(at), "UTC")
    assert page.factor(span.length, 0.001) == pytest.approx(0.02 * share_hours)


@pytest.mark.parametrize(
    ("calendar", "at", "zone", "label"),
    [
        ("week", "2027-01-01T12:00Z", "UTC", "2026-W53"),
        ("week", "2026-11-29T16:00Z", "Asia/Tokyo", "2026-W49"),
        ("month", "2026-10-31T14:00Z", "Australia/Sydney", "Nov 2026"),
        ("quarter", "2026-12-31T20:00Z", "Pacific/Auckland", "Q1 2027"),
    ],
)
def test_period_labels_are_local(calendar: str, at: str, zone: str, label: str) -> None:
    span = calendar_span(Calendar(calendar), utc(at), zone)
    assert period_label(Calendar(calendar), span, zone) == label


@pytest.mark.parametrize(
    ("at", "note"),
    [
        ("2026-11-19T12:00Z", "Nov 2026, 11 days to go"),
        ("2026-11-30T12:00Z", "Nov 2026, 12 hours to go"),
        ("2026-11-30T23:00Z", "Nov 2026, ends within 2 hours"),
    ],
)
def test_the_period_note_says_what_is_left(at: str, note: str) -> None:
    span = calendar_span(Calendar.MONTH, utc(at), "UTC")
    assert period_note(Calendar.MONTH, span, "UTC") == note
