"""IncidentRepository on SQLite and PostgreSQL: declare, classify, resolve, cards, 0003."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import partial

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session

from bot.domain.alerts import OpenAlert
from bot.domain.incidents import (
    Change,
    ImpactState,
    Incident,
    IncidentDraft,
    IncidentSeverity,
    SLOImpact,
)
from bot.domain.slo import Severity
from storage.incident_cards import CardRepository
from storage.incidents import IncidentRepository
from storage.migrate import current, downgrade, upgrade
from storage.models import GATES, IMPACT_STATES, INCIDENT_SEVERITIES
from storage.unit_of_work import Store
from tests.support.transactions import in_tx, race, read_only

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BERLIN_SUMMER = timezone(timedelta(hours=2))
TICKET = OpenAlert(Severity.TICKET, T0, 0.8)
INCIDENT_TABLES = {"incident", "incident_slo", "incident_change", "incident_card"}


def _draft(
    title: str = "Checkout errors",
    services: tuple[str, ...] = ("checkout",),
    started_at: datetime = T0,
    ended_at: datetime | None = None,
    *,
    declared_in: str = "C0PAY",
    severity_override: IncidentSeverity | None = None,
    override_reason: str = "",
) -> IncidentDraft:
    return IncidentDraft(
        title,
        services,
        started_at,
        ended_at,
        "5xx from the API",
        "U1",
        declared_in,
        severity_override,
        override_reason,
    )


def _claim(engine: Engine, incident: int, channel: str) -> bool:
    """Claim the incident's card in `channel` in its own committed transaction."""
    return in_tx(engine, lambda s: s.cards.claim_card(incident, channel, T0))


def _declare(engine: Engine, draft: IncidentDraft | None = None, at: datetime = T0) -> int:
    """Declare an incident (committed); its id."""
    incident = in_tx(engine, lambda s: s.incidents.declare(draft or _draft(), at))
    assert isinstance(incident, int)
    return incident


def _get(engine: Engine, incident: int) -> Incident:
    found = read_only(engine, lambda s: s.incidents.get(incident))
    assert found is not None
    return found


def _declares(key: str) -> Callable[[Store], bool]:
    return lambda store: store.incidents.declare(_draft(), T0, key) is not None


def _set_impact(
    engine: Engine,
    incident: int,
    impacts: list[SLOImpact],
    state: ImpactState,
    severity: IncidentSeverity | None,
    at: datetime,
    actor: str = "budgetbot",
) -> None:
    """Store the incident's impacts and class in its own committed transaction."""
    in_tx(engine, lambda s: s.incidents.set_impact(incident, impacts, state, severity, at, actor))


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _impact(slo: str, consumed: float | None = 0.02, gate: str | None = "open") -> SLOImpact:
    remaining = None if consumed is None else 0.9 - consumed
    note = "no traffic in the window" if consumed is None else ""
    return SLOImpact(slo, consumed, remaining, gate, 12.0, 3400.5, note)


def _kinds(incident: Incident) -> list[tuple[str, str]]:
    return [(change.kind, change.detail) for change in incident.changes]


# -- declaring -------------------------------------------------------------------------------


def test_declare_round_trips(migrated: Engine) -> None:
    """Every field of the draft comes back, times aware UTC, with one "declared" change."""
    local = T0.astimezone(BERLIN_SUMMER)
    draft = _draft(
        "Payments down — «EU»",
        ("checkout", "payments", "search"),
        local,
        local + timedelta(minutes=45),
        severity_override=IncidentSeverity.SEV2,
        override_reason="card payments failed",
    )
    declared_at = local + timedelta(hours=1)
    incident = in_tx(migrated, lambda s: s.incidents.declare(draft, declared_at, "V0FORM1"))
    assert isinstance(incident, int)
    stored = _get(migrated, incident)
    assert stored == Incident(
        id=incident,
        draft=draft,
        declared_at=declared_at,
        severity_override=IncidentSeverity.SEV2,
        override_reason="card payments failed",
        changes=(Change(declared_at, "U1", "declared", "SEV2: card payments failed"),),
    )
    assert stored.key == f"INC-{incident}"
    assert stored.impact_state is ImpactState.PENDING
    assert stored.severity is IncidentSeverity.SEV2
    times = [stored.draft.started_at, stored.draft.ended_at, stored.declared_at]
    times.append(stored.changes[0].at)
    assert all(t is not None and t.tzinfo is UTC for t in times)
    assert stored.draft.services == ("checkout", "payments", "search")

    ongoing = _declare(migrated, _draft(declared_in="", services=()))
    assert ongoing != incident
    plain = _get(migrated, ongoing)
    assert plain.ongoing and plain.draft.ended_at is None
    assert plain.draft.services == () and plain.draft.declared_in == ""
    assert plain.severity is None
    assert _kinds(plain) == [("declared", "")]


