"""Declared incidents: their impact on each affected SLO and their audit trail.

Like storage.repositories, IncidentRepository never commits: the caller owns the unit of
work (`with Session(engine) as s, s.begin():`). Declaring with a submission key is an
INSERT in a SAVEPOINT that a unique constraint decides (never check-then-insert), so a form
submitted twice makes one incident. Rows become domain incidents in storage/incident_rows.py;
the incident cards, one per channel, are claimed in storage/incident_cards.py.
"""

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, literal, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.domain.incidents import ImpactState, Incident, IncidentDraft, IncidentSeverity, SLOImpact
from storage.claims import insert_once
from storage.incident_rows import add_change, complete_incidents
from storage.models.conventions import UTCDateTime
from storage.models.incidents import IncidentRecord, IncidentSlo


class IncidentRepository:
    """Incidents as domain objects (bot.domain.incidents); people see an id as INC-<id>."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- writing ---------------------------------------------------------------------------

    def declare(
        self, draft: IncidentDraft, at: datetime, submission_key: str | None = None
    ) -> int | None:
        """Store a new incident (impact pending) and its "declared" change; its id.

        None when `submission_key` (the Slack view id of the form) was declared before:
        a concurrent declarer of the same key waits for the first transaction, then loses.
        """
        override = draft.severity_override
        statement = (
            insert(IncidentRecord)
            .values(
                title=draft.title,
                description=draft.description,
                services=list(draft.services),
                started_at=draft.started_at,
                ended_at=draft.ended_at,
                declared_by=draft.declared_by,
                declared_in=draft.declared_in,
                declared_at=at,
                submission_key=submission_key,
                impact_state=ImpactState.PENDING.value,
                severity_override=None if override is None else IncidentSeverity(override).value,
                override_reason=draft.override_reason,
            )
            .returning(col(IncidentRecord.id))
        )
        returned = insert_once(self._session, statement, returning=True)
        if returned is None:
            return None
        incident = int(returned[0])
        detail = "" if override is None else _override_detail(override, draft.override_reason)
        self._change(incident, at, draft.declared_by, "declared", detail)
        return incident

    def set_impact(
        self,
        id: int,
        impacts: Sequence[SLOImpact],
        state: ImpactState,
        severity: IncidentSeverity | None,
        at: datetime,
        actor: str = "budgetbot",
    ) -> None:
        """Replace the incident's per-SLO impacts and store its state and computed class.

        A "classified" change is appended only when the state or the class changed, so
        refreshes of an ongoing incident do not flood the audit trail. The incident's row
        is locked first (PostgreSQL; SQLite transactions are serial), so two concurrent
        refreshes neither both append nor collide on the replaced rows. An unknown id is
        a LookupError; two impacts for one SLO a ValueError.
        """
        names = [impact.slo for impact in impacts]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate SLOs in the impacts of INC-{id}: {sorted(names)}")
        state = ImpactState(state)
        computed = None if severity is None else IncidentSeverity(severity).value
        stored = self._session.exec(
            select(
                IncidentRecord.impact_state,
                IncidentRecord.severity_computed,
                IncidentRecord.severity_override,
            )
            .where(col(IncidentRecord.id) == id)
            .with_for_update()
        ).one_or_none()
        if stored is None:
            raise LookupError(f"no incident INC-{id}")
        if tuple(stored[:2]) != (state.value, computed):
            # A new class, but not the first classification, restarts the response clock
            # (also one reached through "unknown impact").
            first = stored[0] == ImpactState.PENDING.value
            moved = stored[2] is None and computed is not None and not first
            self._session.exec(
                update(IncidentRecord)
                .where(col(IncidentRecord.id) == id)
                .values(
                    impact_state=state.value,
                    severity_computed=computed,
                    **({"respond_from": at} if moved else {}),
                )
            )
            self._change(id, at, actor, "classified", _classified_detail(state, computed))
        self._session.exec(delete(IncidentSlo).where(col(IncidentSlo.incident_id) == id))
        if impacts:
            self._session.exec(insert(IncidentSlo), params=[_slo_row(id, i) for i in impacts])

    def resolve(self, id: int, ended_at: datetime, actor: str, at: datetime) -> bool:
        """Mark the incident resolved at `at`, ending it at `ended_at` unless it had an end.

        True only for the call that resolved it; False when resolved already or unknown.
        """
        ended = self._session.exec(
            update(IncidentRecord)
            .where(col(IncidentRecord.id) == id, _is_open())
            .values(
                resolved_at=at,
                ended_at=func.coalesce(
                    col(IncidentRecord.ended_at), literal(ended_at, UTCDateTime())
                ),
            )
            .returning(col(IncidentRecord.ended_at))
        ).scalar_one_or_none()
        if ended is None:
            return False
        self._change(id, at, actor, "resolved", f"ended {ended.isoformat()}")
        return True

    def reclassify(
        self, id: int, severity: IncidentSeverity, reason: str, actor: str, at: datetime
    ) -> bool:
        """Override the class by hand ("SEVx: reason" in the trail); False if unknown.

        The computed class stays in severity_computed; Incident.severity prefers the override.
        The response deadline runs again from `at`, with the new class's deadline.
        """
        value = IncidentSeverity(severity)
        result = self._session.exec(
            update(IncidentRecord)
            .where(col(IncidentRecord.id) == id)
            .values(severity_override=value.value, override_reason=reason, respond_from=at)
        )
        if result.rowcount != 1:
            return False
        self._change(id, at, actor, "reclassified", _override_detail(value, reason))
        return True

    # -- reading ---------------------------------------------------------------------------

    def get(self, id: int) -> Incident | None:
        """The incident, impacts by SLO name, changes oldest first; None if unknown."""
        found = self._incidents(select(IncidentRecord).where(col(IncidentRecord.id) == id))
        return found[0] if found else None

    def find(
        self,
        *,
        open_only: bool = False,
        since: datetime | None = None,
        service: str | None = None,
        limit: int = 50,
        until: datetime | None = None,
    ) -> list[Incident]:
        """Incidents, newest (latest started) first, at most `limit`.

        open_only: not resolved yet. since: going on at some time at or after `since`
        (started since, ended since, or still ongoing). until: started at or before it.
        service: lists that service.
        """
        if limit <= 0:
            return []
        statement = select(IncidentRecord).order_by(
            col(IncidentRecord.started_at).desc(), col(IncidentRecord.id).desc()
        )
        if open_only:
            statement = statement.where(_is_open())
        if until is not None:
            statement = statement.where(col(IncidentRecord.started_at) <= until)
        if since is not None:
            ended = col(IncidentRecord.ended_at)
            statement = statement.where(
                or_(
                    col(IncidentRecord.started_at) >= since,
                    ended.is_(None),
                    ended >= since,
                )
            )
        if service is None:
            return self._incidents(statement.limit(limit))
        # JSON containment differs between SQLite and PostgreSQL: match in Python.
        rows = self._session.exec(statement.execution_options(populate_existing=True)).all()
        return complete_incidents(
            self._session, list(islice((r for r in rows if service in r.services), limit))
        )

    def needing_refresh(self) -> list[Incident]:
        """Incidents whose impact is pending, or that are not resolved; oldest first."""
        return self._incidents(
            select(IncidentRecord)
            .where(
                or_(
                    col(IncidentRecord.impact_state) == ImpactState.PENDING.value,
                    _is_open(),
                )
            )
            .order_by(col(IncidentRecord.started_at), col(IncidentRecord.id))
        )

    # -- helpers ---------------------------------------------------------------------------

    def _incidents(self, statement: SelectOfScalar[IncidentRecord]) -> list[Incident]:
        """Run `statement` and return complete incidents in its order."""
        rows = self._session.exec(statement.execution_options(populate_existing=True))
        return complete_incidents(self._session, list(rows))

    def _change(self, id: int, at: datetime, actor: str, kind: str, detail: str) -> None:
        add_change(self._session, id, at, actor, kind, detail)


def _override_detail(severity: IncidentSeverity, reason: str) -> str:
    """ "SEV2: reason", or "SEV2" without a reason."""
    return f"{severity.value}: {reason}" if reason else severity.value


def _classified_detail(state: ImpactState, severity: str | None) -> str:
    """The class in the audit trail: "SEV2", "unknown impact" or "impact pending"."""
    if severity is not None:
        return severity
    return "impact pending" if state is ImpactState.PENDING else "unknown impact"


def _slo_row(id: int, impact: SLOImpact) -> dict[str, Any]:
    """The incident_slo row of an impact: its fields are the columns."""
    return {"incident_id": id, **asdict(impact)}


def _is_open() -> ColumnElement[bool]:
    """The incident has not been resolved yet."""
    return col(IncidentRecord.resolved_at).is_(None)
