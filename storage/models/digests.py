"""The weekly digest's table (bot/domain/digest.py).

Each team's digest is claimed by a unique (team, week) row before it is posted, so a second
run, a second replica or a catch-up after downtime posts it at most once per ISO week.
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.conventions import UTCDateTime


class DigestRun(SQLModel, table=True):
    """One team's digest of one ISO week ("2026-W48"): claimed before it is posted, ts after."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("team", "week"),)

    id: int | None = Field(default=None, primary_key=True)
    team: str = Field(max_length=100)
    week: str = Field(max_length=16)  # the ISO week in the team's time zone, e.g. "2026-W48"
    claimed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    channel: str = Field(default="", max_length=100)
    ts: str | None = Field(default=None, max_length=64)  # the Slack message's timestamp
