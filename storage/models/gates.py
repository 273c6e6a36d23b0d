"""The deploy gate's tables (bot/domain/gate.py).

Every answer to "may I deploy?" is logged, and an override opens a service's gate until a
time, whatever its budget says.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from bot.domain.gate import Decision
from storage.models.conventions import UTCDateTime

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
