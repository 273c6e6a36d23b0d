"""Policy actions' storage: each service's recorded state, the events (each claimed once by
its id) and their delivery attempts (each leased, so that one attempt is made at a time).

Like the other repositories, PolicyRepository never commits: the caller owns the unit of
work. Every change that two replicas might both try is a conditional UPDATE or an INSERT in
a SAVEPOINT (storage.claims.insert_once), never check-then-write.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, insert, or_, update
from sqlmodel import Session, col, select

from bot.domain.policies import ServiceState
from bot.domain.slo import Gate
from storage.claims import insert_once
from storage.models.policies import PolicyAttempt, PolicyEventRecord, PolicyState

DETAIL_CHARS = 200  # of an error or a response body: never more is kept


@dataclass(frozen=True)
class RecordedState:
    state: ServiceState
    since: datetime  # in this gate since
    seq: int  # its recorded changes so far
    observed_at: datetime  # the latest observation: older ones change nothing


@dataclass(frozen=True)
class NewEvent:
    """An event to claim: its id is derived from (policy, service, seq, event)."""

    id: str
    policy: str
    service: str
    event: str
    previous: str
    seq: int
    kind: str  # "webhook" or "slack"
    target: str  # the URL or the channel
    body: str  # the JSON payload
    message: str | None
    created_at: datetime


@dataclass(frozen=True)
class Delivery:
    """An event as its delivery sees it."""

    id: str
    policy: str
    service: str
    event: str
    kind: str
    target: str
    body: str
    message: str | None
    created_at: datetime
    due_at: datetime
    attempts: int
    state: str
    finished_at: datetime | None


@dataclass(frozen=True)
class Attempt:
    at: datetime
    ok: bool
    status: int | None
    detail: str


class PolicyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # States

    def states(self) -> dict[str, RecordedState]:
        """Every service's recorded state."""
        rows = self._session.exec(select(PolicyState)).all()
        return {
            r.service: RecordedState(
                ServiceState(Gate(r.gate), r.paging, r.frozen), r.since, r.seq, r.observed_at
            )
            for r in rows
        }

    def record_first(self, service: str, state: ServiceState, at: datetime) -> bool:
        """The first observation of a service; False if another writer recorded one."""
        statement = insert(PolicyState).values(
            service=service,
            gate=str(state.gate),
            paging=state.paging,
            frozen=state.frozen,
            since=at,
            seq=0,
            observed_at=at,
        )
        return insert_once(self._session, statement) is not None

    def advance(
        self, service: str, seq: int, state: ServiceState, since: datetime, at: datetime
    ) -> bool:
        """Record the next state if the recorded one is still change `seq` and was observed
        before `at` (else another writer recorded this change first, or a later observation
        was recorded: False)."""
        result = self._session.exec(
            update(PolicyState)
            .where(
                col(PolicyState.service) == service,
                col(PolicyState.seq) == seq,
                col(PolicyState.observed_at) < at,
            )
            .values(
                gate=str(state.gate),
                paging=state.paging,
                frozen=state.frozen,
                since=since,
                seq=seq + 1,
                observed_at=at,
            )
        )
        return _count(result) == 1

    def observed(self, services: list[str], at: datetime) -> None:
        """The services' states were seen unchanged at `at` (one statement for them all)."""
        if services:
            self._session.exec(
                update(PolicyState)
                .where(col(PolicyState.service).in_(services), col(PolicyState.observed_at) < at)
                .values(observed_at=at)
            )

    # Events

    def claim_event(self, event: NewEvent) -> bool:
        """Insert the event once: False when its id is already there."""
        values = {k: v for k, v in vars(event).items()}
        statement = insert(PolicyEventRecord).values(
            **values, due_at=event.created_at, attempts=0, state="pending"
        )
        return insert_once(self._session, statement) is not None

    def due(self, now: datetime, wall: datetime, limit: int = 100) -> list[str]:
        """The ids of pending events whose next attempt is due at `now` (the bot's clock) and
        not leased at `wall` (the real time: leases are the replicas' matter), oldest first."""
        rows = self._session.exec(
            select(PolicyEventRecord.id)
            .where(
                col(PolicyEventRecord.state) == "pending",
                col(PolicyEventRecord.due_at) <= now,
                _unleased(wall),
            )
            .order_by(col(PolicyEventRecord.created_at), col(PolicyEventRecord.id))
            .limit(limit)
        ).all()
        return list(rows)

    def lease(
        self, event_id: str, now: datetime, wall: datetime, until: datetime
    ) -> Delivery | None:
        """Take the next attempt of an event due at `now` until `until` (real time, like
        `wall`); None if another writer has it (or it is no longer due). The attempt is
        counted now: its number fences `finish`."""
        result = self._session.exec(
            update(PolicyEventRecord)
            .where(
                col(PolicyEventRecord.id) == event_id,
                col(PolicyEventRecord.state) == "pending",
                col(PolicyEventRecord.due_at) <= now,
                _unleased(wall),
            )
            .values(claimed_until=until, attempts=col(PolicyEventRecord.attempts) + 1)
        )
        if _count(result) != 1:
            return None
        return self.get(event_id)

    def get(self, event_id: str) -> Delivery | None:
        row = self._session.get(PolicyEventRecord, event_id)
        return _delivery(row) if row is not None else None

    def finish(
        self,
        event_id: str,
        number: int,
        attempt: Attempt,
        state: str,
        due_at: datetime | None = None,
    ) -> bool:
        """Record attempt `number` and the event's state after it: delivered, failed, or
        pending again from `due_at`; the lease is given back. The state changes only while
        that attempt is still the event's latest and pending (a slow attempt whose lease ran
        out and was taken again changes nothing): False then."""
        detail = attempt.detail[:DETAIL_CHARS]
        self._session.add(
            PolicyAttempt(
                event_id=event_id,
                at=attempt.at,
                ok=attempt.ok,
                status=attempt.status,
                detail=detail,
            )
        )
        values: dict[str, Any] = {"state": state, "claimed_until": None}
        if state == "pending" and due_at is not None:
            values["due_at"] = due_at
        else:
            values["finished_at"] = attempt.at
        result = self._session.exec(
            update(PolicyEventRecord)
            .where(
                col(PolicyEventRecord.id) == event_id,
                col(PolicyEventRecord.attempts) == number,
                col(PolicyEventRecord.state) == "pending",
            )
            .values(**values)
        )
        return _count(result) == 1

    def recorded_attempts(self, event_id: str) -> int:
        """How many attempts of the event were recorded (a lost lease records none)."""
        return int(
            self._session.exec(
                select(func.count()).where(col(PolicyAttempt.event_id) == event_id)
            ).one()
        )

    def deliveries(self, limit: int = 200) -> list[tuple[Delivery, list[Attempt]]]:
        """The latest events, newest first, each with its attempts (oldest first)."""
        rows = self._session.exec(
            select(PolicyEventRecord)
            .order_by(col(PolicyEventRecord.created_at).desc(), col(PolicyEventRecord.id))
            .limit(limit)
        ).all()
        attempts: dict[str, list[Attempt]] = {r.id: [] for r in rows}
        if rows:
            found = self._session.exec(
                select(PolicyAttempt)
                .where(col(PolicyAttempt.event_id).in_(list(attempts)))
                .order_by(col(PolicyAttempt.at), col(PolicyAttempt.id))
            ).all()
            for a in found:
                attempts[a.event_id].append(Attempt(a.at, a.ok, a.status, a.detail))
        return [(_delivery(r), attempts[r.id]) for r in rows]

    def count(self, state: str) -> int:
        """How many events are in `state` (pending, delivered, failed)."""
        return int(
            self._session.exec(
                select(func.count()).where(col(PolicyEventRecord.state) == state)
            ).one()
        )


def _unleased(now: datetime) -> Any:
    lease = col(PolicyEventRecord.claimed_until)
    return or_(lease.is_(None), lease < now)


def _count(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def _delivery(row: PolicyEventRecord) -> Delivery:
    return Delivery(
        id=row.id,
        policy=row.policy,
        service=row.service,
        event=row.event,
        kind=row.kind,
        target=row.target,
        body=row.body,
        message=row.message,
        created_at=row.created_at,
        due_at=row.due_at,
        attempts=row.attempts,
        state=row.state,
        finished_at=row.finished_at,
    )