def test_unknown_incident(migrated: Engine) -> None:
    with Session(migrated) as session:
        incidents = IncidentRepository(session)
        assert incidents.get(12345) is None
        assert CardRepository(session).cards(12345) == []
        assert incidents.resolve(12345, T0, "U1", T0) is False
        assert incidents.reclassify(12345, IncidentSeverity.SEV1, "why", "U1", T0) is False
        with pytest.raises(LookupError):
            incidents.set_impact(12345, [], ImpactState.UNKNOWN, None, T0)


def test_a_duplicate_submission_is_refused(migrated: Engine) -> None:
    """A form submitted twice makes one incident; the caller's transaction stays usable."""
    first = in_tx(migrated, lambda s: s.incidents.declare(_draft(), T0, "V0FORM1"))
    assert first is not None
    with Session(migrated) as session, session.begin():
        incidents = IncidentRepository(session)
        assert incidents.declare(_draft("again"), T0, "V0FORM1") is None
        other = incidents.declare(_draft("other"), T0, "V0FORM2")
        assert other is not None
    assert _count(migrated, "incident") == 2
    assert _count(migrated, "incident_change") == 2
    assert _get(migrated, first).draft.title == "Checkout errors"
    assert in_tx(migrated, lambda s: s.incidents.declare(_draft(), T0, "V0FORM2")) is None
    assert _count(migrated, "incident") == 2


def test_two_threads_submitting_one_form(migrated: Engine) -> None:
    """Of two replicas handling the same view submission at once, exactly one declares."""
    for n in range(5):
        assert sorted(race(partial(in_tx, migrated, _declares(f"V{n}")))) == [False, True]
    assert _count(migrated, "incident") == 5
    assert _count(migrated, "incident_change") == 5


# -- impact and classes ------------------------------------------------------------------------


def test_set_impact_replaces_rows_and_logs_actual_changes(migrated: Engine) -> None:
    """Rows are replaced on every call; "classified" is appended only when the class changes."""
    incident = _declare(migrated)
    at = [T0 + timedelta(minutes=n) for n in range(10)]
    first = [_impact("checkout-latency", 0.012), _impact("checkout-availability", 0.03)]
    _set_impact(migrated, incident, first, ImpactState.KNOWN, _sev(3), at[1])
    stored = _get(migrated, incident)
    assert stored.impacts == tuple(sorted(first, key=lambda i: i.slo))
    assert (stored.impact_state, stored.severity_computed) == (ImpactState.KNOWN, _sev(3))
    assert stored.changes[1] == Change(at[1], "budgetbot", "classified", "SEV3")

    refreshed = [_impact("checkout-availability", 0.04, "caution")]  # same class: no change
    _set_impact(migrated, incident, refreshed, ImpactState.KNOWN, _sev(3), at[2])
    stored = _get(migrated, incident)
    assert stored.impacts == tuple(refreshed)
    assert _kinds(stored) == [("declared", ""), ("classified", "SEV3")]

    worse = [_impact("checkout-availability", 0.07, "caution")]
    _set_impact(migrated, incident, worse, ImpactState.KNOWN, _sev(2), at[3])
    unknown = [_impact("checkout-availability", None, None)]
    for minute in (4, 5):
        _set_impact(migrated, incident, unknown, ImpactState.UNKNOWN, None, at[minute])
    _set_impact(migrated, incident, [], ImpactState.PENDING, None, at[6], "U9")
    stored = _get(migrated, incident)
    assert stored.impacts == ()
    assert stored.impact_state is ImpactState.PENDING and stored.severity is None
    assert stored.changes[1:] == (
        Change(at[1], "budgetbot", "classified", "SEV3"),
        Change(at[3], "budgetbot", "classified", "SEV2"),
        Change(at[4], "budgetbot", "classified", "unknown impact"),
        Change(at[6], "U9", "classified", "impact pending"),
    )
    assert _count(migrated, "incident_slo") == 0


def test_set_impact_refuses_duplicate_slos(migrated: Engine) -> None:
    incident = _declare(migrated)
    twice = [_impact("checkout-availability"), _impact("checkout-availability", 0.5)]
    with Session(migrated) as session, pytest.raises(ValueError, match="duplicate"):
        IncidentRepository(session).set_impact(incident, twice, ImpactState.KNOWN, _sev(1), T0)


