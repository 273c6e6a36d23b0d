"""Postmortems and their action items: plain data, times aware UTC, deadlines as dates."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Priority(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"


class ActionKind(StrEnum):
    PREVENT = "prevent"
    DETECT = "detect"
    MITIGATE = "mitigate"
    PROCESS = "process"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True)
class NewAction:
    """An action item as written in a postmortem; owner is a Slack user id."""

    description: str
    owner: str
    deadline: date
    priority: Priority
    kind: ActionKind


@dataclass(frozen=True)
class ActionItem:
    """A stored action item; people see its id as ACT-<id>."""

    id: int
    incident_id: int
    description: str
    owner: str  # Slack user id
    deadline: date
    priority: Priority
    kind: ActionKind
    status: ActionStatus
    snoozed_until: date | None  # no reminders before this day
    created_by: str
    created_at: datetime
    completed_by: str | None = None  # set when marked done (not when dropped)
    completed_at: datetime | None = None

    @property
    def key(self) -> str:
        """The ID people use, e.g. ACT-7."""
        return f"ACT-{self.id}"


@dataclass(frozen=True)
class Postmortem:
    """The one postmortem of an incident, with the incident's action items."""

    id: int
    incident_id: int
    summary: str
    root_cause: str
    went_well: str
    went_badly: str
    link: str | None  # the full document, if it lives elsewhere
    written_by: str
    written_at: datetime
    actions: tuple[ActionItem, ...] = ()


@dataclass(frozen=True)
class ActionChange:
    """One line of an action item's history, e.g. "reassigned from <@U1> to <@U2>"."""

    at: datetime
    actor: str
    what: str
