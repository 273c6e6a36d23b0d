"""Postmortems, their action items with a history of changes, and claimed reminders.

Like storage.repositories, PostmortemRepository never commits: the caller owns the unit of
work (`with Session(engine) as s, s.begin():`). Writing an incident's postmortem and
claiming a reminder are INSERTs in a SAVEPOINT that a unique constraint decides (never
check-then-insert), so a form submitted twice makes one postmortem and a re-run of the
same day's reminders sends nothing twice. Changes to an action item are UPDATEs guarded by
its status, so of two people closing it at once exactly one succeeds.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.domain.actions import (
    ActionChange,
    ActionItem,
    ActionKind,
    ActionStatus,
    NewAction,
    Postmortem,
    Priority,
)
from storage.claims import insert_once
from storage.models import (
    REMINDER_KINDS,
    ActionChangeRecord,
    ActionRecord,
    PostmortemRecord,
    ReminderSent,
)

_BATCH = 500  # incident ids per IN (...) when filtering by team
_BY_DEADLINE = (col(ActionRecord.deadline), col(ActionRecord.id))


class PostmortemRepository:
    """Postmortems and action items as domain objects (bot.domain.actions)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- writing ---------------------------------------------------------------------------

    def write(
        self,
        incident_id: int,
        summary: str,
        root_cause: str,
        went_well: str,
        went_badly: str,
        link: str | None,
        written_by: str,
        at: datetime,
        actions: Sequence[NewAction],
    ) -> int | None:
        """Store the incident's postmortem and its action items (each "created"); its id.

        None when the incident has a postmortem already: a concurrent writer waits for the
        first transaction, then loses. An unknown incident is an IntegrityError (foreign key).
        """
        rows = [_new_row(incident_id, action, written_by, at) for action in actions]
        statement = (
            insert(PostmortemRecord)
            .values(
                incident_id=incident_id,
                summary=summary,
                root_cause=root_cause,
                went_well=went_well,
                went_badly=went_badly,
                link=link,
                written_by=written_by,
                written_at=at,
            )
            .returning(col(PostmortemRecord.id))
        )
        returned = insert_once(self._session, statement, returning=True)
        if returned is None:
            return None
        for row in rows:
            self._add(row, written_by, at)
        return int(returned[0])

    def add_action(self, incident_id: int, action: NewAction, actor: str, at: datetime) -> int:
        """Add an action item to the incident (with or without a postmortem); its id."""
        return self._add(_new_row(incident_id, action, actor, at), actor, at)

    def complete(self, id: int, actor: str, at: datetime) -> bool:
        """Mark the open action done by `actor`; False when it is not open or unknown."""
        values = {"status": ActionStatus.DONE.value, "completed_by": actor, "completed_at": at}
        return self._update_open(id, actor, at, "done", **values)

    def drop(self, id: int, actor: str, at: datetime) -> bool:
        """Drop the open action (it will not be done); False when it is not open or unknown."""
        return self._update_open(id, actor, at, "dropped", status=ActionStatus.DROPPED.value)

    def snooze(self, id: int, until: date, actor: str, at: datetime) -> bool:
        """No reminders about the open action before `until`; False if not open or unknown."""
        day = _day(until)
        return self._update_open(
            id, actor, at, f"snoozed until {day.isoformat()}", snoozed_until=day
        )

    def reassign(self, id: int, new_owner: str, actor: str, at: datetime) -> bool:
        """Give the open action to `new_owner`; False if not open, unknown or theirs already.

        The row is locked first (PostgreSQL; SQLite transactions are serial), so the
        history names the owner it was really taken from.
        """
        owner = self._session.exec(
            select(ActionRecord.owner)
            .where(col(ActionRecord.id) == id, _is_open())
            .with_for_update()
        ).one_or_none()
        if owner is None or owner == new_owner:
            return False
        what = f"reassigned from <@{owner}> to <@{new_owner}>"
        return self._update_open(id, actor, at, what, owner=new_owner)

    def claim_reminder(self, kind: str, key: str, at: datetime) -> bool:
        """Claim the reminder (kind, key) before sending it; True the first time only.

        kind: "owner_daily" (key: owner and local date) or "team_weekly" (key: action id
        and ISO week). Final once the caller commits.
        """
        if kind not in REMINDER_KINDS:
            raise ValueError(f"unknown reminder kind {kind!r}; expected one of {REMINDER_KINDS}")
        statement = (
            insert(ReminderSent)
            .values(kind=kind, key=key, sent_at=at)
            .returning(col(ReminderSent.id))
        )
        return insert_once(self._session, statement, returning=True) is not None

    def release_reminder(self, kind: str, key: str) -> None:
        """Give the claim back: the reminder surely did not leave, so a later run sends it."""
        self._session.exec(
            delete(ReminderSent).where(col(ReminderSent.kind) == kind, col(ReminderSent.key) == key)
        )

    # -- reading ---------------------------------------------------------------------------

    def postmortem(self, incident_id: int) -> Postmortem | None:
        """The incident's postmortem with all its action items (any status, oldest first)."""
        row = self._session.exec(
            select(PostmortemRecord)
            .where(col(PostmortemRecord.incident_id) == incident_id)
            .execution_options(populate_existing=True)
        ).one_or_none()
        if row is None or row.id is None:
            return None
        actions = self._items(
            select(ActionRecord)
            .where(col(ActionRecord.incident_id) == incident_id)
            .order_by(col(ActionRecord.id))
        )
        return Postmortem(
            id=row.id,
            incident_id=row.incident_id,
            summary=row.summary,
            root_cause=row.root_cause,
            went_well=row.went_well,
            went_badly=row.went_badly,
            link=row.link,
            written_by=row.written_by,
            written_at=row.written_at,
            actions=tuple(actions),
        )

    def actions(
        self,
        *,
        owner: str | None = None,
        team_incidents: Iterable[int] | None = None,
        status: ActionStatus | None = ActionStatus.OPEN,
    ) -> list[ActionItem]:
        """Action items by deadline, then id; each filter given narrows the list.

        team_incidents: the ids of a team's incidents (the caller resolves them); status
        None means any status.
        """
        statement = select(ActionRecord)
        if owner is not None:
            statement = statement.where(col(ActionRecord.owner) == owner)
        if status is not None:
            statement = statement.where(col(ActionRecord.status) == ActionStatus(status).value)
        if team_incidents is None:
            return self._items(statement.order_by(*_BY_DEADLINE))
        ids = sorted(set(team_incidents))
        found: list[ActionItem] = []
        for start in range(0, len(ids), _BATCH):
            batch = ids[start : start + _BATCH]
            found += self._items(statement.where(col(ActionRecord.incident_id).in_(batch)))
        return sorted(found, key=lambda item: (item.deadline, item.id))

    def action(self, id: int) -> ActionItem | None:
        """The action item, whatever its status; None if unknown."""
        found = self._items(select(ActionRecord).where(col(ActionRecord.id) == id))
        return found[0] if found else None

    def history(self, id: int) -> list[ActionChange]:
        """The action item's changes, oldest first; empty if unknown."""
        statement = (
            select(ActionChangeRecord)
            .where(col(ActionChangeRecord.action_id) == id)
            .order_by(col(ActionChangeRecord.at), col(ActionChangeRecord.id))
            .execution_options(populate_existing=True)
        )
        return [ActionChange(c.at, c.actor, c.what) for c in self._session.exec(statement)]

    # -- helpers ---------------------------------------------------------------------------

    def _items(self, statement: SelectOfScalar[ActionRecord]) -> list[ActionItem]:
        """Run `statement` and return its rows as domain action items, in its order."""
        rows = self._session.exec(statement.execution_options(populate_existing=True))
        return [_item(row) for row in rows]

    def _add(self, row: dict[str, Any], actor: str, at: datetime) -> int:
        """Insert one action item row and its "created" change; its id."""
        statement = insert(ActionRecord).values(**row).returning(col(ActionRecord.id))
        id = int(self._session.exec(statement).scalar_one())
        self._change(id, actor, at, "created")
        return id

    def _update_open(self, id: int, actor: str, at: datetime, what: str, **values: Any) -> bool:
        """Set `values` on the action if it is still open and log `what`; True if it was."""
        result = self._session.exec(
            update(ActionRecord).where(col(ActionRecord.id) == id, _is_open()).values(**values)
        )
        if result.rowcount != 1:
            return False
        self._change(id, actor, at, what)
        return True

    def _change(self, id: int, actor: str, at: datetime, what: str) -> None:
        """Append one line to the action item's history."""
        self._session.exec(
            insert(ActionChangeRecord).values(action_id=id, at=at, actor=actor, what=what)
        )


