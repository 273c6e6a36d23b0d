"""Incident tables (bot/domain/incidents.py): the incident, its SLO impacts, trail and cards.

People see an incident's id as INC-<id>. Its card is claimed per channel by a unique row
before it is posted, like the alert posts (storage/models/alerts.py).
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.domain.incidents import ImpactState, IncidentSeverity
from bot.domain.slo import Gate
from storage.models.conventions import UTCDateTime

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
    # Timings (docs/incidents.md); None on incidents declared before they were kept.
    detected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    detected_by: str | None = Field(default=None, max_length=255)  # the SLO whose alert
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: str | None = Field(default=None, max_length=255)
    mitigated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    mitigated_by: str | None = Field(default=None, max_length=255)
    # When its present class was set, if after the declaration: the response clock's start.
    respond_from: datetime | None = Field(default=None, sa_type=UTCDateTime)


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


class IncidentEscalation(SQLModel, table=True):
    """The one escalation post of an incident nobody acknowledged in time: claimed first."""

    __tablename__ = "incident_escalation"

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    channel: str = Field(max_length=255)
    claimed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ts: str | None = Field(default=None, max_length=64)  # the Slack message's timestamp
