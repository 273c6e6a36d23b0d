"""Incident timings on SQLite and PostgreSQL (DESIGN 9.4): migration 0010, the first
Acknowledge/Mitigated, corrections, the response clock, the one escalation, and the burn
alerts that detected an incident (AlertRepository.posted_between)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import Engine, inspect, text

from bot.domain.alerts import OpenAlert
from bot.domain.incident_timings import AlertSeen
from bot.domain.incidents import ImpactState, Incident, IncidentDraft, IncidentSeverity
from bot.domain.slo import Severity
from storage.db import make_engine
from storage.migrate import current, downgrade, upgrade
from storage.unit_of_work import Store
from tests.support.transactions import in_tx, race, read_only

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TIMING_COLUMNS = {
    "detected_at",
    "detected_by",
    "acknowledged_at",
    "acknowledged_by",
    "mitigated_at",
    "mitigated_by",
    "respond_from",
}


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _draft(override: IncidentSeverity | None = None) -> IncidentDraft:
    return IncidentDraft(
        "Checkout errors", ("checkout",), T0, None, "5xx", "U1", "C0PAY", override, ""
    )


def _declare(engine: Engine, draft: IncidentDraft | None = None, at: datetime = T0) -> int:
    incident = in_tx(engine, lambda s: s.incidents.declare(draft or _draft(), at))
    assert isinstance(incident, int)
    return incident


def _get(engine: Engine, incident: int) -> Incident:
    found = read_only(engine, lambda s: s.incidents.get(incident))
    assert found is not None
    return found


def _kinds(incident: Incident) -> list[str]:
    return [change.kind for change in incident.changes]


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


@pytest.fixture
def second(engine: Engine) -> Iterator[Engine]:
    """Another engine on the same database: a second replica."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


# -- migration 0010 ----------------------------------------------------------------------------


def test_upgrade_from_0009_keeps_older_incidents_with_null_timings(engine: Engine) -> None:
    """An incident declared at 0009 reads back at head with no timings; downgrading drops the
    columns and the escalation table but keeps the incident and its trail and card."""
    upgrade(engine, "0009")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO incident (title, description, services, started_at, declared_by, "
                "declared_in, declared_at, impact_state, severity_computed, override_reason) "
                "VALUES ('Old one', '', :services, :start, 'U1', 'C0PAY', :declared, 'known', "
                "'SEV2', '')"
            ),
            {"services": '["checkout"]', "start": T0, "declared": _at(20)},
        )
        incident = int(connection.execute(text("SELECT max(id) FROM incident")).scalar_one())
        connection.execute(
            text(
                "INSERT INTO incident_change (incident_id, at, actor, kind, detail) "
                "VALUES (:id, :at, 'U1', 'declared', '')"
            ),
            {"id": incident, "at": _at(20)},
        )
        connection.execute(
            text(
                "INSERT INTO incident_card (incident_id, channel, ts, claimed_at) "
                "VALUES (:id, 'C0PAY', '1700000000.000100', :at)"
            ),
            {"id": incident, "at": _at(20)},
        )
    upgrade(engine, "0010")
    assert current(engine) == "0010"
    columns = {c["name"] for c in inspect(engine).get_columns("incident")}
    assert columns >= TIMING_COLUMNS
    assert "incident_escalation" in inspect(engine).get_table_names()

    upgrade(engine)  # to head, whatever comes after 0010
    old = _get(engine, incident)
    assert (old.draft.title, old.severity, old.declared_at) == (
        "Old one",
        IncidentSeverity.SEV2,
        _at(20),
    )
    assert (old.detected_at, old.detected_by) == (None, None)
    assert (old.acknowledged_at, old.acknowledged_by) == (None, None)
    assert (old.mitigated_at, old.mitigated_by, old.respond_from) == (None, None, None)
    assert _kinds(old) == ["declared"]
    assert read_only(engine, lambda s: s.timings.escalated([incident])) == set()
    assert in_tx(engine, lambda s: s.timings.mark(incident, "acknowledged", "U2", _at(30)))

    downgrade(engine, "0009")
    assert current(engine) == "0009"
    columns = {c["name"] for c in inspect(engine).get_columns("incident")}
    assert not columns & TIMING_COLUMNS
    assert "incident_escalation" not in inspect(engine).get_table_names()
    assert _count(engine, "SELECT count(*) FROM incident") == 1
    assert _count(engine, "SELECT count(*) FROM incident_change") == 2  # declared, acknowledged
    assert _count(engine, "SELECT count(*) FROM incident_card") == 1

    upgrade(engine)
    again = _get(engine, incident)
    assert again.acknowledged_at is None  # the column came back empty
    assert again.draft.title == "Old one"
    assert in_tx(engine, lambda s: s.timings.claim_escalation(incident, "C0PAY", _at(90)))
    assert _declare(engine) > incident


