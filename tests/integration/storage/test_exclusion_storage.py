"""ExclusionRepository on SQLite and PostgreSQL: round trip, active/between, cancel, audit,
restarts, 0009."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.domain.exclusions import Exclusion
from storage.db import make_engine
from storage.exclusions import ExclusionRepository
from storage.migrate import current, downgrade, upgrade
from storage.unit_of_work import Store
from tests.support.transactions import in_tx, race, read_only

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOUR = 3600
BERLIN_WINTER = timezone(timedelta(hours=1))
EXCLUSION_TABLES = {"exclusion", "exclusion_event"}


def _draft(
    name: str = "db upgrade",
    start: datetime = T0,
    duration: int = HOUR,
    **fields: Any,
) -> Exclusion:
    values: dict[str, Any] = {
        "reason": "planned maintenance",
        "slos": frozenset({"checkout-availability"}),
        "created_by": "U0ALICE",
        **fields,
    }
    return Exclusion(name, start, duration, **values)


def _add(engine: Engine, draft: Exclusion, at: datetime = T0 - timedelta(days=1)) -> Exclusion:
    return in_tx(engine, lambda s: s.exclusions.add(draft, at))


def _id(exclusion: Exclusion) -> int:
    assert exclusion.id is not None
    return exclusion.id


def _names(found: list[Exclusion]) -> list[str]:
    return [e.name for e in found]


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


# -- add and get ---------------------------------------------------------------------------------


def test_add_and_get_round_trip(migrated: Engine) -> None:
    draft = _draft(
        start=T0.astimezone(BERLIN_WINTER),  # another zone: stored and loaded as UTC
        slos=frozenset({"checkout-latency", "checkout-availability"}),
        services=frozenset({"checkout"}),
        teams=frozenset({"payments"}),
        source="catalog",  # what is stored comes from Slack, whatever the draft says
    )
    added = _add(migrated, draft)
    assert added.id is not None
    assert added.source == "slack"
    loaded = read_only(migrated, lambda s: s.exclusions.get(_id(added)))
    assert loaded == added
    assert loaded.start == T0 and loaded.start.tzinfo == UTC
    assert loaded.slos == frozenset({"checkout-availability", "checkout-latency"})
    assert loaded.services == frozenset({"checkout"}) and loaded.teams == frozenset({"payments"})
    assert (loaded.duration, loaded.reason, loaded.created_by) == (
        HOUR,
        "planned maintenance",
        "U0ALICE",
    )
    assert (loaded.recurrence, loaded.timezone) == (None, "UTC")


def test_no_filter_and_a_recurrence_are_kept(migrated: Engine) -> None:
    draft = _draft(
        "sunday window",
        slos=frozenset(),
        recurrence="FREQ=WEEKLY;BYDAY=SU",
        timezone="Europe/Berlin",
    )
    added = _add(migrated, draft)
    loaded = read_only(migrated, lambda s: s.exclusions.get(_id(added)))
    assert loaded is not None
    assert (loaded.slos, loaded.services, loaded.teams) == (frozenset(),) * 3
    assert (loaded.recurrence, loaded.timezone) == ("FREQ=WEEKLY;BYDAY=SU", "Europe/Berlin")
    # a recurring one has no stored end: still active long after its first occurrence
    assert _names(read_only(migrated, lambda s: s.exclusions.active(T0 + timedelta(days=60)))) == [
        "sunday window"
    ]


def test_get_unknown_is_none(migrated: Engine) -> None:
    assert read_only(migrated, lambda s: s.exclusions.get(12345)) is None


def test_bad_exclusions_are_refused(migrated: Engine) -> None:
    with Session(migrated) as session:
        repository = ExclusionRepository(session)
        with pytest.raises(ValueError, match="created_by"):
            repository.add(_draft(created_by=None), T0)
        with pytest.raises(ValueError, match="positive"):
            repository.add(_draft(duration=0), T0)
        with pytest.raises(ValueError, match="stored already"):
            repository.add(_draft(id=7), T0)
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        ExclusionRepository(session).add(_draft(start=T0.replace(tzinfo=None)), T0)
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        ExclusionRepository(session).add(_draft(), T0.replace(tzinfo=None))
    assert _count(migrated, "exclusion") == 0


def test_the_database_refuses_a_duration_that_is_not_positive(migrated: Engine) -> None:
    with migrated.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO exclusion (name, start, duration_s, reason, timezone, slos,"
                " services, teams, created_by, created_at)"
                " VALUES ('x', :t, 3600, '', 'UTC', '[]', '[]', '[]', 'U1', :t)"
            ),
            {"t": T0},
        )
    with migrated.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(text("UPDATE exclusion SET duration_s = 0"))


def test_the_repository_never_commits(migrated: Engine) -> None:
    with Session(migrated) as session:
        ExclusionRepository(session).add(_draft(), T0)
    assert _count(migrated, "exclusion") == 0
    assert _count(migrated, "exclusion_event") == 0


# -- active and between --------------------------------------------------------------------------


def test_active_is_every_one_not_ended_nor_cancelled_by_start(migrated: Engine) -> None:
    ended = _add(migrated, _draft("ended", T0 - timedelta(hours=2)))  # ends at T0 - 1h
    ending = _add(migrated, _draft("ends now", T0 - timedelta(hours=1)))  # ends at T0
    running = _add(migrated, _draft("running", T0 - timedelta(minutes=30)))
    later = _add(migrated, _draft("later", T0 + timedelta(days=2)))
    soon = _add(migrated, _draft("soon", T0 + timedelta(hours=1)))
    gone = _add(migrated, _draft("cancelled", T0))
    assert in_tx(migrated, lambda s: s.exclusions.cancel(_id(gone), "U0BOB", T0))

    assert read_only(migrated, lambda s: s.exclusions.active(T0)) == [running, soon, later]
    just_before = T0 - timedelta(microseconds=1)
    assert _names(read_only(migrated, lambda s: s.exclusions.active(just_before))) == [
        "ends now",
        "running",
        "soon",
        "later",
    ]
    early = T0 - timedelta(hours=3)
    assert read_only(migrated, lambda s: s.exclusions.active(early)) == [
        ended,
        ending,
        running,
        soon,
        later,
    ]
    assert read_only(migrated, lambda s: s.exclusions.active(T0 + timedelta(days=3))) == []
    in_berlin = T0.astimezone(BERLIN_WINTER)  # the same instant in another zone
    assert read_only(migrated, lambda s: s.exclusions.active(in_berlin)) == [running, soon, later]


def test_between_finds_every_overlap_of_the_half_open_window(migrated: Engine) -> None:
    window = (T0, T0 + timedelta(days=7))
    _add(migrated, _draft("ended before", T0 - timedelta(hours=2)))  # [T0-2h, T0-1h)
    _add(migrated, _draft("touches the start", T0 - timedelta(hours=1)))  # ends at T0
    _add(migrated, _draft("over the start", T0 - timedelta(minutes=30)))
    _add(migrated, _draft("inside", T0 + timedelta(days=1)))
    _add(migrated, _draft("over the end", window[1] - timedelta(minutes=1)))
    _add(migrated, _draft("at the end", window[1]))  # starts when the window ends
    _add(migrated, _draft("covers it all", T0 - timedelta(days=1), duration=9 * 24 * HOUR))
    gone = _add(migrated, _draft("cancelled", T0 + timedelta(days=2)))
    in_tx(migrated, lambda s: s.exclusions.cancel(_id(gone), "U0BOB", T0))

    found = read_only(migrated, lambda s: s.exclusions.between(*window))
    assert _names(found) == ["covers it all", "over the start", "inside", "over the end"]
    assert all(e.source == "slack" and e.id is not None for e in found)
    assert read_only(migrated, lambda s: s.exclusions.between(T0, T0)) == []
    assert read_only(migrated, lambda s: s.exclusions.between(window[1], T0)) == []
    local = (window[0].astimezone(BERLIN_WINTER), window[1].astimezone(BERLIN_WINTER))
    assert read_only(migrated, lambda s: s.exclusions.between(*local)) == found


def test_nothing_stored_means_nothing_found(migrated: Engine) -> None:
    assert read_only(migrated, lambda s: s.exclusions.active(T0)) == []
    assert read_only(migrated, lambda s: s.exclusions.between(T0, T0 + timedelta(days=1))) == []
    assert read_only(migrated, lambda s: s.exclusions.history(1)) == []


# -- cancel and the audit trail ------------------------------------------------------------------


def test_cancel_once_and_the_audit_trail(migrated: Engine) -> None:
    added = _add(migrated, _draft(start=T0), at=T0 - timedelta(days=1))
    id = added.id
    assert id is not None
    later = T0 + timedelta(minutes=10)
    assert in_tx(migrated, lambda s: s.exclusions.cancel(id, "U0BOB", later)) == added
    assert in_tx(migrated, lambda s: s.exclusions.cancel(id, "U0CAROL", later)) is None
    assert in_tx(migrated, lambda s: s.exclusions.cancel(id + 1, "U0BOB", later)) is None
    assert read_only(migrated, lambda s: s.exclusions.get(id)) is None  # cancelled: void

    trail = read_only(migrated, lambda s: s.exclusions.history(id))
    assert [(at, actor, action) for at, actor, action, _ in trail] == [
        (T0 - timedelta(days=1), "U0ALICE", "added"),
        (later, "U0BOB", "cancelled"),
    ]
    assert trail[0][3] == "db upgrade: 2026-03-02T12:00:00+00:00 for 3600s; planned maintenance"
    assert all(at.tzinfo == UTC for at, *_ in trail)
    with migrated.connect() as connection:
        row = connection.execute(
            text("SELECT cancelled_by, cancelled_at FROM exclusion WHERE id = :id"), {"id": id}
        ).one()
    assert row[0] == "U0BOB" and row[1] is not None


def test_cancel_in_a_rolled_back_transaction_leaves_it_in_force(migrated: Engine) -> None:
    added = _add(migrated, _draft())
    with Session(migrated) as session:
        assert ExclusionRepository(session).cancel(_id(added), "U0BOB", T0) == added
    assert read_only(migrated, lambda s: s.exclusions.get(_id(added))) == added
    assert len(read_only(migrated, lambda s: s.exclusions.history(_id(added)))) == 1


def test_two_concurrent_cancels_one_wins(migrated: Engine) -> None:
    added = _add(migrated, _draft())

    def cancel(store: Store) -> bool:
        return store.exclusions.cancel(_id(added), "U0BOB", T0) is not None

    assert sorted(race(lambda: in_tx(migrated, cancel))) == [False, True]
    actions = [a for _, _, a, _ in read_only(migrated, lambda s: s.exclusions.history(_id(added)))]
    assert actions == ["added", "cancelled"]


# -- restarts and the migration ------------------------------------------------------------------


def test_exclusions_survive_a_new_engine(database_url: str) -> None:
    first = make_engine(database_url)
    try:
        upgrade(first)
        kept = _add(first, _draft("kept"))
        gone = _add(first, _draft("gone", T0 + timedelta(hours=2)))
        in_tx(first, lambda s: s.exclusions.cancel(_id(gone), "U0BOB", T0))
    finally:
        first.dispose()
    second = make_engine(database_url)
    try:
        assert read_only(second, lambda s: s.exclusions.active(T0 - timedelta(hours=1))) == [kept]
        assert read_only(second, lambda s: s.exclusions.get(_id(kept))) == kept
        trail = read_only(second, lambda s: s.exclusions.history(_id(gone)))
        assert [action for _, _, action, _ in trail] == ["added", "cancelled"]
    finally:
        second.dispose()


def test_upgrade_from_0008_downgrade_and_upgrade_again(engine: Engine) -> None:
    """0008 -> 0009 adds the exclusion tables next to the others; downgrading removes them."""
    upgrade(engine, "0008")
    assert not EXCLUSION_TABLES & set(inspect(engine).get_table_names())
    upgrade(engine, "0009")
    assert current(engine) == "0009"
    assert set(inspect(engine).get_table_names()) >= EXCLUSION_TABLES | {"gate_decision"}
    indexes = {str(i["name"]) for i in inspect(engine).get_indexes("exclusion")}
    assert indexes == {"ix_exclusion_start", "ix_exclusion_ends_at", "ix_exclusion_cancelled_at"}
    _add(engine, _draft())

    downgrade(engine, "0008")
    assert current(engine) == "0008"
    assert not EXCLUSION_TABLES & set(inspect(engine).get_table_names())
    assert "incident" in inspect(engine).get_table_names()

    upgrade(engine)
    assert read_only(engine, lambda s: s.exclusions.active(T0)) == []
    assert _add(engine, _draft()).id is not None


def test_the_exclusion_tables_match_the_models(migrated: Engine) -> None:
    """Autogenerate finds no difference on these tables (the whole schema is compared in
    test_storage_migrations.py)."""
    with migrated.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
