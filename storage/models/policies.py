"""Policy actions (DESIGN 9.5): each service's last recorded state, the events its changes
made (one row per policy and change: the claim) and every delivery attempt.

A `policy_event` row is claimed once by its id, derived from (policy, service, change
number, event), so two replicas observing the same change insert one row. Its delivery is
leased by `claimed_until` so that two replicas never send one attempt at once; `due_at`
is when the next attempt may start.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from storage.models.conventions import UTCDateTime

POLICY_GATES = ("open", "caution", "frozen")
DELIVERY_STATES = ("pending", "delivered", "failed")
ACTION_KINDS_POLICY = ("webhook", "slack")


class PolicyState(SQLModel, table=True):
    """A service's state as policies last saw it; `seq` counts its recorded changes."""

    __tablename__ = "policy_state"
    __table_args__ = (CheckConstraint(f"gate IN {POLICY_GATES!r}", name="gate"),)

    service: str = Field(primary_key=True, max_length=255)
    gate: str = Field(max_length=16)
    paging: bool = False
    frozen: bool = False  # frozen since it was last open: its next open is also `recovered`
    since: datetime = Field(sa_type=UTCDateTime, nullable=False)  # in this gate since
    seq: int = 0
    observed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class PolicyEventRecord(SQLModel, table=True):
    """One event for one policy: its body (sent as it is on every attempt) and delivery."""

    __tablename__ = "policy_event"
    __table_args__ = (
        CheckConstraint(f"state IN {DELIVERY_STATES!r}", name="state"),
        CheckConstraint(f"kind IN {ACTION_KINDS_POLICY!r}", name="kind"),
        Index("ix_policy_event_state_due_at", "state", "due_at"),
    )

    id: str = Field(primary_key=True, max_length=64)
    policy: str = Field(max_length=255)
    service: str = Field(max_length=255)
    event: str = Field(max_length=16)
    previous: str = Field(max_length=16)
    seq: int
    kind: str = Field(max_length=16)
    target: str = Field(sa_type=Text)  # the webhook's URL or the Slack channel
    body: str = Field(sa_type=Text)  # the JSON payload (DESIGN 9.5)
    message: str | None = Field(default=None, sa_type=Text)  # a Slack action's text
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    state: str = Field(default="pending", max_length=16)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PolicyAttempt(SQLModel, table=True):
    """One delivery attempt: its HTTP status (None: no answer) and a short excerpt."""

    __tablename__ = "policy_attempt"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(foreign_key="policy_event.id", index=True, max_length=64)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ok: bool
    status: int | None = None
    detail: str = Field(max_length=255)  # the error or the response's first 200 characters
