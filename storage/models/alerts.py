"""The alerting cycle's tables (bot/domain/alerts.py): episodes, claimed posts, watches, warnings.

Every outward post is claimed by a unique row before it is sent (docs/alerting.md), so a
crash, a retry or a second replica never posts twice.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import CheckConstraint, Index, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from bot.domain.slo import Severity
from storage.models.conventions import UTCDateTime

SEVERITIES = tuple(severity.value for severity in Severity)
POST_KINDS = ("open", "escalate", "resolve")
_OPEN = "resolved_at IS NULL"


class AlertEpisode(SQLModel, table=True):
    """One burn alert of one SLO, from its first firing cycle until it resolves."""

    __tablename__ = "alert_episode"
    __table_args__ = (
        CheckConstraint(f"severity IN {SEVERITIES!r}", name="severity"),
        # At most one open episode per SLO: opening is an INSERT that this index decides.
        Index(
            "uq_alert_episode_slo_open",
            "slo",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    slo: str = Field(index=True, max_length=255)
    severity: str = Field(max_length=16)
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    remaining_at_start: float | None = None
    below_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: str | None = Field(default=None, max_length=255)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    silenced_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str | None = Field(default=None, max_length=255)
    ts: str | None = Field(default=None, max_length=64)  # the Slack message's timestamp
    # The cycle (the bot's clock) whose post got that ts: when the alert was seen in Slack.
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The opening post may not have arrived (no ts long after its claim): posted again once.
    repeated: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class AlertPost(SQLModel, table=True):
    """A post about an episode (open, escalate, resolve), claimed once before it is sent."""

    __tablename__ = "alert_post"
    __table_args__ = (
        UniqueConstraint("episode_id", "kind"),
        CheckConstraint(f"kind IN {POST_KINDS!r}", name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    episode_id: int = Field(foreign_key="alert_episode.id", nullable=False)
    kind: str = Field(max_length=16)
    claimed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class SloWatch(SQLModel, table=True):
    """What the alerting cycle remembers about an SLO's data between cycles."""

    __tablename__ = "slo_watch"

    slo: str = Field(primary_key=True, max_length=255)
    missing_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    missing_warned: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class DataWarning(SQLModel, table=True):
    """The one "data missing" warning of an SLO's outage, claimed before it is sent."""

    __tablename__ = "data_warning"

    slo: str = Field(primary_key=True, max_length=255)
    missing_since: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    claimed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