def _is_open() -> ColumnElement[bool]:
    """The action item is neither done nor dropped."""
    return col(ActionRecord.status) == ActionStatus.OPEN.value


def _day(value: date) -> date:
    """A calendar day; a datetime (a subclass of date) is refused rather than truncated."""
    if isinstance(value, datetime):
        raise TypeError(f"expected a date, got the datetime {value.isoformat()}")
    return value


def _new_row(incident_id: int, action: NewAction, actor: str, at: datetime) -> dict[str, Any]:
    """The action_item row of a new, open action item."""
    return {
        "incident_id": incident_id,
        "description": action.description,
        "owner": action.owner,
        "deadline": _day(action.deadline),
        "priority": Priority(action.priority).value,
        "kind": ActionKind(action.kind).value,
        "status": ActionStatus.OPEN.value,
        "created_by": actor,
        "created_at": at,
    }


def _item(row: ActionRecord) -> ActionItem:
    """The domain copy of an action_item row."""
    if row.id is None:
        raise ValueError("action item row without an id")
    return ActionItem(
        id=row.id,
        incident_id=row.incident_id,
        description=row.description,
        owner=row.owner,
        deadline=row.deadline,
        priority=Priority(row.priority),
        kind=ActionKind(row.kind),
        status=ActionStatus(row.status),
        snoozed_until=row.snoozed_until,
        created_by=row.created_by,
        created_at=row.created_at,
        completed_by=row.completed_by,
        completed_at=row.completed_at,
    )
