"""PolicyRepository on SQLite and PostgreSQL: states recorded once per change, events
claimed once, a delivery attempt leased to one writer, attempts listed."""

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import Engine

from bot.domain.policies import ServiceState
from bot.domain.slo import Gate
from storage.policies import Attempt, NewEvent
from tests.support.transactions import in_tx, race, read_only

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
OPEN, FROZEN = ServiceState(Gate.OPEN), ServiceState(Gate.FROZEN, paging=True)


def _event(event_id: str = "evt-1", at: datetime = T0) -> NewEvent:
    return NewEvent(
        id=event_id,
        policy="pause",
        service="checkout",
        event="frozen",
        previous="open",
        seq=1,
        kind="webhook",
        target="http://127.0.0.1:9/hook",
        body='{"id": "evt-1"}',
        message=None,
        created_at=at,
    )


def test_a_state_is_recorded_once_per_change(migrated: Engine) -> None:
    first = sorted(
        race(partial(in_tx, migrated, lambda s: s.policies.record_first("checkout", OPEN, T0)))
    )
    assert first == [False, True]
    later = T0 + timedelta(minutes=1)
    advance = partial(
        in_tx, migrated, lambda s: s.policies.advance("checkout", 0, FROZEN, later, later)
    )
    assert sorted(race(advance, n=3)) == [False, False, True]
    (recorded,) = read_only(migrated, lambda s: s.policies.states()).items()
    assert recorded[0] == "checkout"
    assert (recorded[1].state, recorded[1].since, recorded[1].seq) == (FROZEN, later, 1)


def test_an_event_is_claimed_once_and_leased_to_one_writer(migrated: Engine) -> None:
    claims = race(partial(in_tx, migrated, lambda s: s.policies.claim_event(_event())), n=3)
    assert sorted(claims) == [False, False, True]
    assert (
        read_only(
            migrated, lambda s: s.policies.due(T0 - timedelta(seconds=1), T0 - timedelta(seconds=1))
        )
        == []
    )
    assert read_only(migrated, lambda s: s.policies.due(T0, T0)) == ["evt-1"]
    until = T0 + timedelta(minutes=1)
    leases = race(partial(in_tx, migrated, lambda s: s.policies.lease("evt-1", T0, T0, until)), n=3)
    (leased,) = [d for d in leases if d is not None]
    assert (leased.attempts, leased.body, leased.state) == (1, '{"id": "evt-1"}', "pending")
    assert read_only(migrated, lambda s: s.policies.due(T0, T0)) == []  # leased: not due

    retry_at = T0 + timedelta(seconds=20)
    failed = Attempt(T0, False, 503, "x" * 500)
    in_tx(migrated, lambda s: s.policies.finish("evt-1", 1, failed, "pending", retry_at))
    assert (
        read_only(
            migrated,
            lambda s: s.policies.due(T0 + timedelta(seconds=19), T0 + timedelta(seconds=19)),
        )
        == []
    )
    assert read_only(migrated, lambda s: s.policies.due(retry_at, retry_at)) == ["evt-1"]
    again = in_tx(
        migrated,
        lambda s: s.policies.lease("evt-1", retry_at, retry_at, retry_at + timedelta(minutes=1)),
    )
    assert again is not None and again.attempts == 2
    ok = Attempt(retry_at, True, 200, "thanks")
    in_tx(migrated, lambda s: s.policies.finish("evt-1", 2, ok, "delivered"))
    assert (
        read_only(
            migrated, lambda s: s.policies.due(T0 + timedelta(days=1), T0 + timedelta(days=1))
        )
        == []
    )

    ((delivery, attempts),) = read_only(migrated, lambda s: s.policies.deliveries())
    assert (delivery.state, delivery.attempts, delivery.finished_at) == ("delivered", 2, retry_at)
    assert [(a.ok, a.status, len(a.detail)) for a in attempts] == [
        (False, 503, 200),
        (True, 200, 6),
    ]
    assert read_only(migrated, lambda s: s.policies.count("delivered")) == 1
    assert read_only(migrated, lambda s: s.policies.count("failed")) == 0


def test_an_expired_lease_can_be_taken_again(migrated: Engine) -> None:
    in_tx(migrated, lambda s: s.policies.claim_event(_event()))
    until = T0 + timedelta(minutes=1)
    assert in_tx(migrated, lambda s: s.policies.lease("evt-1", T0, T0, until)) is not None
    assert (
        in_tx(migrated, lambda s: s.policies.lease("evt-1", T0, T0 + timedelta(seconds=30), until))
        is None
    )
    later = T0 + timedelta(minutes=2)  # the writer died mid-attempt: the lease ran out
    taken = in_tx(
        migrated, lambda s: s.policies.lease("evt-1", later, later, later + timedelta(minutes=1))
    )
    assert taken is not None and taken.attempts == 2


def test_a_slow_attempt_whose_lease_was_taken_again_changes_nothing(migrated: Engine) -> None:
    """Attempt 1 outlives its lease; attempt 2 delivers; attempt 1's late failure is kept
    as an attempt but cannot make the delivered event pending (or failed) again."""
    in_tx(migrated, lambda s: s.policies.claim_event(_event()))
    minute = timedelta(minutes=1)
    assert in_tx(migrated, lambda s: s.policies.lease("evt-1", T0, T0, T0 + minute))
    later = T0 + 2 * minute
    second = in_tx(migrated, lambda s: s.policies.lease("evt-1", T0, later, later + minute))
    assert second is not None and second.attempts == 2
    ok = Attempt(later, True, 200, "thanks")
    assert in_tx(migrated, lambda s: s.policies.finish("evt-1", 2, ok, "delivered"))
    slow = Attempt(T0, False, None, "timed out")
    assert not in_tx(migrated, lambda s: s.policies.finish("evt-1", 1, slow, "pending", later))
    ((delivery, attempts),) = read_only(migrated, lambda s: s.policies.deliveries())
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert (
        len(attempts) == 2
        and read_only(migrated, lambda s: s.policies.recorded_attempts("evt-1")) == 2
    )
