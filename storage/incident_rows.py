"""Incident rows read back as domain Incidents (bot.domain.incidents), children and all.

An incident's SLO impacts and audit trail are loaded for many incidents at once, a batch of
ids per IN (...), and attached to each incident in its row's order.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlmodel import Session, col, select

from bot.domain.incidents import (
    Change,
    ImpactState,
    Incident,
    IncidentDraft,
    IncidentSeverity,
    SLOImpact,
)
from storage.models.incidents import IncidentChange, IncidentRecord, IncidentSlo

_BATCH = 500  # incident ids per IN (...) when loading impacts and changes

T = TypeVar("T", IncidentSlo, IncidentChange)


def add_change(session: Session, id: int, at: datetime, actor: str, kind: str, detail: str) -> None:
    """Append one line to an incident's audit trail."""
    session.exec(
        insert(IncidentChange).values(incident_id=id, at=at, actor=actor, kind=kind, detail=detail)
    )


def complete_incidents(session: Session, rows: list[IncidentRecord]) -> list[Incident]:
    """Domain incidents of `rows`, with impacts and changes loaded in batches."""
    ids = [_id(row) for row in rows]
    impacts: dict[int, list[SLOImpact]] = {}
    for slo in _children(session, IncidentSlo, ids, col(IncidentSlo.slo)):
        impacts.setdefault(slo.incident_id, []).append(_impact(slo))
    changes: dict[int, list[Change]] = {}
    order = (col(IncidentChange.at), col(IncidentChange.id))
    for change in _children(session, IncidentChange, ids, *order):
        changes.setdefault(change.incident_id, []).append(
            Change(change.at, change.actor, change.kind, change.detail)
        )
    return [_incident(row, impacts.get(_id(row), []), changes.get(_id(row), [])) for row in rows]


def _children(session: Session, model: type[T], ids: list[int], *order: Any) -> Iterator[T]:
    """Rows of `model` belonging to the incidents `ids`, sorted by `order` per incident."""
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        statement = (
            select(model)
            .where(col(model.incident_id).in_(batch))
            .order_by(*order)
            .execution_options(populate_existing=True)
        )
        yield from session.exec(statement)


def _id(row: IncidentRecord) -> int:
    if row.id is None:
        raise ValueError("incident row without an id")
    return row.id


def _impact(row: IncidentSlo) -> SLOImpact:
    return SLOImpact(
        slo=row.slo,
        budget_consumed=row.budget_consumed,
        remaining_after=row.remaining_after,
        gate_after=row.gate_after,
        bad_events=row.bad_events,
        total_events=row.total_events,
        note=row.note,
    )


def _severity(value: str | None) -> IncidentSeverity | None:
    return None if value is None else IncidentSeverity(value)


def _incident(
    row: IncidentRecord, impacts: Iterable[SLOImpact], changes: Iterable[Change]
) -> Incident:
    """The domain copy of an incident row and its children."""
    draft = IncidentDraft(
        title=row.title,
        services=tuple(row.services),
        started_at=row.started_at,
        ended_at=row.ended_at,
        description=row.description,
        declared_by=row.declared_by,
        declared_in=row.declared_in,
        severity_override=_severity(row.severity_override),
        override_reason=row.override_reason,
    )
    return Incident(
        id=_id(row),
        draft=draft,
        declared_at=row.declared_at,
        impact_state=ImpactState(row.impact_state),
        severity_computed=_severity(row.severity_computed),
        severity_override=_severity(row.severity_override),
        override_reason=row.override_reason,
        resolved_at=row.resolved_at,
        impacts=tuple(impacts),
        changes=tuple(changes),
        detected_at=row.detected_at,
        detected_by=row.detected_by,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        mitigated_at=row.mitigated_at,
        mitigated_by=row.mitigated_by,
        respond_from=row.respond_from,
    )
