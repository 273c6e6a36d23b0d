"""AlertRepository on SQLite and PostgreSQL: episodes, claims, watches and migration 0002."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from functools import partial

import pytest
from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session

from bot.domain.alerts import Action, OpenAlert, Watch
from bot.domain.slo import Severity
from storage.alerts import AlertRepository
from storage.migrate import current, downgrade, upgrade
from storage.models import AlertEpisode
from storage.unit_of_work import Store
from tests.support.transactions import in_tx, race

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BERLIN_SUMMER = timezone(timedelta(hours=2))
NEW_TABLES = {"alert_episode", "alert_post", "slo_watch", "data_warning"}
OLD_TABLES = {"budget_snapshot", "handled_event"}


def _ticket(at: datetime = T0, remaining: float | None = 0.8) -> OpenAlert:
    return OpenAlert(Severity.TICKET, at, remaining)


def _open(engine: Engine, slo: str, alert: OpenAlert | None = None) -> int:
    """Open an episode for `slo` (committed); its id."""
    episode = in_tx(engine, lambda s: s.alerts.open_episode(slo, alert or _ticket()))
    assert isinstance(episode, int)
    return episode


def _warn(engine: Engine, slo: str, since: datetime, at: datetime | None = None) -> bool:
    """Claim the data-missing warning of (slo, since) in its own committed transaction."""
    return in_tx(engine, lambda s: s.alerts.claim_data_warning(slo, since, at=at))


def _while_held(
    engine: Engine, work: Callable[[Store], bool], *, commit: bool
) -> tuple[bool, bool]:
    """The first claimer holds its transaction open while the second one tries; both results.

    The second waits for the first transaction to end: it loses if that committed and wins
    if it rolled back (a crash before the commit leaves the work unclaimed).
    """
    claimed = threading.Event()

    def first() -> bool:
        with Session(engine) as session:
            session.begin()
            result = work(Store(session))
            claimed.set()
            threading.Event().wait(0.5)  # the second claimer is blocked meanwhile
            if commit:
                session.commit()
            else:
                session.rollback()
            return result

    def second() -> bool:
        assert claimed.wait(timeout=30)
        return in_tx(engine, work)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(first), pool.submit(second)]
        return futures[0].result(timeout=60), futures[1].result(timeout=60)


# -- episodes ------------------------------------------------------------------------------


def test_open_episode_round_trips(migrated: Engine) -> None:
    """open_episode stores every field of the alert; episode() returns it with the new id."""
    local = T0.astimezone(BERLIN_SUMMER)
    alert = OpenAlert(
        Severity.PAGE,
        local,
        -0.25,
        episode=999,  # ignored: the database assigns the id
        below_since=local + timedelta(minutes=1),
        acknowledged_by="U123",
        silenced_until=local + timedelta(hours=1),
    )
    episode = _open(migrated, "checkout", alert)
    assert episode != 999
    with Session(migrated) as session:
        stored = AlertRepository(session).episode(episode)
    assert stored == ("checkout", replace(alert, episode=episode), None)
    assert stored is not None
    for value in (stored[1].started_at, stored[1].below_since, stored[1].silenced_until):
        assert value is not None
        assert value.tzinfo is UTC


def test_unknown_episode_is_none(migrated: Engine) -> None:
    with Session(migrated) as session:
        alerts = AlertRepository(session)
        assert alerts.episode(12345) is None
        assert alerts.message(12345) is None


def test_one_open_episode_per_slo(migrated: Engine) -> None:
    """A second open episode for an SLO is refused until the first one resolves."""
    first = _open(migrated, "checkout")
    later = _ticket(T0 + timedelta(days=1))
    assert in_tx(migrated, lambda s: s.alerts.open_episode("checkout", later)) is None
    assert in_tx(migrated, lambda s: s.alerts.open_episode("checkout", _ticket())) is None
    search = _open(migrated, "search")
    assert search != first
    assert in_tx(migrated, lambda s: s.alerts.resolve(first, T0 + timedelta(hours=1))) is True
    reopened = _ticket(T0 + timedelta(hours=2))
    again = in_tx(migrated, lambda s: s.alerts.open_episode("checkout", reopened))
    assert again is not None
    assert again not in (first, search)
    assert in_tx(migrated, lambda s: s.alerts.open_episode("checkout", _ticket())) is None


def test_refused_open_leaves_the_transaction_usable(migrated: Engine) -> None:
    """Losing open_episode rolls back only its savepoint; the caller's other work commits."""
    first = _open(migrated, "checkout")
    with Session(migrated) as session, session.begin():
        alerts = AlertRepository(session)
        assert alerts.claim_post(first, "open") is True
        assert alerts.open_episode("checkout", _ticket()) is None
        assert alerts.claim_post(first, "open") is False
        assert alerts.open_episode("search", _ticket()) is not None
    with Session(migrated) as session:
        alerts = AlertRepository(session)
        assert [slo for slo, *_ in alerts.firing()] == ["checkout", "search"]
        assert alerts.claim_post(first, "open") is False


