"""Repositories on a migrated database: snapshots, event claims and UTC round trips."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import partial

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session

from storage.models import BudgetSnapshot, HandledEvent
from storage.repositories import (
    DataState,
    HandledEventRepository,
    Snapshot,
    SnapshotRepository,
)
from tests.support.transactions import in_tx, race

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BERLIN_SUMMER = timezone(timedelta(hours=2))


def _snapshot(slo: str, at: datetime, remaining: float | None = 0.5) -> Snapshot:
    """A snapshot with `remaining` of the budget left (a fraction)."""
    consumed = None if remaining is None else 1.0 - remaining
    data: DataState = "no_data" if remaining is None else "ok"
    return Snapshot(slo, at, None if remaining is None else 0.0005, consumed, remaining, data)


def _claim(engine: Engine, event_id: str) -> bool:
    """Claim `event_id` in its own committed transaction."""
    return in_tx(engine, lambda store: store.events.claim(event_id, at=T0))


def test_claim_is_true_once(migrated: Engine) -> None:
    """The first claim of an event_id wins; every later one, in any session, loses."""
    assert _claim(migrated, "Ev001") is True
    assert _claim(migrated, "Ev001") is False
    assert _claim(migrated, "Ev002") is True


def test_failed_claim_leaves_the_transaction_usable(migrated: Engine) -> None:
    """A lost claim rolls back only its savepoint: the caller's other work still commits."""
    assert _claim(migrated, "Ev001") is True
    with Session(migrated) as session, session.begin():
        events = HandledEventRepository(session)
        assert events.claim("Ev001") is False
        assert events.claim("Ev002") is True
        assert events.claim("Ev002") is False
    with Session(migrated) as session:
        assert session.get(HandledEvent, "Ev002") is not None


def test_two_threads_racing_for_a_claim(migrated: Engine) -> None:
    """Of two threads claiming the same event_id at the same moment exactly one wins."""
    for round_number in range(20):
        claim = partial(_claim, migrated, f"EvRace{round_number}")
        assert sorted(race(claim)) == [False, True]


def test_add_many_ignores_duplicates(migrated: Engine) -> None:
    """Snapshots already stored for (slo, evaluated_at) are skipped, also within one batch."""
    first = [_snapshot("checkout", T0), _snapshot("checkout", T0 + timedelta(minutes=1))]
    again = [*first, _snapshot("checkout", T0 + timedelta(minutes=2), remaining=None)]
    with Session(migrated) as session, session.begin():
        snapshots = SnapshotRepository(session)
        assert snapshots.add_many(first) == 2
        assert snapshots.add_many([*again, again[-1]]) == 1
        assert snapshots.add_many([]) == 0
    with Session(migrated) as session:
        assert SnapshotRepository(session).history("checkout", T0) == again


def test_history_filters_by_slo_and_since(migrated: Engine) -> None:
    """history() returns one SLO's snapshots at or after `since`, oldest first."""
    times = [T0 + timedelta(minutes=m) for m in (5, 0, 10)]
    with Session(migrated) as session, session.begin():
        SnapshotRepository(session).add_many(
            [_snapshot("checkout", at) for at in times] + [_snapshot("search", T0)]
        )
    since = (T0 + timedelta(minutes=5)).astimezone(BERLIN_SUMMER)  # same instant, other zone
    with Session(migrated) as session:
        history = SnapshotRepository(session).history("checkout", since)
    assert [s.evaluated_at for s in history] == sorted(times)[1:]
    assert {s.slo for s in history} == {"checkout"}


def test_datetimes_round_trip_as_aware_utc(migrated: Engine) -> None:
    """An aware time in any zone is stored as UTC and loads back aware, in UTC."""
    local = datetime(2026, 7, 1, 14, 30, 15, 123456, tzinfo=BERLIN_SUMMER)
    with Session(migrated) as session, session.begin():
        SnapshotRepository(session).add_many([_snapshot("checkout", local)])
        HandledEventRepository(session).claim("Ev001", at=local)
    with Session(migrated) as session:
        [stored] = SnapshotRepository(session).history("checkout", local - timedelta(days=1))
        handled = session.get(HandledEvent, "Ev001")
        raw = session.connection().execute(text("SELECT evaluated_at FROM budget_snapshot"))
        raw_value = raw.scalar_one()
    assert handled is not None
    for value in (stored.evaluated_at, handled.handled_at):
        assert value == local
        assert value.tzinfo is UTC
        assert value.hour == 12
    assert str(raw_value).startswith("2026-07-01 12:30:15.123456")


@pytest.mark.parametrize(
    "write",
    [
        lambda s: SnapshotRepository(s).add_many([_snapshot("x", datetime(2026, 1, 1))]),
        lambda s: HandledEventRepository(s).claim("Ev001", at=datetime(2026, 1, 1)),
        lambda s: SnapshotRepository(s).history("x", datetime(2026, 1, 1)),
    ],
    ids=["add_many", "claim", "history"],
)
def test_naive_datetimes_are_refused(migrated: Engine, write: Callable[[Session], object]) -> None:
    """A naive datetime is ambiguous, so it never reaches the database."""
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        write(session)


def test_unknown_data_state_is_refused(migrated: Engine) -> None:
    """The database itself only accepts the data states ok, no_data and error."""
    row = {"slo": "checkout", "evaluated_at": T0, "data": "bogus"}
    with Session(migrated) as session, pytest.raises(IntegrityError):
        session.exec(insert(BudgetSnapshot).values(**row))
