"""Field checks shared by the catalog formats; each returns an error message, or None if fine."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from bot.domain.durations import parse_duration
from bot.domain.slo import WINDOW_PATTERN as _WINDOW_ANY_SPACING
from bot.domain.slo import WINDOW_PLACEHOLDER as WINDOW
from bot.domain.windows import Calendar

_PLACEHOLDER = re.compile(r"\{\{[^{}]{0,40}\}\}")
_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # cron numbering: 0 and 7 = SUN
_NUMERIC_DAYS = re.compile(r"^(\*|\d+)(?:-(\d+))?(?:/(\d+))?$")


def check_name(value: str) -> str | None:
    """A team, service or SLO name: non-empty, only letters, digits, ".", "_" and "-"."""
    if not value:
        return "must not be empty"
    if not _NAME.match(value):
        return f"{value!r} may only contain letters, digits, '.', '_' and '-'"
    return None


def has_window(query: str) -> bool:
    """Whether the query holds the window placeholder (spaces inside the braces allowed)."""
    return _WINDOW_ANY_SPACING.search(query) is not None


def normalize_query(query: str) -> tuple[str, str | None]:
    """Strip the query and spell its placeholder {{.window}}; error if the query lacks it."""
    if not query.strip():
        return query, "must not be empty"
    query = _WINDOW_ANY_SPACING.sub(WINDOW, query.strip())
    others = _PLACEHOLDER.findall(query.replace(WINDOW, ""))
    if others:
        found = ", ".join(dict.fromkeys(others))
        hint = " (placeholders are case-sensitive)" if "window" in found.lower() else ""
        return query, f"found {found}: the only template placeholder is {WINDOW}{hint}"
    if WINDOW not in query:
        return query, f"must contain the range placeholder {WINDOW}, e.g. rate(x[{WINDOW}])"
    return query, None


def check_objective(percent: float) -> str | None:
    """An objective in percent, strictly between 0 and 100."""
    if percent != percent:  # NaN
        return "must be a number"
    if percent >= 100:
        return "must be below 100 (an objective of 100 % leaves no error budget)"
    if percent <= 0:
        return "must be above 0 (it is a percentage, e.g. 99.9)"
    return None


MAX_WINDOW = 400 * 86400  # seconds: beyond this no store keeps the data, and no SLO means it


def parse_period(text: str) -> tuple[int, Calendar | None, str | None]:
    """A window: a rolling duration ("30d"), or a calendar period (week, month, quarter).

    (seconds, calendar, error): a calendar period's seconds are its longest length.
    """
    word = text.strip().lower()
    if word in set(Calendar):
        calendar = Calendar(word)
        return calendar.nominal, calendar, None
    seconds, error = parse_window(text)
    if error:
        error += "; or a calendar period: week, month or quarter"
    return seconds, None, error


def parse_window(text: str) -> tuple[int, str | None]:
    """A rolling window such as "30d" in seconds (0 with an error message if malformed)."""
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        return 0, str(exc)
    if seconds > MAX_WINDOW:
        return 0, f"{text!r} is longer than 400 days"
    return seconds, None


def check_timezone(name: str) -> str | None:
    """An IANA time zone name such as Europe/Berlin."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return f"{name!r} is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)"
    return None


def normalize_cron(expr: str, timezone: str = "UTC") -> tuple[str, str | None]:
    """A 5-field crontab; numeric weekdays (cron: 0/7 = Sunday) become names such as MON.

    APScheduler 3 numbers weekdays from Monday = 0, so "0 9 * * 1" would fire on Tuesdays
    there; writing names keeps the cron meaning for whoever schedules the expression.
    """
    fields = expr.split()
    if len(fields) != 5:
        return expr, (
            f"{expr!r} must have 5 fields (minute hour day-of-month month day-of-week), "
            f"got {len(fields)}"
        )
    if any(ch.isdigit() for ch in fields[4]):
        days, error = _weekday_names(fields[4])
        if error:
            return expr, f"invalid cron expression {expr!r}: {error}"
        fields[4] = days
    normalized = " ".join(fields)
    try:
        CronTrigger.from_crontab(normalized, timezone=ZoneInfo(timezone))
    except (ValueError, ZoneInfoNotFoundError) as exc:
        return expr, f"invalid cron expression {expr!r}: {exc}"
    return normalized, None


def _weekday_names(field: str) -> tuple[str, str | None]:
    """Rewrite a numeric cron day-of-week field ("1-5", "0,3", "*/2") as day names."""
    days: set[int] = set()
    for item in field.split(","):
        match = _NUMERIC_DAYS.match(item)
        if not match:
            return field, f"day-of-week {item!r}: use numbers 0-7 or names MON-SUN, not both"
        start_text, end_text, step_text = match.groups()
        start = 0 if start_text == "*" else int(start_text)
        end = 7 if start_text == "*" else int(end_text or (7 if step_text else start_text))
        step = int(step_text or 1)
        if start > 7 or end > 7 or start > end or step == 0:
            return field, f"day-of-week {item!r} is not a range within 0-7"
        days.update(day % 7 for day in range(start, end + 1, step))
    return ",".join(_DAY_NAMES[day] for day in sorted(days)), None


def check_url(url: str, example: str = "http://127.0.0.1:9090") -> str | None:
    """A URL budgetbot calls (Prometheus, a policy's receiver): http or https with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is no number raises here)
    except ValueError as exc:
        return f"{url!r} is not a URL ({exc}), e.g. {example}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} must be an http:// or https:// URL, e.g. {example}"
    return None


def slug(text: str) -> str:
    """A display name made usable in an SLO name ("Fast reads" -> "fast-reads")."""
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-")