def test_resolve_is_true_once(migrated: Engine) -> None:
    """resolve() is True only for the call that resolved the episode; unknown ids are False."""
    episode = _open(migrated, "checkout")
    at = (T0 + timedelta(minutes=30)).astimezone(BERLIN_SUMMER)
    assert in_tx(migrated, lambda s: s.alerts.resolve(episode, at)) is True
    assert in_tx(migrated, lambda s: s.alerts.resolve(episode, at + timedelta(1))) is False
    assert in_tx(migrated, lambda s: s.alerts.resolve(episode + 1000, at)) is False
    with Session(migrated) as session:
        stored = AlertRepository(session).episode(episode)
    assert stored is not None
    assert stored[2] == at
    assert stored[2] is not None and stored[2].tzinfo is UTC


def test_two_threads_racing_to_open_and_resolve(migrated: Engine) -> None:
    """Of two replicas opening (or resolving) the same SLO's episode at once, one wins."""
    for round_number in range(10):
        slo = f"race-{round_number}"
        assert sorted(race(partial(in_tx, migrated, _opens(slo)))) == [False, True]
        firing = in_tx(migrated, lambda s: s.alerts.firing())
        [(_, alert, _, _)] = [f for f in firing if f[0] == slo]
        assert sorted(race(partial(in_tx, migrated, _resolves(alert.episode)))) == [False, True]


def _opens(slo: str) -> Callable[[Store], bool]:
    return lambda store: store.alerts.open_episode(slo, _ticket()) is not None


def _resolves(episode: int) -> Callable[[Store], bool]:
    return lambda store: store.alerts.resolve(episode, T0)


def _claims(episode: int, kind: str) -> Callable[[Store], bool]:
    return lambda store: store.alerts.claim_post(episode, kind)


def test_firing_lists_open_episodes_oldest_first(migrated: Engine) -> None:
    """firing() lists every open episode with its message, oldest first; resolved ones not."""
    late = _open(migrated, "late", _ticket(T0 + timedelta(minutes=5)))
    early = _open(migrated, "early", OpenAlert(Severity.PAGE, T0, None))
    gone = _open(migrated, "gone", _ticket(T0 - timedelta(hours=1)))
    with Session(migrated) as session, session.begin():
        alerts = AlertRepository(session)
        alerts.set_message(late, "C01", "1700000000.000100", T0)
        assert alerts.resolve(gone, T0) is True
    with Session(migrated) as session:
        firing = AlertRepository(session).firing()
    assert firing == [
        ("early", OpenAlert(Severity.PAGE, T0, None, episode=early), None, None),
        (
            "late",
            replace(_ticket(T0 + timedelta(minutes=5)), episode=late),
            "C01",
            "1700000000.000100",
        ),
    ]
    assert in_tx(migrated, lambda s: s.alerts.firing()) == firing


# -- posts and data warnings ----------------------------------------------------------------