def test_two_refreshes_at_once(migrated: Engine) -> None:
    """Concurrent refreshes of one incident neither collide nor log the change twice."""
    incident = _declare(migrated)
    impacts = [_impact("checkout-availability"), _impact("checkout-latency")]

    def refresh(store: Store) -> bool:
        store.incidents.set_impact(incident, impacts, ImpactState.KNOWN, _sev(2), T0)
        return True

    for _ in range(5):
        assert sorted(race(partial(in_tx, migrated, refresh))) == [True, True]
    stored = _get(migrated, incident)
    assert _kinds(stored) == [("declared", ""), ("classified", "SEV2")]
    assert stored.impacts == tuple(impacts)


def test_reclassify_keeps_the_computed_class(migrated: Engine) -> None:
    """The override wins in Incident.severity; the computed class is still stored."""
    incident = _declare(migrated)
    impacts = [_impact("checkout-availability", 0.02)]
    _set_impact(migrated, incident, impacts, ImpactState.KNOWN, _sev(3), T0)
    later = T0 + timedelta(hours=2)
    assert in_tx(
        migrated, lambda s: s.incidents.reclassify(incident, _sev(1), "customers hit", "U2", later)
    )
    stored = _get(migrated, incident)
    assert stored.severity_computed is IncidentSeverity.SEV3
    assert stored.severity_override is IncidentSeverity.SEV1
    assert stored.severity is IncidentSeverity.SEV1
    assert stored.override_reason == "customers hit"
    assert stored.changes[-1] == Change(later, "U2", "reclassified", "SEV1: customers hit")

    # A later refresh with the same computed class leaves the override and the trail alone.
    _set_impact(migrated, incident, impacts, ImpactState.KNOWN, _sev(3), later)
    assert _get(migrated, incident) == stored


def _sev(n: int) -> IncidentSeverity:
    return IncidentSeverity(f"SEV{n}")


# -- resolving ---------------------------------------------------------------------------------


def test_resolve_once(migrated: Engine) -> None:
    """resolve() ends an ongoing incident; a given end is kept; True only the first time."""
    ongoing = _declare(migrated)
    ended = (T0 + timedelta(minutes=30)).astimezone(BERLIN_SUMMER)
    at = T0 + timedelta(hours=1)
    assert in_tx(migrated, lambda s: s.incidents.resolve(ongoing, ended, "U3", at)) is True
    assert in_tx(migrated, lambda s: s.incidents.resolve(ongoing, at, "U4", at)) is False
    stored = _get(migrated, ongoing)
    assert (stored.draft.ended_at, stored.resolved_at) == (ended, at)
    assert not stored.ongoing
    assert stored.changes[-1] == Change(
        at, "U3", "resolved", f"ended {ended.astimezone(UTC).isoformat()}"
    )
    assert [kind for kind, _ in _kinds(stored)] == ["declared", "resolved"]

    had_end = _declare(migrated, _draft(ended_at=T0 + timedelta(minutes=10)))
    assert in_tx(migrated, lambda s: s.incidents.resolve(had_end, at, "U3", at)) is True
    assert _get(migrated, had_end).draft.ended_at == T0 + timedelta(minutes=10)
    racing = _declare(migrated)
    resolve = partial(in_tx, migrated, lambda s: s.incidents.resolve(racing, at, "U5", at))
    assert sorted(race(resolve)) == [False, True]
    assert len(_get(migrated, racing).changes) == 2


# -- finding -----------------------------------------------------------------------------------


