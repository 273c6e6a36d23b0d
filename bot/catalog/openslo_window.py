"""OpenSLO time windows: v1 `timeWindow[{duration}]`, v1alpha `timeWindows[{unit, count}]`.

Only rolling windows are read; calendar-aligned ones are refused by name. No window at all
is 30d rolling, and the SLO's notes say so (check-config shows them).
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from bot.catalog.checks import MAX_WINDOW, parse_window
from bot.catalog.errors import Problems, StrictModel, join

NO_WINDOW = "no timeWindow"  # a note for openslo_parts: the include's window may apply
DEFAULT_WINDOW = 30 * 86400  # seconds: 30d rolling when an SLO gives no window
CALENDAR = "calendar windows are not supported yet"
V1_ROLLING = "use a rolling duration such as 30d"
ALPHA_ROLLING = "use a rolling window such as {unit: Day, count: 30, isRolling: true}"
ROLLING_UNITS = {"Second": 1, "Minute": 60, "Hour": 3600, "Day": 86400, "Week": 604800}
CALENDAR_UNITS = ("Month", "Quarter", "Year")
_CALENDAR_DURATION = re.compile(r"^\s*\d+\s*([MQYy])\s*$")
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
) -> int:
    """The rolling window in seconds (0 after recording a problem); none given: 30d, noted."""
    window = _single(file, path, windows, notes, V1_ROLLING, problems)
    if not isinstance(window, TimeWindowModel):
        return window
    where = join(path, 0)
    period = _CALENDAR_DURATION.match(window.duration)
    if period:
        unit = _PERIODS[period[1]]
        message = f"{window.duration!r} counts {unit}, a calendar period; {CALENDAR}; {V1_ROLLING}"
        problems.add(file, join(where, "duration"), message)
        return 0
    seconds, error = parse_window(window.duration)
    if error:
        problems.add(file, join(where, "duration"), f"{error} (rolling: 30m, 2h, 28d, 4w)")
    return seconds


def alpha_window(
    file: str,
    path: str,
    windows: list[AlphaTimeWindowModel] | None,
    notes: list[str],
    problems: Problems,
) -> int:
    """The rolling window in seconds (0 after recording a problem); none given: 30d, noted."""
    window = _single(file, path, windows, notes, ALPHA_ROLLING, problems)
    if not isinstance(window, AlphaTimeWindowModel):
        return window
    where = join(path, 0)
    if window.unit in CALENDAR_UNITS:
        message = f"unit {window.unit} is a calendar period; {CALENDAR}; {ALPHA_ROLLING}"
        problems.add(file, join(where, "unit"), message)
        return 0
    if window.unit not in ROLLING_UNITS:
        units = ", ".join((*ROLLING_UNITS, *CALENDAR_UNITS))
        problems.add(file, join(where, "unit"), f"must be one of {units}, got {window.unit!r}")
        return 0
    if window.count <= 0:
        problems.add(file, join(where, "count"), f"must be above 0, got {window.count}")
        return 0
    seconds = window.count * ROLLING_UNITS[window.unit]
    if seconds > MAX_WINDOW:
        problems.add(file, join(where, "count"), "the window is longer than 400 days")
        return 0
    if window.isRolling is None:
        notes.append(f"{where}.isRolling not given: read as a rolling window")
    return seconds


W = TypeVar("W", TimeWindowModel, AlphaTimeWindowModel)


def _single(
    file: str,
    path: str,
    windows: list[W] | None,
    notes: list[str],
    instead: str,
    problems: Problems,
) -> W | int:
    """The one rolling window given; else the seconds to use (30d when none, 0 on a problem)."""
    if windows is None:
        notes.append(NO_WINDOW)
        return DEFAULT_WINDOW
    if len(windows) != 1:
        problems.add(file, path, f"needs exactly one time window, got {len(windows)}")
        return 0
    window = windows[0]
    if _calendar(file, join(path, 0), window.isRolling, window.calendar, instead, problems):
        return 0
    return window


def _calendar(
    file: str, where: str, rolling: bool | None, calendar: Any, instead: str, problems: Problems
) -> bool:
    """Whether the window is calendar-aligned (then a problem is recorded)."""
    if calendar is not None:
        problems.add(file, join(where, "calendar"), f"{CALENDAR}; {instead}")
        return True
    if rolling is False:
        message = f"isRolling: false is a calendar window; {CALENDAR}; {instead}"
        problems.add(file, join(where, "isRolling"), message)
        return True
    return False