def test_claim_post_is_true_once(migrated: Engine) -> None:
    """Each (episode, kind) is claimed once; other kinds and episodes are independent."""
    first = _open(migrated, "checkout")
    second = _open(migrated, "search")
    assert in_tx(migrated, lambda s: s.alerts.claim_post(first, "open")) is True
    assert in_tx(migrated, lambda s: s.alerts.claim_post(first, "open")) is False
    assert in_tx(migrated, lambda s: s.alerts.claim_post(first, Action.OPEN)) is False
    assert in_tx(migrated, lambda s: s.alerts.claim_post(first, Action.ESCALATE)) is True
    assert in_tx(migrated, lambda s: s.alerts.claim_post(second, "open")) is True
    assert in_tx(migrated, lambda s: s.alerts.resolve(first, T0)) is True
    assert in_tx(migrated, lambda s: s.alerts.claim_post(first, "resolve")) is True
    assert in_tx(migrated, lambda s: s.alerts.claim_post(first, "resolve")) is False
    with Session(migrated) as session:
        raw = session.connection().execute(text("SELECT count(*) FROM alert_post")).scalar_one()
    assert raw == 4


def test_claim_post_refuses_unknown_kinds_and_episodes(migrated: Engine) -> None:
    """An unknown kind is a ValueError; an unknown episode breaks the foreign key."""
    episode = _open(migrated, "checkout")
    with Session(migrated) as session:
        alerts = AlertRepository(session)
        with pytest.raises(ValueError, match="refresh"):
            alerts.claim_post(episode, "refresh")
        with pytest.raises(IntegrityError):
            alerts.claim_post(episode + 1000, "open")


def test_two_threads_racing_for_a_post(migrated: Engine) -> None:
    """Of two threads (own sessions and connections) claiming one post, exactly one wins."""
    episodes = [_open(migrated, f"slo-{n}") for n in range(10)]
    for episode in episodes:
        assert sorted(race(partial(in_tx, migrated, _claims(episode, "open")))) == [False, True]


@pytest.mark.parametrize("commit", [True, False], ids=["committed", "rolled_back"])
def test_a_claim_held_open_blocks_the_second_claimer(migrated: Engine, commit: bool) -> None:
    """The second claimer waits for the first transaction: it loses unless that rolled back."""
    episode = _open(migrated, "checkout")
    claim = _claims(episode, "open")
    first, second = _while_held(migrated, claim, commit=commit)
    assert first is True
    assert second is not commit


@pytest.mark.parametrize("commit", [True, False], ids=["committed", "rolled_back"])
def test_an_open_held_open_blocks_the_second_opener(migrated: Engine, commit: bool) -> None:
    """The partial unique index makes a concurrent open_episode wait, then lose."""
    first, second = _while_held(migrated, _opens("checkout"), commit=commit)
    assert first is True
    assert second is not commit


def test_claim_data_warning_once_per_outage(migrated: Engine) -> None:
    """One warning per (slo, outage start); a later outage or another SLO gets its own."""
    since = T0.astimezone(BERLIN_SUMMER)
    assert _warn(migrated, "checkout", since) is True
    assert _warn(migrated, "checkout", T0) is False  # same instant
    assert _warn(migrated, "search", T0) is True
    later = T0 + timedelta(hours=3)
    assert _warn(migrated, "checkout", later, at=later) is True
    assert sorted(race(partial(_warn, migrated, "race", T0))) == [False, True]


# -- watches ---------------------------------------------------------------------------------


def test_watches_for_mixed_slos(migrated: Engine) -> None:
    """Nothing stored, watch row only, open episode only, both, and resolved episode only."""
    both = _open(migrated, "both", OpenAlert(Severity.PAGE, T0, 0.1, acknowledged_by="U1"))
    alert_only = _open(migrated, "alert_only")
    resolved = _open(migrated, "resolved")
    with Session(migrated) as session, session.begin():
        alerts = AlertRepository(session)
        alerts.save("watch_only", Watch(None, T0, True))
        alerts.save("both", Watch(None, T0 + timedelta(minutes=1)))
        alerts.save("resolved", Watch())
        alerts.resolve(resolved, T0)
    names = ["nothing", "watch_only", "alert_only", "both", "resolved", "nothing"]
    with Session(migrated) as session:
        watches = AlertRepository(session).watches(iter(names))
    assert watches == {
        "nothing": Watch(),
        "watch_only": Watch(None, T0, True),
        "alert_only": Watch(replace(_ticket(), episode=alert_only)),
        "both": Watch(
            OpenAlert(Severity.PAGE, T0, 0.1, episode=both, acknowledged_by="U1"),
            T0 + timedelta(minutes=1),
        ),
        "resolved": Watch(),
    }
    with Session(migrated) as session:
        assert AlertRepository(session).watches([]) == {}


