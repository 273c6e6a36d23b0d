"""OpenSLO time windows: v1 `timeWindow[{duration}]`, v1alpha `timeWindows[{unit, count}]`.

Rolling windows are read as durations. Calendar windows (`isRolling: false`) are read for
one week, month or quarter (v1 `1w`, `1M`, `1Q`; v1alpha `{unit: Week|Month|Quarter,
count: 1}`), aligned in the owning team's time zone; a `calendar` block's startTime and
timeZone are noted as not used. Other calendar windows are refused by name. No window at
all is 30d rolling, and the SLO's notes say so (check-config shows them).
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from bot.catalog.checks import MAX_WINDOW, parse_window
from bot.catalog.errors import Problems, StrictModel, join
from bot.domain.windows import Calendar

NO_WINDOW = "no timeWindow"  # a note for openslo_parts: the include's window may apply
DEFAULT_WINDOW = 30 * 86400  # seconds: 30d rolling when an SLO gives no window
V1_ROLLING = "use a rolling duration such as 30d"
ALPHA_ROLLING = "use a rolling window such as {unit: Day, count: 30, isRolling: true}"
V1_CALENDAR = "a calendar window is 1w, 1M or 1Q with isRolling: false"
ALPHA_CALENDAR = "a calendar window is {unit: Week, Month or Quarter, count: 1, isRolling: false}"
ALIGNED = (
    "calendar.startTime and calendar.timeZone not used: periods begin on Mondays, the 1st "
    "and quarter days, in the owning team's time zone"
)
V1_CALENDARS = {"w": Calendar.WEEK, "W": Calendar.WEEK, "M": Calendar.MONTH, "Q": Calendar.QUARTER}
ALPHA_CALENDARS = {"Week": Calendar.WEEK, "Month": Calendar.MONTH, "Quarter": Calendar.QUARTER}
ROLLING_UNITS = {"Second": 1, "Minute": 60, "Hour": 3600, "Day": 86400, "Week": 604800}
CALENDAR_UNITS = ("Month", "Quarter", "Year")
_CALENDAR_DURATION = re.compile(r"^\s*\d+\s*([MQYy])\s*$")
_ONE_PERIOD = re.compile(r"^\s*1\s*([wWMQ])\s*$")
Window = tuple[int, Calendar | None]  # seconds (a calendar period: its longest length)
_PERIODS = {"M": "months", "Q": "quarters", "Y": "years", "y": "years"}


class TimeWindowModel(StrictModel):
    """openslo/v1: a duration shorthand (5m, 2h, 28d, 4w; 1M, 1Q, 1Y are calendar periods)."""

    duration: str
    isRolling: bool | None = None
    calendar: Any = None


class AlphaTimeWindowModel(StrictModel):
    """openslo/v1alpha: `count` times `unit`."""

    unit: str
    count: int
    isRolling: bool | None = None
    calendar: Any = None


def v1_window(
    file: str,
    path: str,
    windows: list[TimeWindowModel] | None,
    notes: list[str],
    problems: Problems,
) -> Window:
    """The window (0 after recording a problem); none given: 30d rolling, noted."""
    window = _single(file, path, windows, notes, problems)
    if not isinstance(window, TimeWindowModel):
        return window, None
    where = join(path, 0)
    if window.isRolling is False:
        period = _ONE_PERIOD.match(window.duration)
        if period is None:
            message = f"{window.duration!r} with isRolling: false; {V1_CALENDAR}"
            problems.add(file, join(where, "duration"), message)
            return 0, None
        return _calendar(V1_CALENDARS[period[1]], window.calendar, notes)
    if window.calendar is not None:
        problems.add(file, join(where, "calendar"), f"needs isRolling: false; {V1_CALENDAR}")
        return 0, None
    counted = _CALENDAR_DURATION.match(window.duration)
    if counted:
        unit = _PERIODS[counted[1]]
        message = (
            f"{window.duration!r} counts {unit}, a calendar period; {V1_CALENDAR}, or {V1_ROLLING}"
        )
        problems.add(file, join(where, "duration"), message)
        return 0, None
    seconds, error = parse_window(window.duration)
    if error:
        problems.add(file, join(where, "duration"), f"{error} (rolling: 30m, 2h, 28d, 4w)")
    return seconds, None


def alpha_window(
    file: str,
    path: str,
    windows: list[AlphaTimeWindowModel] | None,
    notes: list[str],
    problems: Problems,
) -> Window:
    """The window (0 after recording a problem); none given: 30d rolling, noted."""
    window = _single(file, path, windows, notes, problems)
    if not isinstance(window, AlphaTimeWindowModel):
        return window, None
    where = join(path, 0)
    if window.unit not in ROLLING_UNITS and window.unit not in CALENDAR_UNITS:
        units = ", ".join((*ROLLING_UNITS, *CALENDAR_UNITS))
        problems.add(file, join(where, "unit"), f"must be one of {units}, got {window.unit!r}")
        return 0, None
    if window.isRolling is False or window.unit in CALENDAR_UNITS:
        calendar = ALPHA_CALENDARS.get(window.unit)
        if window.isRolling is not False or calendar is None or window.count != 1:
            rolling = "not given" if window.isRolling is None else str(window.isRolling).lower()
            shown = f"{{unit: {window.unit}, count: {window.count}, isRolling: {rolling}}}"
            problems.add(file, where, f"{shown}; {ALPHA_CALENDAR}, or {ALPHA_ROLLING}")
            return 0, None
        return _calendar(calendar, window.calendar, notes)
    if window.calendar is not None:
        problems.add(file, join(where, "calendar"), f"needs isRolling: false; {ALPHA_CALENDAR}")
        return 0, None
    if window.count <= 0:
        problems.add(file, join(where, "count"), f"must be above 0, got {window.count}")
        return 0, None
    seconds = window.count * ROLLING_UNITS[window.unit]
    if seconds > MAX_WINDOW:
        problems.add(file, join(where, "count"), "the window is longer than 400 days")
        return 0, None
    if window.isRolling is None:
        notes.append(f"{where}.isRolling not given: read as a rolling window")
    return seconds, None


def _calendar(calendar: Calendar, block: Any, notes: list[str]) -> Window:
    if block is not None:
        notes.append(ALIGNED)
    return calendar.nominal, calendar


W = TypeVar("W", TimeWindowModel, AlphaTimeWindowModel)


def _single(
    file: str,
    path: str,
    windows: list[W] | None,
    notes: list[str],
    problems: Problems,
) -> W | int:
    """The one window given; else the seconds to use (30d when none, 0 on a problem)."""
    if windows is None:
        notes.append(NO_WINDOW)
        return DEFAULT_WINDOW
    if len(windows) != 1:
        problems.add(file, path, f"needs exactly one time window, got {len(windows)}")
        return 0
    return windows[0]
