"""Budget exclusions added from Slack (bot/domain/exclusions.py) and their audit trail.

The catalog's exclusions live in the catalog; only Slack's are stored, so every row here
is one of source "slack". `ends_at` is start + duration_s, kept so that "not ended yet"
is an indexed comparison on SQLite and PostgreSQL alike; it is NULL for a recurring
exclusion, whose occurrences bot.domain.exclusions computes. A cancelled exclusion keeps
its row (cancelled_at/cancelled_by set) and counts for nothing.
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Text
from sqlmodel import Field, SQLModel

from storage.models.conventions import UTCDateTime

EXCLUSION_ACTIONS = ("added", "cancelled")


class ExclusionRecord(SQLModel, table=True):
    """One exclusion: [start, start + duration_s) once, or at each RRULE occurrence."""

    __tablename__ = "exclusion"
    __table_args__ = (CheckConstraint("duration_s > 0", name="duration_s"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    start: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    duration_s: int
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    reason: str = Field(sa_type=Text)
    recurrence: str | None = Field(default=None, sa_type=Text)  # an RRULE, no "RRULE:"
    timezone: str = Field(default="UTC", max_length=64)  # whose wall clock it repeats on
    slos: list[str] = Field(sa_type=JSON)  # names, sorted; no filter at all means every SLO
    services: list[str] = Field(sa_type=JSON)
    teams: list[str] = Field(sa_type=JSON)
    created_by: str = Field(max_length=255)  # Slack user id
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    cancelled_by: str | None = Field(default=None, max_length=255)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class ExclusionEvent(SQLModel, table=True):
    """One line of an exclusion's audit trail: who added or cancelled it, and when."""

    __tablename__ = "exclusion_event"
    __table_args__ = (CheckConstraint(f"action IN {EXCLUSION_ACTIONS!r}", name="action"),)

    id: int | None = Field(default=None, primary_key=True)
    exclusion_id: int = Field(foreign_key="exclusion.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    actor: str = Field(max_length=255)
    action: str = Field(max_length=16)
    detail: str = Field(sa_type=Text)
