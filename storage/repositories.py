"""Repositories: small classes over a Session that take and return plain data.

They never commit: the caller owns the unit of work (`with Session(engine) as s, s.begin():`).
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Literal, cast, get_args

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.claims import insert_once
from storage.models import BudgetSnapshot, HandledEvent

DataState = Literal["ok", "no_data", "error"]
_DATA_STATES: frozenset[str] = frozenset(get_args(DataState))


@dataclass(frozen=True)
class Snapshot:
    """One evaluation of one SLO; budget figures are fractions (1.0 = the whole budget)."""

    slo: str
    evaluated_at: datetime
    error_ratio: float | None
    budget_consumed: float | None
    budget_remaining: float | None
    data: DataState


class SnapshotRepository:
    """Budget snapshots, one per (slo, evaluated_at)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_many(self, snapshots: Iterable[Snapshot]) -> int:
        """Insert the snapshots, skipping any (slo, evaluated_at) already stored; count added."""
        rows = [asdict(snapshot) for snapshot in snapshots]
        if not rows:
            return 0
        dialect = self._session.get_bind().dialect.name
        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            dialect_insert(BudgetSnapshot)
            .on_conflict_do_nothing(index_elements=["slo", "evaluated_at"])
            .returning(col(BudgetSnapshot.id))
        )
        return len(self._session.exec(statement, params=rows).all())

    def history(self, slo: str, since: datetime) -> list[Snapshot]:
        """The SLO's snapshots evaluated at or after `since`, oldest first."""
        statement = (
            select(BudgetSnapshot)
            .where(BudgetSnapshot.slo == slo, col(BudgetSnapshot.evaluated_at) >= since)
            .order_by(col(BudgetSnapshot.evaluated_at))
        )
        return [_snapshot(row) for row in self._session.exec(statement)]


class HandledEventRepository:
    """Slack event_ids that were handled, so that retried deliveries are handled once."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, event_id: str, at: datetime | None = None) -> bool:
        """True the first time `event_id` is claimed (final once the caller commits), else False."""
        statement = insert(HandledEvent).values(
            event_id=event_id, handled_at=at or datetime.now(UTC)
        )
        return insert_once(self._session, statement) is not None


def _snapshot(row: BudgetSnapshot) -> Snapshot:
    """The plain-data copy of a row."""
    if row.data not in _DATA_STATES:
        raise ValueError(f"unknown data state {row.data!r} in budget_snapshot {row.id}")
    return Snapshot(
        slo=row.slo,
        evaluated_at=row.evaluated_at,
        error_ratio=row.error_ratio,
        budget_consumed=row.budget_consumed,
        budget_remaining=row.budget_remaining,
        data=cast(DataState, row.data),
    )