def test_an_incident_declared_at_head_has_its_detection(migrated: Engine) -> None:
    incident = _declare(migrated, at=_at(20))
    in_tx(migrated, lambda s: s.timings.set_detected(incident, _at(5), "checkout-availability"))
    found = _get(migrated, incident)
    assert (found.detected_at, found.detected_by) == (_at(5), "checkout-availability")
    in_tx(migrated, lambda s: s.timings.set_detected(incident, _at(20), None))
    found = _get(migrated, incident)
    assert (found.detected_at, found.detected_by) == (_at(20), None)


# -- the first Acknowledge and Mitigated ---------------------------------------------------------


def test_the_first_mark_counts_and_a_second_moves_nothing(migrated: Engine) -> None:
    incident = _declare(migrated)

    def mark(what: str, actor: str, at: datetime) -> bool:
        return in_tx(migrated, lambda s: s.timings.mark(incident, what, actor, at))

    assert mark("acknowledged", "U2", _at(8)) is True
    assert mark("acknowledged", "U3", _at(9)) is False
    assert mark("mitigated", "U3", _at(40)) is True  # independent of the acknowledgement
    assert mark("mitigated", "U2", _at(41)) is False
    found = _get(migrated, incident)
    assert (found.acknowledged_at, found.acknowledged_by) == (_at(8), "U2")
    assert (found.mitigated_at, found.mitigated_by) == (_at(40), "U3")
    marks = [(c.kind, c.actor, c.at) for c in found.changes if c.kind != "declared"]
    assert marks == [("acknowledged", "U2", _at(8)), ("mitigated", "U3", _at(40))]


def test_marking_an_unknown_incident_or_an_unknown_mark(migrated: Engine) -> None:
    incident = _declare(migrated)
    assert in_tx(migrated, lambda s: s.timings.mark(incident + 99, "acknowledged", "U2", T0)) is (
        False
    )
    with pytest.raises(ValueError, match="unknown mark"):
        in_tx(migrated, lambda s: s.timings.mark(incident, "resolved", "U2", T0))
    assert _kinds(_get(migrated, incident)) == ["declared"]


def test_two_replicas_acknowledging_at_once(engine: Engine, second: Engine) -> None:
    """Two clicks handled by two replicas at the same instant: exactly one counts."""
    upgrade(engine)
    for n in range(5):
        incident = _declare(engine)

        def click(on: Engine, incident: int, actor: str, minute: int) -> bool:
            return in_tx(on, lambda s: s.timings.mark(incident, "acknowledged", actor, _at(minute)))

        results = race(
            [
                partial(click, engine, incident, "U2", 8 + n),
                partial(click, second, incident, "U3", 9 + n),
            ]
        )
        assert sorted(results) == [False, True]
        found = _get(engine, incident)
        winner = "U2" if results[0] else "U3"
        assert found.acknowledged_by == winner
        assert found.acknowledged_at == _at((8 if winner == "U2" else 9) + n)
        assert _kinds(found).count("acknowledged") == 1


# -- corrections and the response clock -------------------------------------------------------


def test_correct_moves_the_start_or_end_with_a_corrected_line(migrated: Engine) -> None:
    incident = _declare(migrated, at=_at(20))
    moved = _at(-10)
    assert in_tx(migrated, lambda s: s.timings.correct(incident, "start", moved, "U2", _at(30)))
    assert in_tx(migrated, lambda s: s.timings.correct(incident, "end", _at(50), "U3", _at(60)))
    found = _get(migrated, incident)
    assert found.draft.started_at == moved and found.draft.ended_at == _at(50)
    corrected = [(c.at, c.actor, c.detail) for c in found.changes if c.kind == "corrected"]
    assert corrected == [
        (_at(30), "U2", "start 2026-03-02T12:00:00+00:00 -> 2026-03-02T11:50:00+00:00"),
        (_at(60), "U3", "end none -> 2026-03-02T12:50:00+00:00"),
    ]
    assert in_tx(migrated, lambda s: s.timings.correct(incident + 9, "end", T0, "U2", T0)) is (
        False
    )