def test_find_filters_and_order(migrated: Engine) -> None:
    """Newest first; open_only, since (going on since) and service filters combine."""
    day = timedelta(days=1)

    def make(title: str, started: datetime, ended: datetime | None, *svc: str) -> int:
        return _declare(migrated, _draft(title, svc, started, ended))

    old = make("old", T0 - 10 * day, T0 - 9 * day, "checkout")
    long = make("long", T0 - 8 * day, None, "payments")  # ongoing for a week
    late_end = make("late-end", T0 - 8 * day, T0 - 2 * day, "checkout", "pay")
    recent = make("recent", T0 - 1 * day, T0 - day + timedelta(hours=1), 'we"ird')
    newest = make("newest", T0, None, "checkout", "search")
    with Session(migrated) as session, session.begin():
        for incident in (old, recent):
            assert IncidentRepository(session).resolve(incident, T0, "U1", T0)

    def titles(
        *,
        open_only: bool = False,
        since: datetime | None = None,
        service: str | None = None,
        limit: int = 50,
        until: datetime | None = None,
    ) -> list[str]:
        with Session(migrated) as session:
            found = IncidentRepository(session).find(
                open_only=open_only, since=since, service=service, limit=limit, until=until
            )
        return [incident.draft.title for incident in found]

    assert titles() == ["newest", "recent", "late-end", "long", "old"]
    assert titles(open_only=True) == ["newest", "late-end", "long"]
    since = (T0 - 7 * day).astimezone(BERLIN_SUMMER)
    assert titles(since=since) == ["newest", "recent", "late-end", "long"]
    assert titles(since=T0 - timedelta(hours=1)) == ["newest", "long"]
    assert titles(service="checkout") == ["newest", "late-end", "old"]
    assert titles(service="pay") == ["late-end"]  # not "payments"
    assert titles(service='we"ird') == ["recent"]
    assert titles(service="check") == []
    assert titles(service="checkout", open_only=True, since=since) == ["newest", "late-end"]
    assert titles(service="checkout", limit=2) == ["newest", "late-end"]
    assert titles(limit=1) == ["newest"]
    # until: started at or before it; the limit counts only those
    assert titles(until=T0 - day, limit=2) == ["recent", "late-end"]
    assert titles(since=since, until=T0 - 2 * day) == ["late-end", "long"]
    assert titles(limit=0) == []

    with Session(migrated) as session:
        [found] = IncidentRepository(session).find(service="search")
    assert found == _get(migrated, newest)
    assert found.id == newest and found.changes[0].kind == "declared"
    assert long != late_end


def test_needing_refresh(migrated: Engine) -> None:
    """Pending or unresolved incidents, oldest first; resolved ones with a known impact not."""
    hour = timedelta(hours=1)
    pending_open = _declare(migrated, _draft(started_at=T0))
    known_open = _declare(migrated, _draft(started_at=T0 - hour))
    pending_resolved = _declare(migrated, _draft(started_at=T0 - 2 * hour))
    done = _declare(migrated, _draft(started_at=T0 - 3 * hour))
    unknown_done = _declare(migrated, _draft(started_at=T0 - 4 * hour))
    impacts = [_impact("checkout-availability")]
    with Session(migrated) as session, session.begin():
        incidents = IncidentRepository(session)
        for incident in (known_open, done):
            incidents.set_impact(incident, impacts, ImpactState.KNOWN, _sev(4), T0)
        incidents.set_impact(unknown_done, [], ImpactState.UNKNOWN, None, T0)
        for incident in (pending_resolved, done, unknown_done):
            assert incidents.resolve(incident, T0, "U1", T0)
    with Session(migrated) as session:
        waiting = IncidentRepository(session).needing_refresh()
    assert [incident.id for incident in waiting] == [pending_resolved, known_open, pending_open]
    assert waiting[1].impacts == tuple(impacts)


# -- cards ---------------------------------------------------------------------------------------


def test_claim_card_once_per_channel(migrated: Engine) -> None:
    """Each (incident, channel) card is claimed once; cards() lists the posted ones."""
    incident = _declare(migrated)
    other = _declare(migrated)
    with Session(migrated) as session, session.begin():
        incidents = CardRepository(session)
        assert incidents.claim_card(incident, "C0PAY", T0) is True
        assert incidents.claim_card(incident, "C0PAY", T0) is False  # savepoint rolled back
        assert incidents.claim_card(incident, "C0OPS", T0 + timedelta(seconds=1)) is True
        assert incidents.claim_card(other, "C0PAY", T0) is True
        assert incidents.cards(incident) == []  # claimed, not posted yet
        incidents.set_card(incident, "C0OPS", "1700000001.000200")
        incidents.set_card(incident, "C0PAY", "1700000000.000100")
        with pytest.raises(LookupError):
            incidents.set_card(incident, "C0NONE", "1.0")
    assert _claim(migrated, incident, "C0PAY") is False
    with Session(migrated) as session:
        incidents = CardRepository(session)
        assert incidents.cards(incident) == [
            ("C0PAY", "1700000000.000100"),
            ("C0OPS", "1700000001.000200"),
        ]
        assert incidents.cards(other) == []
    with Session(migrated) as session, pytest.raises(IntegrityError):
        CardRepository(session).claim_card(other + 1000, "C0PAY", T0)  # foreign key


def test_two_threads_racing_for_a_card(migrated: Engine) -> None:
    """Of two threads (own sessions and connections) claiming one card, exactly one wins."""
    incident = _declare(migrated)
    for n in range(10):
        claim = partial(_claim, migrated, incident, f"C{n}")
        assert sorted(race(claim)) == [False, True]
    assert _count(migrated, "incident_card") == 10


