"""Parsing the times people type: RFC 3339 or Unix seconds, always as aware UTC."""

from datetime import UTC, datetime


def parse_time(text: str) -> datetime:
    """RFC 3339 ("2026-03-02T12:00:00Z") or Unix seconds ("1772452800") as aware UTC."""
    value = text.strip()
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text[:80]!r} is not a time: use RFC 3339 (2026-03-02T12:00:00Z) or Unix seconds"
        ) from None
    if parsed.tzinfo is None:
        raise ValueError(f"{text[:80]!r} has no time zone: add Z or an offset such as +01:00")
    return parsed.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
