"""SQLModel tables. Schema changes need an Alembic revision in storage/migrations/versions."""

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Index,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from bot.domain.actions import ActionKind, ActionStatus, Priority
from bot.domain.gate import Decision
from bot.domain.incidents import ImpactState, IncidentSeverity
from bot.domain.slo import Gate, Severity
from bot.domain.status import DataState

# Named constraints keep Alembic's batch mode on SQLite and later migrations simple.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DATA_STATES = tuple(state.value for state in DataState)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC that always loads timezone-aware; naive input is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; SQLite keeps the wall time only, so it must be UTC already."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} (pass an aware UTC time)")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Attach UTC to SQLite's naive values and normalise PostgreSQL's session zone."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class BudgetSnapshot(SQLModel, table=True):
    """One evaluation of one SLO; fractions of the budget, 1.0 = all of it."""

    __tablename__ = "budget_snapshot"
    __table_args__ = (
        UniqueConstraint("slo", "evaluated_at"),
        CheckConstraint(f"data IN {DATA_STATES!r}", name="data"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slo: str = Field(index=True, max_length=255)
    evaluated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    error_ratio: float | None = None
    budget_consumed: float | None = None
    budget_remaining: float | None = None
    data: str = Field(max_length=16)


class HandledEvent(SQLModel, table=True):
    """A Slack event_id that has been handled (claimed) once."""

    __tablename__ = "handled_event"

    event_id: str = Field(primary_key=True, max_length=255)
    handled_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# The alerting cycle (bot/domain/alerts.py). Every outward post is claimed by a unique row
# before it is sent (docs/alerting.md), so a crash, a retry or a second replica
# never posts twice.

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


# Incidents (bot/domain/incidents.py). People see an incident's id as INC-<id>. Its card is
# claimed per channel by a unique row before it is posted, like the alert posts above.

IMPACT_STATES = tuple(state.value for state in ImpactState)
INCIDENT_SEVERITIES = tuple(severity.value for severity in IncidentSeverity)
GATES = tuple(gate.value for gate in Gate)


class IncidentRecord(SQLModel, table=True):
    """One declared incident; times UTC, ended_at None while it is ongoing."""

    __tablename__ = "incident"
    __table_args__ = (
        # A Slack form submitted twice (its view id) makes one incident: the INSERT decides.
        UniqueConstraint("submission_key"),
        CheckConstraint(f"impact_state IN {IMPACT_STATES!r}", name="impact_state"),
        CheckConstraint(f"severity_computed IN {INCIDENT_SEVERITIES!r}", name="severity_computed"),
        CheckConstraint(f"severity_override IN {INCIDENT_SEVERITIES!r}", name="severity_override"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_type=Text)
    description: str = Field(sa_type=Text)
    services: list[str] = Field(sa_type=JSON)  # service names, as declared
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    declared_by: str = Field(max_length=255)
    declared_in: str = Field(max_length=255)  # channel id; "" from the CLI
    declared_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    submission_key: str | None = Field(default=None, max_length=255)
    impact_state: str = Field(max_length=16)
    severity_computed: str | None = Field(default=None, max_length=8)
    severity_override: str | None = Field(default=None, max_length=8)
    override_reason: str = Field(sa_type=Text)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class IncidentSlo(SQLModel, table=True):
    """One affected SLO's share of its budget spent in the incident (ratios, 1.0 = all)."""

    __tablename__ = "incident_slo"
    __table_args__ = (CheckConstraint(f"gate_after IN {GATES!r}", name="gate_after"),)

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    slo: str = Field(primary_key=True, max_length=255)
    budget_consumed: float | None = None
    remaining_after: float | None = None
    gate_after: str | None = Field(default=None, max_length=16)
    bad_events: float
    total_events: float
    note: str = Field(sa_type=Text)


class IncidentChange(SQLModel, table=True):
    """One line of an incident's audit trail (declared, classified, reclassified, resolved)."""

    __tablename__ = "incident_change"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    actor: str = Field(max_length=255)
    kind: str = Field(max_length=32)
    detail: str = Field(sa_type=Text)


class IncidentCard(SQLModel, table=True):
    """The incident's card in one channel: claimed before it is posted, ts set after."""

    __tablename__ = "incident_card"

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    channel: str = Field(primary_key=True, max_length=255)
    ts: str | None = Field(default=None, max_length=64)  # the Slack message's timestamp
    claimed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)  # or last tried
    refused: str | None = Field(default=None, max_length=255)  # why Slack refused the post


# Postmortems and action items (bot/domain/actions.py). An incident has at most one
# postmortem; its action items hang off the incident, so they may be added before or after
# it. Each reminder is claimed by a unique (kind, key) row before it is sent.

PRIORITIES = tuple(priority.value for priority in Priority)
ACTION_KINDS = tuple(kind.value for kind in ActionKind)
ACTION_STATUSES = tuple(status.value for status in ActionStatus)
REMINDER_KINDS = ("owner_daily", "team_weekly")


class PostmortemRecord(SQLModel, table=True):
    """The postmortem of one incident (the INSERT of a second one is refused)."""

    __tablename__ = "postmortem"
    __table_args__ = (UniqueConstraint("incident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    summary: str = Field(sa_type=Text)
    root_cause: str = Field(sa_type=Text)
    went_well: str = Field(sa_type=Text)
    went_badly: str = Field(sa_type=Text)
    link: str | None = Field(default=None, sa_type=Text)
    written_by: str = Field(max_length=255)
    written_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ActionRecord(SQLModel, table=True):
    """One action item of an incident; deadline and snooze are calendar days."""

    __tablename__ = "action_item"
    __table_args__ = (
        CheckConstraint(f"priority IN {PRIORITIES!r}", name="priority"),
        CheckConstraint(f"kind IN {ACTION_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {ACTION_STATUSES!r}", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    description: str = Field(sa_type=Text)
    owner: str = Field(max_length=255, index=True)  # Slack user id
    deadline: date
    priority: str = Field(max_length=8)
    kind: str = Field(max_length=16)
    status: str = Field(max_length=16, index=True)
    snoozed_until: date | None = None
    created_by: str = Field(max_length=255)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    completed_by: str | None = Field(default=None, max_length=255)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ActionChangeRecord(SQLModel, table=True):
    """One line of an action item's history (created, done, reassigned, snoozed, dropped)."""

    __tablename__ = "action_change"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action_item.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    actor: str = Field(max_length=255)
    what: str = Field(sa_type=Text)


class ReminderSent(SQLModel, table=True):
    """A reminder claimed by a unique (kind, key) row before it is sent."""

    __tablename__ = "reminder_sent"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        CheckConstraint(f"kind IN {REMINDER_KINDS!r}", name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    key: str = Field(sa_type=Text)  # e.g. owner + local date, or action id + ISO week
    sent_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# The deploy gate (bot/domain/gate.py). Every answer to "may I deploy?" is logged, and an
# override opens a service's gate until a time, whatever its budget says.

GATE_DECISIONS = tuple(decision.value for decision in Decision)


class GateDecisionRecord(SQLModel, table=True):
    """One answer of the deploy gate for one service; allowed False means it held a deploy."""

    __tablename__ = "gate_decision"
    __table_args__ = (CheckConstraint(f"decision IN {GATE_DECISIONS!r}", name="decision"),)

    id: int | None = Field(default=None, primary_key=True)
    service: str = Field(index=True, max_length=255)
    decision: str = Field(max_length=16)
    allowed: bool
    reason: str = Field(sa_type=Text)
    asked_by: str = Field(max_length=255)  # "cli", "api" or a Slack user id
    asked_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class GateOverrideRecord(SQLModel, table=True):
    """A service's gate held open until `until` (UTC), whatever its budget says."""

    __tablename__ = "gate_override"

    id: int | None = Field(default=None, primary_key=True)
    service: str = Field(index=True, max_length=255)
    until: datetime = Field(sa_type=UTCDateTime, nullable=False)
    reason: str = Field(sa_type=Text)
    created_by: str = Field(max_length=255)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# The weekly digest (bot/domain/digest.py). Each team's digest is claimed by a unique
# (team, week) row before it is posted, so a second run, a second replica or a catch-up
# after downtime posts it at most once per ISO week.


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