# -- the schema refuses what the domain cannot hold ---------------------------------------------


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("incident", "impact_state"),
        ("incident", "severity_computed"),
        ("incident", "severity_override"),
        ("incident_slo", "gate_after"),
    ],
)
def test_check_constraints(migrated: Engine, table: str, column: str) -> None:
    """The checks hold exactly the domain's values; anything else is refused."""
    assert tuple(ImpactState) == IMPACT_STATES
    assert tuple(IncidentSeverity) == INCIDENT_SEVERITIES
    assert GATES == ("open", "caution", "frozen")
    incident = _declare(migrated)
    impacts = [_impact("checkout-availability")]
    _set_impact(migrated, incident, impacts, ImpactState.KNOWN, _sev(4), T0)
    key = "incident_id" if table == "incident_slo" else "id"
    with migrated.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            text(f"UPDATE {table} SET {column} = 'SEV5' WHERE {key} = :id"), {"id": incident}
        )


def test_naive_datetimes_are_refused(migrated: Engine) -> None:
    naive = datetime(2026, 1, 1)
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        IncidentRepository(session).declare(_draft(started_at=naive), T0)
    incident = _declare(migrated)
    with Session(migrated) as session, pytest.raises(StatementError, match="naive datetime"):
        IncidentRepository(session).resolve(incident, naive, "U1", T0)


# -- migration 0003 ------------------------------------------------------------------------------


def test_upgrade_from_0002_downgrade_and_upgrade_again(engine: Engine) -> None:
    """0002 -> 0003 adds the incident tables next to the alert data; downgrading removes them.
    (Rows are written in SQL at old revisions: the repositories speak the newest schema.)"""
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO alert_episode (slo, severity, started_at) "
                "VALUES ('checkout', 'ticket', :at)"
            ),
            {"at": T0},
        )
    upgrade(engine, "0003")
    assert current(engine) == "0003"
    assert set(inspect(engine).get_table_names()) >= INCIDENT_TABLES
    incident = _declare(engine)
    assert _claim(engine, incident, "C0PAY") is True

    downgrade(engine, "0002")
    assert current(engine) == "0002"
    assert not INCIDENT_TABLES & set(inspect(engine).get_table_names())
    assert _count(engine, "alert_episode") == 1  # the alert data stays

    upgrade(engine)
    assert in_tx(engine, lambda s: s.incidents.find()) == []
    assert _declare(engine) > 0


def test_a_refused_card_is_kept_tried_again_later_and_told_once(migrated: Engine) -> None:
    """refuse_card keeps the claim with the reason; retry_card lets one caller try again
    once the last try is old enough; a posted card clears the refusal."""
    incident = _declare(migrated)
    assert _claim(migrated, incident, "G0PRIV") is True
    later = T0 + timedelta(minutes=20)
    with Session(migrated) as session, session.begin():
        cards = CardRepository(session)
        assert cards.refuse_card(incident, "G0PRIV", "Slack answered not_in_channel", T0) is True
        assert cards.refuse_card(incident, "G0PRIV", "Slack answered not_in_channel", T0) is False
        assert cards.refused_cards(incident, later) == {"G0PRIV": "Slack answered not_in_channel"}
        assert cards.refused_cards(incident, T0) == {}  # tried at T0: not due before T0
        assert cards.retry_card(incident, "G0PRIV", T0, later) is False  # too soon
    assert _claim(migrated, incident, "G0PRIV") is False  # still claimed: never posted twice
    with Session(migrated) as session, session.begin():
        cards = CardRepository(session)
        assert cards.retry_card(incident, "G0PRIV", later, later) is True
        assert cards.retry_card(incident, "G0PRIV", later, later) is False  # one caller only
        cards.set_card(incident, "G0PRIV", "1700000000.000100")
    with Session(migrated) as session:
        cards = CardRepository(session)
        assert cards.refused_cards(incident, later + timedelta(days=1)) == {}
        assert cards.cards(incident) == [("G0PRIV", "1700000000.000100")]


def test_upgrade_to_0007_keeps_the_cards(engine: Engine) -> None:
    upgrade(engine, "0006")
    incident = _declare(engine)
    assert _claim(engine, incident, "C0PAY") is True
    upgrade(engine, "0007")
    with Session(engine) as session:
        assert CardRepository(session).claimed_channels(incident) == {"C0PAY"}
    downgrade(engine, "0006")
    assert "refused" not in {c["name"] for c in inspect(engine).get_columns("incident_card")}
    upgrade(engine)
