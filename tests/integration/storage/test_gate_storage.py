"""GateRepository on SQLite and PostgreSQL: the decision log, held counts, overrides, 0005."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session

from storage.gates import GateRecord, GateRepository, Override
from storage.migrate import current, downgrade, upgrade
from storage.models import GATE_DECISIONS
from storage.unit_of_work import Store
from tests.support.transactions import in_tx, read_only

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BERLIN_SUMMER = timezone(timedelta(hours=2))
GATE_TABLES = {"gate_decision", "gate_override"}


def _entry(
    service: str = "checkout",
    at: datetime = T0,
    *,
    decision: str = "open",
    allowed: bool = True,
    reason: str = "budget fine",
    asked_by: str = "cli",
) -> GateRecord:
    return GateRecord(service, decision, allowed, reason, asked_by, at)


def _record(engine: Engine, *entries: GateRecord) -> None:
    def work(store: Store) -> None:
        for entry in entries:
            store.gates.record(entry)

    in_tx(engine, work)


def _held(service: str, at: datetime) -> GateRecord:
    return _entry(service, at, decision="frozen", allowed=False, reason="budget exhausted")


def _override(
    service: str = "checkout", until: datetime = T0 + timedelta(hours=2), reason: str = "hotfix"
) -> Override:
    return Override(service, until, reason, "U1", T0)


def _active(engine: Engine, service: str, at: datetime) -> Override | None:
    """The override of `service` active at `at`, read in a fresh session."""
    return read_only(engine, lambda s: s.gates.active_override(service, at))


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


# -- the decision log ------------------------------------------------------------------------------


def test_decisions_round_trip_newest_first(migrated: Engine) -> None:
    first = _entry(at=T0)
    second = _held("checkout", T0 + timedelta(minutes=5))
    other = _entry("search", T0 + timedelta(minutes=1), decision="caution", asked_by="U0ABC")
    unknown = _entry("search", T0 + timedelta(minutes=2), decision="unknown", allowed=False)
    _record(migrated, first, second, other, unknown)

    assert read_only(migrated, lambda s: s.gates.decisions()) == [second, unknown, other, first]
    assert read_only(migrated, lambda s: s.gates.decisions("checkout")) == [second, first]
    assert read_only(migrated, lambda s: s.gates.decisions("search", limit=1)) == [unknown]
    assert read_only(migrated, lambda s: s.gates.decisions(limit=0)) == []
    assert read_only(migrated, lambda s: s.gates.decisions("billing")) == []
    loaded = read_only(migrated, lambda s: s.gates.decisions("checkout"))[0]
    assert loaded.asked_at.tzinfo is not None and loaded.asked_at.utcoffset() == timedelta(0)


def test_decisions_at_the_same_time_keep_insertion_order(migrated: Engine) -> None:
    entries = [_entry(reason=f"r{i}") for i in range(3)]
    _record(migrated, *entries)
    assert read_only(migrated, lambda s: s.gates.decisions()) == entries[::-1]


def test_decisions_limit_defaults_to_fifty(migrated: Engine) -> None:
    _record(migrated, *(_entry(at=T0 + timedelta(seconds=i)) for i in range(55)))
    found = read_only(migrated, lambda s: s.gates.decisions())
    assert len(found) == 50
    assert found[0].asked_at == T0 + timedelta(seconds=54)
    with pytest.raises(ValueError, match="negative"):
        read_only(migrated, lambda s: s.gates.decisions(limit=-1))


def test_times_in_other_zones_are_stored_as_utc(migrated: Engine) -> None:
    local = T0.astimezone(BERLIN_SUMMER)
    _record(migrated, _held("checkout", local))
    [loaded] = read_only(migrated, lambda s: s.gates.decisions())
    assert loaded.asked_at == T0 and loaded.asked_at.tzinfo == UTC
    assert read_only(migrated, lambda s: s.gates.held(T0.astimezone(BERLIN_SUMMER))) == 1


def test_held_counts_refusals_since_a_time(migrated: Engine) -> None:
    _record(
        migrated,
        _held("checkout", T0 - timedelta(hours=1)),
        _held("checkout", T0),
        _held("search", T0 + timedelta(hours=1)),
        _entry("search", T0 + timedelta(hours=2), decision="unknown", allowed=False),
        _entry("checkout", T0 + timedelta(hours=2)),  # allowed: not held
        _entry("billing", T0 + timedelta(hours=2), decision="frozen", allowed=True),  # override
    )
    assert read_only(migrated, lambda s: s.gates.held(T0 - timedelta(days=1))) == 4
    assert read_only(migrated, lambda s: s.gates.held(T0)) == 3  # since is inclusive
    assert read_only(migrated, lambda s: s.gates.held(T0 + timedelta(seconds=1))) == 2
    assert read_only(migrated, lambda s: s.gates.held(T0 + timedelta(hours=3))) == 0
    assert read_only(migrated, lambda s: s.gates.held(T0, ["checkout"])) == 1
    assert read_only(migrated, lambda s: s.gates.held(T0, iter(["search", "search"]))) == 2
    assert read_only(migrated, lambda s: s.gates.held(T0, {"checkout", "search", "nope"})) == 3
    assert read_only(migrated, lambda s: s.gates.held(T0, ["billing"])) == 0
    assert read_only(migrated, lambda s: s.gates.held(T0, [])) == 0


def test_held_on_an_empty_log_is_zero(migrated: Engine) -> None:
    assert read_only(migrated, lambda s: s.gates.held(T0)) == 0
    assert read_only(migrated, lambda s: s.gates.held(T0, ["checkout"])) == 0


def test_the_repository_never_commits(migrated: Engine) -> None:
    with Session(migrated) as session:
        repository = GateRepository(session)
        repository.record(_held("checkout", T0))
        repository.add_override(_override())
        assert repository.held(T0) == 1
        assert repository.active_override("checkout", T0) is not None
        session.rollback()
    assert _count(migrated, "gate_decision") == 0
    assert _count(migrated, "gate_override") == 0


def test_bad_values_are_refused(migrated: Engine) -> None:
    naive = datetime(2026, 1, 1)
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        GateRepository(session).record(_entry(at=naive))
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        GateRepository(session).held(naive)
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        GateRepository(session).add_override(_override(until=naive))
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        GateRepository(session).active_override("checkout", naive)
    with Session(migrated) as session, pytest.raises(ValueError, match="closed"):
        GateRepository(session).record(_entry(decision="closed"))
    assert _count(migrated, "gate_decision") == 0


@pytest.mark.parametrize("decision", GATE_DECISIONS)
def test_every_decision_is_accepted(migrated: Engine, decision: str) -> None:
    _record(migrated, _entry(decision=decision))
    assert [d.decision for d in read_only(migrated, lambda s: s.gates.decisions())] == [decision]


def test_the_database_refuses_an_unknown_decision(migrated: Engine) -> None:
    statement = text(
        "INSERT INTO gate_decision (service, decision, allowed, reason, asked_by, asked_at)"
        " VALUES ('checkout', 'closed', false, '', 'cli', '2026-03-02 12:00:00+00:00')"
    )
    with migrated.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(statement)


# -- overrides -------------------------------------------------------------------------------------


def test_no_override(migrated: Engine) -> None:
    assert _active(migrated, "checkout", T0) is None


def test_an_override_is_active_until_it_ends(migrated: Engine) -> None:
    override = _override(until=T0 + timedelta(hours=2))
    in_tx(migrated, lambda s: s.gates.add_override(override))

    assert _active(migrated, "checkout", T0) == override
    just_before = T0 + timedelta(hours=2) - timedelta(microseconds=1)
    assert _active(migrated, "checkout", just_before) == override
    assert _active(migrated, "checkout", T0 + timedelta(hours=2)) is None
    assert _active(migrated, "checkout", T0 + timedelta(days=1)) is None
    assert _active(migrated, "search", T0) is None


def test_the_latest_ending_override_wins(migrated: Engine) -> None:
    long = _override(until=T0 + timedelta(hours=4), reason="long")
    short = _override(until=T0 + timedelta(hours=1), reason="short")  # added later, ends sooner
    expired = _override(until=T0 - timedelta(hours=1), reason="expired")
    other = _override("search", until=T0 + timedelta(days=1), reason="other service")

    def add_all(store: Store) -> None:
        repository = store.gates
        for override in (long, short, expired, other):
            repository.add_override(override)

    in_tx(migrated, add_all)

    assert _active(migrated, "checkout", T0) == long
    assert _active(migrated, "checkout", T0 - timedelta(hours=2)) == long
    assert _active(migrated, "checkout", T0 + timedelta(hours=5)) is None
    assert _active(migrated, "search", T0) == other


def test_an_override_in_another_zone_loads_as_utc(migrated: Engine) -> None:
    until = (T0 + timedelta(hours=1)).astimezone(BERLIN_SUMMER)
    in_tx(migrated, lambda s: s.gates.add_override(_override(until=until)))
    found = _active(migrated, "checkout", T0)
    assert found is not None
    assert found.until == until and found.until.tzinfo == UTC
    assert found.created_at == T0 and found.created_at.tzinfo == UTC


# -- migration 0005 --------------------------------------------------------------------------------


def test_upgrade_from_0004_downgrade_and_upgrade_again(engine: Engine) -> None:
    """0004 -> 0005 adds the gate tables next to the others; downgrading removes them."""
    upgrade(engine, "0004")
    assert not GATE_TABLES & set(inspect(engine).get_table_names())
    upgrade(engine, "0005")
    assert current(engine) == "0005"
    assert set(inspect(engine).get_table_names()) >= GATE_TABLES | {"postmortem", "incident"}
    _record(engine, _held("checkout", T0))
    in_tx(engine, lambda s: s.gates.add_override(_override()))
    assert read_only(engine, lambda s: s.gates.held(T0)) == 1

    downgrade(engine, "0004")
    assert current(engine) == "0004"
    assert not GATE_TABLES & set(inspect(engine).get_table_names())
    assert "postmortem" in inspect(engine).get_table_names()

    upgrade(engine, "0005")
    assert current(engine) == "0005"
    assert read_only(engine, lambda s: s.gates.decisions()) == []
    assert _active(engine, "checkout", T0) is None
    _record(engine, _held("checkout", T0))
    assert read_only(engine, lambda s: s.gates.held(T0)) == 1