def test_reclassify_restarts_the_response_clock(migrated: Engine) -> None:
    incident = _declare(migrated, _draft(IncidentSeverity.SEV3), at=_at(20))
    assert _get(migrated, incident).respond_from is None
    sev2 = IncidentSeverity.SEV2
    assert in_tx(migrated, lambda s: s.incidents.reclassify(incident, sev2, "wide", "U2", _at(50)))
    found = _get(migrated, incident)
    assert (found.severity, found.respond_from) == (IncidentSeverity.SEV2, _at(50))


def _classify(
    engine: Engine, incident: int, severity: IncidentSeverity | None, at: datetime
) -> None:
    state = ImpactState.KNOWN if severity else ImpactState.UNKNOWN
    in_tx(engine, lambda s: s.incidents.set_impact(incident, [], state, severity, at))


def test_a_computed_class_that_changes_restarts_the_clock(migrated: Engine) -> None:
    """The first class is no change; SEV3 -> SEV2 is; with an override it is not."""
    incident = _declare(migrated, at=_at(20))
    _classify(migrated, incident, IncidentSeverity.SEV3, _at(21))
    assert _get(migrated, incident).respond_from is None
    _classify(migrated, incident, IncidentSeverity.SEV3, _at(25))  # the same class
    assert _get(migrated, incident).respond_from is None
    _classify(migrated, incident, IncidentSeverity.SEV2, _at(30))
    assert _get(migrated, incident).respond_from == _at(30)
    _classify(migrated, incident, None, _at(35))  # unknown impact: no class, no deadline
    _classify(migrated, incident, IncidentSeverity.SEV1, _at(40))  # a class again: a new clock
    assert _get(migrated, incident).respond_from == _at(40)

    late = _declare(migrated, at=_at(20))  # pending (Prometheus down), classified late
    _classify(migrated, late, IncidentSeverity.SEV2, _at(45))
    assert _get(migrated, late).respond_from is None  # its first class counts from declaration

    overridden = _declare(migrated, _draft(IncidentSeverity.SEV1), at=_at(20))
    _classify(migrated, overridden, IncidentSeverity.SEV3, _at(21))
    _classify(migrated, overridden, IncidentSeverity.SEV2, _at(30))
    assert _get(migrated, overridden).respond_from is None  # its class stayed SEV1


# -- the one escalation ------------------------------------------------------------------------


def test_the_escalation_is_claimed_once_across_replicas(engine: Engine, second: Engine) -> None:
    upgrade(engine)
    incidents = [_declare(engine) for _ in range(5)]
    for incident in incidents:

        def claim(on: Engine, incident: int) -> bool:
            return in_tx(on, lambda s: s.timings.claim_escalation(incident, "C0PAY", _at(61)))

        attempts = [partial(claim, engine, incident), partial(claim, second, incident)]
        assert sorted(race(attempts)) == [False, True]
    assert read_only(second, lambda s: s.timings.escalated([*incidents, 999])) == set(incidents)
    assert _count(engine, "SELECT count(*) FROM incident_escalation") == 5


def test_a_released_claim_is_claimed_again_and_a_posted_one_never(migrated: Engine) -> None:
    incident = _declare(migrated)

    def claim(at: datetime) -> bool:
        return in_tx(migrated, lambda s: s.timings.claim_escalation(incident, "C0PAY", at))

    assert claim(_at(61)) is True
    in_tx(migrated, lambda s: s.timings.release_escalation(incident))
    assert read_only(migrated, lambda s: s.timings.escalated([incident])) == set()
    assert claim(_at(76)) is True
    assert claim(_at(77)) is False
    in_tx(migrated, lambda s: s.timings.set_escalation(incident, "1700000000.000200", _at(76)))
    in_tx(migrated, lambda s: s.timings.release_escalation(incident))  # posted: kept
    assert claim(_at(91)) is False
    assert read_only(migrated, lambda s: s.timings.escalated([incident])) == {incident}
    escalated = [c for c in _get(migrated, incident).changes if c.kind == "escalated"]
    assert [(c.at, c.actor, c.detail) for c in escalated] == [(_at(76), "budgetbot", "C0PAY")]


