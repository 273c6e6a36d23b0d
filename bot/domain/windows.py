"""The span an SLO's budget covers at an instant: a rolling window, or a calendar period.

A rolling window of W seconds covers [at - W, at]. A calendar period (an ISO week from
Monday 00:00, a month from the 1st, a quarter from 1 January, April, July or October) is
aligned in the owning team's time zone and covers [start, end): the budget counts the
events from `start` to `at` and resets at `end`; the burn-rate factors use the whole
period's length (a 30-day month and a 31-day one differ).

Local midnight that a DST change skips or repeats is read with fold=0 (the earlier
offset), as zoneinfo does.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

MIN_ELAPSED = 60  # seconds: in a period's first minute, the last minute is read


class Calendar(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"

    @property
    def nominal(self) -> int:
        """The longest such period in seconds (for sizes that need one length)."""
        return {"week": 7, "month": 31, "quarter": 92}[self.value] * 86_400


@dataclass(frozen=True)
class Span:
    """[start, end) in UTC; `at` the instant it was taken for (end for a rolling window)."""

    start: datetime
    end: datetime
    at: datetime

    @property
    def length(self) -> int:
        """The whole span's seconds: what burn-rate factors scale with."""
        return int((self.end - self.start).total_seconds())

    @property
    def elapsed(self) -> int:
        """Seconds from the start to `at`: what the budget's events are counted over."""
        return max(MIN_ELAPSED, int((self.at - self.start).total_seconds()))

    @property
    def left(self) -> int:
        """Seconds from `at` to the end (0 for a rolling window)."""
        return max(0, int((self.end - self.at).total_seconds()))


def rolling_span(window: int, at: datetime) -> Span:
    return Span(at - timedelta(seconds=window), at, at)


def calendar_span(calendar: Calendar, at: datetime, timezone: str) -> Span:
    """The period of `calendar` that holds `at`, aligned in `timezone`."""
    zone = ZoneInfo(timezone)
    day = at.astimezone(zone).date()
    if calendar is Calendar.WEEK:
        first = day - timedelta(days=day.weekday())
        after = first + timedelta(days=7)
    elif calendar is Calendar.MONTH:
        first = day.replace(day=1)
        after = _month_after(first, 1)
    else:
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        after = _month_after(first, 3)
    return Span(_midnight(first, zone), _midnight(after, zone), at)


def period_label(calendar: Calendar, span: Span, timezone: str) -> str:
    """How people name the period: "2026-W48", "Nov 2026", "Q4 2026"."""
    first = span.start.astimezone(ZoneInfo(timezone)).date()
    if calendar is Calendar.WEEK:
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if calendar is Calendar.MONTH:
        return first.strftime("%b %Y")
    return f"Q{(first.month - 1) // 3 + 1} {first.year}"


def period_note(calendar: Calendar, span: Span, timezone: str) -> str:
    """The period and what is left of it: "Nov 2026, 11 days to go"."""
    left = span.left
    if left >= 2 * 86_400:
        to_go = f"{left // 86_400} days to go"
    elif left >= 2 * 3600:
        to_go = f"{left // 3600} hours to go"
    else:
        to_go = "ends within 2 hours"
    return f"{period_label(calendar, span, timezone)}, {to_go}"


def _month_after(first: date, months: int) -> date:
    index = first.month - 1 + months
    return date(first.year + index // 12, index % 12 + 1, 1)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
