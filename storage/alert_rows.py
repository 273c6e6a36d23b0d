"""Alert episode rows: the open-episode condition and their domain copies (OpenAlert)."""

from sqlalchemy import ColumnElement
from sqlmodel import col

from bot.domain.alerts import OpenAlert
from bot.domain.slo import Severity
from storage.models.alerts import AlertEpisode


def is_open() -> ColumnElement[bool]:
    """The episode has not resolved yet."""
    return col(AlertEpisode.resolved_at).is_(None)


def open_alert(row: AlertEpisode) -> OpenAlert:
    """The domain copy of an episode row."""
    if row.id is None:
        raise ValueError("alert episode row without an id")
    return OpenAlert(
        severity=Severity(row.severity),
        started_at=row.started_at,
        remaining_at_start=row.remaining_at_start,
        episode=row.id,
        below_since=row.below_since,
        acknowledged_by=row.acknowledged_by,
        silenced_until=row.silenced_until,
    )