def test_set_escalation_without_a_claim(migrated: Engine) -> None:
    incident = _declare(migrated)
    with pytest.raises(LookupError):
        in_tx(migrated, lambda s: s.timings.set_escalation(incident, "1.2", T0))
    assert read_only(migrated, lambda s: s.timings.escalated([])) == set()


# -- the burn alerts that detected it ------------------------------------------------------------


def _episode(
    store: Store,
    slo: str,
    opened: float,
    resolved: float | None = None,
    posted: bool = True,
    posted_late: float | None = None,
) -> None:
    """One alert episode as the alerting cycle leaves it: opened (at the cycle's time), its
    opening post claimed (at the wall clock) and sent, by its opening cycle or, when the
    first try failed, by the cycle at `posted_late`; resolved when given."""
    episode = store.alerts.open_episode(slo, OpenAlert(Severity.PAGE, _at(opened), 0.5))
    assert episode is not None
    if posted:
        assert store.alerts.claim_post(episode, "open")
        sent = _at(opened if posted_late is None else posted_late)
        store.alerts.set_message(episode, "C0SRE", f"{1700000000 + episode}.000100", sent)
    if resolved is not None:
        assert store.alerts.resolve(episode, _at(resolved))


def test_posted_between_follows_the_detection_rules(migrated: Engine) -> None:
    def cycle(store: Store) -> None:
        _episode(store, "over-before", -60, resolved=-10)  # over before the start
        _episode(store, "over-at-start", -60, resolved=0)  # not firing at the start
        _episode(store, "firing-before", -30)  # still firing at the start
        _episode(store, "resolved-during", -30, resolved=5)  # firing at the start
        _episode(store, "during", 12, resolved=15)
        _episode(store, "at-the-end", 20)
        _episode(store, "after", 21)
        _episode(store, "never-posted", 3, posted=False)
        _episode(store, "not-asked", 4)
        # A second episode of one SLO: the first over before the start, the second during.
        _episode(store, "twice", -50, resolved=-40)
        _episode(store, "twice", 7)
        _episode(store, "refused-then-sent", 2, posted_late=9)  # seen when it was sent
        _episode(store, "sent-after", 15, posted_late=22)  # sent after `until`: saw nothing

    in_tx(migrated, cycle)
    asked = [
        "over-before",
        "over-at-start",
        "firing-before",
        "resolved-during",
        "during",
        "at-the-end",
        "after",
        "never-posted",
        "twice",
        "refused-then-sent",
        "sent-after",
        "unknown",
    ]
    found = read_only(migrated, lambda s: s.alerts.posted_between(asked, T0, _at(20)))
    assert [a.posted_at for a in found] == sorted(a.posted_at for a in found)  # oldest first
    # The two opened at -30 may come in either order: compare them sorted by name.
    assert sorted(found, key=lambda a: (a.posted_at, a.slo)) == [
        AlertSeen("firing-before", _at(-30), None),
        AlertSeen("resolved-during", _at(-30), _at(5)),
        AlertSeen("twice", _at(7), None),
        AlertSeen("refused-then-sent", _at(9), None),
        AlertSeen("during", _at(12), _at(15)),
        AlertSeen("at-the-end", _at(20), None),
    ]
    assert read_only(migrated, lambda s: s.alerts.posted_between([], T0, _at(20))) == []


def test_a_released_opening_post_detected_nothing(migrated: Engine) -> None:
    """Slack refused the alert (the claim given back): nobody saw it."""

    def cycle(store: Store) -> None:
        episode = store.alerts.open_episode("a", OpenAlert(Severity.TICKET, _at(3), 0.5))
        assert episode is not None
        assert store.alerts.claim_post(episode, "open")
        store.alerts.release_post(episode, "open")

    in_tx(migrated, cycle)
    assert read_only(migrated, lambda s: s.alerts.posted_between(["a"], T0, _at(20))) == []
