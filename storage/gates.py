"""The deploy gate's log of decisions and its overrides.

Like storage.repositories, GateRepository never commits: the caller owns the unit of work
(`with Session(engine) as s, s.begin():`). Times are aware datetimes, stored as UTC; a
naive one is refused.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from storage.models import GATE_DECISIONS, GateDecisionRecord, GateOverrideRecord


@dataclass(frozen=True)
class GateRecord:
    """One answer of the gate: decision is one of GATE_DECISIONS; asked_by "cli", "api"
    or a Slack user id."""

    service: str
    decision: str
    allowed: bool
    reason: str
    asked_by: str
    asked_at: datetime


@dataclass(frozen=True)
class Override:
    """The service's gate is open until `until`, whatever its budget says."""

    service: str
    until: datetime
    reason: str
    created_by: str
    created_at: datetime


class GateRepository:
    """Gate decisions (an append-only log) and overrides."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, entry: GateRecord) -> None:
        """Append one decision to the log."""
        if entry.decision not in GATE_DECISIONS:
            raise ValueError(
                f"unknown gate decision {entry.decision!r}; expected one of {GATE_DECISIONS}"
            )
        self._session.exec(
            insert(GateDecisionRecord).values(
                service=entry.service,
                decision=entry.decision,
                allowed=entry.allowed,
                reason=entry.reason,
                asked_by=entry.asked_by,
                asked_at=entry.asked_at,
            )
        )

    def held(
        self, since: datetime, services: Iterable[str] | None = None, until: datetime | None = None
    ) -> int:
        """How many deploys the gate held (allowed False) at or after `since` (and at or
        before `until`, when given).

        services: count only these (an empty iterable counts nothing); None means all.
        """
        statement = select(func.count()).where(
            col(GateDecisionRecord.allowed).is_(False),
            col(GateDecisionRecord.asked_at) >= since,
        )
        if until is not None:
            statement = statement.where(col(GateDecisionRecord.asked_at) <= until)
        if services is not None:
            names = sorted(set(services))
            if not names:
                return 0
            statement = statement.where(col(GateDecisionRecord.service).in_(names))
        return int(self._session.exec(statement).one())

    def decisions(self, service: str | None = None, limit: int = 50) -> list[GateRecord]:
        """The latest `limit` decisions, newest first; of one service, or of all (None)."""
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        statement = select(GateDecisionRecord)
        if service is not None:
            statement = statement.where(col(GateDecisionRecord.service) == service)
        statement = statement.order_by(
            col(GateDecisionRecord.asked_at).desc(), col(GateDecisionRecord.id).desc()
        ).limit(limit)
        rows = self._session.exec(statement.execution_options(populate_existing=True))
        return [
            GateRecord(
                row.service, row.decision, row.allowed, row.reason, row.asked_by, row.asked_at
            )
            for row in rows
        ]

    def add_override(self, o: Override) -> None:
        """Store an override; earlier ones stay (active_override picks the latest-ending)."""
        self._session.exec(
            insert(GateOverrideRecord).values(
                service=o.service,
                until=o.until,
                reason=o.reason,
                created_by=o.created_by,
                created_at=o.created_at,
            )
        )

    def active_override(self, service: str, now: datetime) -> Override | None:
        """The service's override that ends last, if it ends after `now`; None otherwise."""
        statement = (
            select(GateOverrideRecord)
            .where(
                col(GateOverrideRecord.service) == service,
                col(GateOverrideRecord.until) > now,
            )
            .order_by(col(GateOverrideRecord.until).desc(), col(GateOverrideRecord.id).desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        row = self._session.exec(statement).first()
        if row is None:
            return None
        return Override(row.service, row.until, row.reason, row.created_by, row.created_at)
