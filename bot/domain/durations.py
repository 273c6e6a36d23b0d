"""Prometheus-style durations ("5m", "1h30m", "30d") as whole seconds."""

import re

_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)(w|d|h|m|s)")
_WHOLE = re.compile(r"^(?:\d+(?:w|d|h|m|s))+$")


def parse_duration(text: str) -> int:
    """Parse a duration such as "30d" or "1h30m" into seconds; ValueError if malformed."""
    if not isinstance(text, str) or not _WHOLE.match(text.strip()):
        raise ValueError(f"{text!r} is not a duration such as 5m, 6h or 30d")
    seconds = sum(int(n) * _UNITS[u] for n, u in _PART.findall(text.strip()))
    if seconds <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    return seconds


def format_duration(seconds: int) -> str:
    """Format seconds as the shortest Prometheus duration ("30d", "90m" -> "1h30m")."""
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    parts = []
    for unit in ("d", "h", "m", "s"):
        count, seconds = divmod(seconds, _UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