def test_watches_take_two_queries(migrated: Engine) -> None:
    """watches() reads open episodes and watch rows with one query each, however many SLOs."""
    for n in range(5):
        _open(migrated, f"slo-{n}")
    statements: list[str] = []
    with Session(migrated) as session:
        connection = session.connection()

        def record(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(connection, "before_cursor_execute", record)
        watches = AlertRepository(session).watches(f"slo-{n}" for n in range(8))
    assert len(watches) == 8
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


def test_save_round_trips_through_watches(migrated: Engine) -> None:
    """save() upserts the watch row and stores the cycle's fields of the open episode."""
    episode = _open(migrated, "checkout")
    stored = Watch(
        replace(
            _ticket(),
            episode=episode,
            severity=Severity.PAGE,
            below_since=T0 + timedelta(minutes=2),
            acknowledged_by="U1",
            silenced_until=T0 + timedelta(hours=1),
        ),
        T0 + timedelta(minutes=3),
        True,
    )
    in_tx(migrated, lambda s: s.alerts.save("checkout", stored))
    assert in_tx(migrated, lambda s: s.alerts.watches(["checkout"])) == {"checkout": stored}
    quiet = Watch(replace(stored.alert, below_since=None) if stored.alert else None)
    in_tx(migrated, lambda s: s.alerts.save("checkout", quiet))  # the upsert overwrites the row
    assert in_tx(migrated, lambda s: s.alerts.watches(["checkout"])) == {"checkout": quiet}


def test_save_keeps_fresher_writes(migrated: Engine) -> None:
    """A cycle holding an older read neither de-escalates nor drops an ack or a silence."""
    page = OpenAlert(Severity.PAGE, T0, 0.5)
    episode = _open(migrated, "checkout", page)
    read = in_tx(migrated, lambda s: s.alerts.watches(["checkout"]))["checkout"]
    until = T0 + timedelta(hours=2)
    with Session(migrated) as session, session.begin():  # meanwhile, someone in Slack
        alerts = AlertRepository(session)
        assert alerts.acknowledge(episode, "U7", T0 + timedelta(minutes=1)) is True
        assert alerts.silence(episode, until) is True
    assert read.alert is not None
    stale = Watch(replace(read.alert, severity=Severity.TICKET, below_since=T0, silenced_until=T0))
    in_tx(migrated, lambda s: s.alerts.save("checkout", stale))
    with Session(migrated) as session:
        stored = AlertRepository(session).episode(episode)
    assert stored is not None
    assert stored[1] == replace(
        page, episode=episode, below_since=T0, acknowledged_by="U7", silenced_until=until
    )


def test_save_leaves_resolved_episodes_alone(migrated: Engine) -> None:
    """A cycle that still holds a resolved episode changes nothing about it."""
    episode = _open(migrated, "checkout")
    assert in_tx(migrated, lambda s: s.alerts.resolve(episode, T0)) is True
    late = Watch(replace(_ticket(), episode=episode, severity=Severity.PAGE, below_since=T0))
    in_tx(migrated, lambda s: s.alerts.save("checkout", late))
    with Session(migrated) as session:
        alerts = AlertRepository(session)
        assert alerts.episode(episode) == ("checkout", replace(_ticket(), episode=episode), T0)
        assert alerts.watches(["checkout"]) == {"checkout": Watch()}


def test_save_needs_a_stored_episode(migrated: Engine) -> None:
    with Session(migrated) as session, pytest.raises(ValueError, match="open_episode"):
        AlertRepository(session).save("checkout", Watch(_ticket()))


# -- the Slack message, acknowledgements and silences --------------------------------------


def test_message_round_trips(migrated: Engine) -> None:
    """set_message stores (channel, ts), also on a resolved episode; unknown ids raise."""
    episode = _open(migrated, "checkout")
    with Session(migrated) as session, session.begin():
        alerts = AlertRepository(session)
        assert alerts.message(episode) is None
        alerts.set_message(episode, "C01", "1700000000.000100", T0)
        assert alerts.message(episode) == ("C01", "1700000000.000100")
        assert alerts.resolve(episode, T0) is True
        alerts.set_message(episode, "C02", "1700000001.000200", T0)
        with pytest.raises(LookupError):
            alerts.set_message(episode + 1000, "C01", "1.0", T0)
    with Session(migrated) as session:
        assert AlertRepository(session).message(episode) == ("C02", "1700000001.000200")


def test_acknowledge_and_silence_open_episodes_only(migrated: Engine) -> None:
    """acknowledge() and silence() change open episodes; resolved or unknown ones are False."""
    episode = _open(migrated, "checkout")
    at = (T0 + timedelta(minutes=5)).astimezone(BERLIN_SUMMER)
    until = T0 + timedelta(hours=4)
    with Session(migrated) as session, session.begin():
        alerts = AlertRepository(session)
        before = alerts.episode(episode)  # loaded into the session, then changed below
        assert before is not None and before[1].acknowledged_by is None
        assert alerts.acknowledge(episode, "U1", at) is True
        assert alerts.silence(episode, until) is True
        stored = alerts.episode(episode)
        assert stored is not None
        assert stored[1] == replace(
            _ticket(), episode=episode, acknowledged_by="U1", silenced_until=until
        )
        assert alerts.acknowledge(episode + 1000, "U1", at) is False
        assert alerts.silence(episode + 1000, until) is False
    with Session(migrated) as session:
        row = session.get(AlertEpisode, episode)
        assert row is not None
        assert (row.acknowledged_by, row.acknowledged_at, row.silenced_until) == ("U1", at, until)
    assert in_tx(migrated, lambda s: s.alerts.resolve(episode, T0 + timedelta(hours=1))) is True
    with Session(migrated) as session, session.begin():
        alerts = AlertRepository(session)
        assert alerts.acknowledge(episode, "U2", at) is False
        assert alerts.silence(episode, until + timedelta(hours=1)) is False
        assert alerts.episode(episode) == (
            "checkout",
            replace(_ticket(), episode=episode, acknowledged_by="U1", silenced_until=until),
            T0 + timedelta(hours=1),
        )


@pytest.mark.parametrize(
    "write",
    [
        lambda a: a.open_episode("x", _ticket(datetime(2026, 1, 1))),
        lambda a: a.claim_data_warning("x", datetime(2026, 1, 1)),
        lambda a: a.save("x", Watch(None, datetime(2026, 1, 1))),
        lambda a: a.resolve(1, datetime(2026, 1, 1)),
    ],
    ids=["open_episode", "claim_data_warning", "save", "resolve"],
)
def test_naive_datetimes_are_refused(
    migrated: Engine, write: Callable[[AlertRepository], object]
) -> None:
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        write(AlertRepository(session))


# -- migration 0002 ------------------------------------------------------------------------


def test_upgrade_from_0001_and_downgrade_back(engine: Engine) -> None:
    """0001 -> head adds the alert tables next to the old data; downgrading removes them."""
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO handled_event (event_id, handled_at) VALUES ('Ev1', :at)"),
            {"at": T0},
        )
    upgrade(engine, "0002")
    assert current(engine) == "0002"
    assert set(inspect(engine).get_table_names()) == OLD_TABLES | NEW_TABLES | {"alembic_version"}
    upgrade(engine)  # the repository speaks the newest schema
    episode = _open(engine, "checkout")
    assert in_tx(engine, lambda s: s.alerts.open_episode("checkout", _ticket())) is None
    assert in_tx(engine, lambda s: s.alerts.claim_post(episode, "open")) is True
    with engine.begin() as connection:  # missing_warned defaults to false in the database
        connection.execute(text("INSERT INTO slo_watch (slo) VALUES ('raw')"))
    assert in_tx(engine, lambda s: s.alerts.watches(["raw"])) == {"raw": Watch()}

    downgrade(engine, "0001")
    assert current(engine) == "0001"
    assert set(inspect(engine).get_table_names()) == OLD_TABLES | {"alembic_version"}
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT event_id FROM handled_event")).scalars().all()
    assert kept == ["Ev1"]

    upgrade(engine)
    assert in_tx(engine, lambda s: s.alerts.firing()) == []
    assert _open(engine, "checkout") > 0
