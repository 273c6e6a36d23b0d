"""An incident's timings and its one escalation (bot/domain/incident_timings.py).

Like the other repositories it never commits: the caller owns the unit of work. The first
Acknowledge (or Mitigated) is an UPDATE of a NULL column, so a second one, from a replica,
a double click or the command, moves nothing. The escalation is claimed by its row before
it is posted, so replicas and restarts post it once.
"""

from datetime import datetime

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from storage.claims import insert_once
from storage.incident_rows import add_change
from storage.models.incidents import IncidentEscalation, IncidentRecord

MARKS = ("acknowledged", "mitigated")


class TimingRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def set_detected(self, id: int, at: datetime, by: str | None) -> None:
        """When the incident was detected, and by which SLO's burn alert (None: declared)."""
        self._session.exec(
            update(IncidentRecord)
            .where(col(IncidentRecord.id) == id)
            .values(detected_at=at, detected_by=by)
        )

    def mark(self, id: int, what: str, actor: str, at: datetime) -> bool:
        """The first `what` ("acknowledged", "mitigated") of an incident, with its change.

        True only for the call that set it; False when set before or unknown.
        """
        if what not in MARKS:
            raise ValueError(f"unknown mark {what!r}; expected one of {MARKS}")
        moment = getattr(IncidentRecord, f"{what}_at")
        result = self._session.exec(
            update(IncidentRecord)
            .where(col(IncidentRecord.id) == id, col(moment).is_(None))
            .values({f"{what}_at": at, f"{what}_by": actor})
        )
        if result.rowcount != 1:
            return False
        self.change(id, at, actor, what, "")
        return True

    def correct(self, id: int, field: str, value: datetime, actor: str, at: datetime) -> bool:
        """Correct the incident's start or end ("corrected" in its trail); False if unknown."""
        name = {"start": "started_at", "end": "ended_at"}[field]
        found = self._session.exec(
            select(IncidentRecord.id, col(getattr(IncidentRecord, name)))
            .where(col(IncidentRecord.id) == id)
            .with_for_update()
        ).one_or_none()
        if found is None:
            return False
        before = found[1]
        self._session.exec(
            update(IncidentRecord).where(col(IncidentRecord.id) == id).values({name: value})
        )
        shown = before.isoformat() if before else "none"
        self.change(id, at, actor, "corrected", f"{field} {shown} -> {value.isoformat()}")
        return True

    def change(self, id: int, at: datetime, actor: str, kind: str, detail: str) -> None:
        """Append one line to the incident's audit trail."""
        add_change(self._session, id, at, actor, kind, detail)

    # -- the escalation -------------------------------------------------------------------

    def claim_escalation(self, id: int, channel: str, at: datetime) -> bool:
        """Claim the incident's one escalation post; True the first time only."""
        statement = insert(IncidentEscalation).values(
            incident_id=id, channel=channel, claimed_at=at
        )
        return insert_once(self._session, statement) is not None

    def release_escalation(self, id: int) -> None:
        """Give the claim back: the post surely did not leave, a later check sends it."""
        row = self._session.get(IncidentEscalation, id)
        if row is not None and row.ts is None:
            self._session.delete(row)

    def set_escalation(self, id: int, ts: str, at: datetime) -> None:
        """The escalation was posted (its Slack ts): its line in the trail."""
        row = self._session.get(IncidentEscalation, id)
        if row is None:
            raise LookupError(f"no escalation of INC-{id}")
        row.ts = ts
        self._session.add(row)
        self.change(id, at, "budgetbot", "escalated", row.channel)

    def escalated(self, ids: list[int]) -> set[int]:
        """The incidents among `ids` whose escalation was claimed."""
        if not ids:
            return set()
        rows = self._session.exec(
            select(IncidentEscalation.incident_id).where(
                col(IncidentEscalation.incident_id).in_(ids)
            )
        )
        return set(rows)
