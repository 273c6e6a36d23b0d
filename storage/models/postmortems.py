"""Postmortems, action items and reminders (bot/domain/actions.py).

An incident has at most one postmortem; its action items hang off the incident, so they
may be added before or after it. Each reminder is claimed by a unique (kind, key) row
before it is sent.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.domain.actions import ActionKind, ActionStatus, Priority
from storage.models.conventions import UTCDateTime

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
