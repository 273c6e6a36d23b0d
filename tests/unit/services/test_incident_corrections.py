"""Detection at declaration from the stored burn alerts, and corrections of an incident's
start or end: the detection and the impact worked out again, audited, told in the thread."""

from datetime import datetime, timedelta

import pytest

from bot.domain.alerts import OpenAlert
from bot.domain.incidents import IncidentDraft
from bot.domain.slo import Severity
from bot.services.incident_cards import IncidentCards
from bot.services.incidents import Incidents
from bot.slack.messages.incidents import IncidentMessages
from bot.slack.rendering import Renderer
from storage.unit_of_work import UnitOfWork
from tests.support.fakes import T0, Clock, FakeNotifier, FakeSource, payments_catalog

CATALOG = payments_catalog(channel="C0PAY")
MIN = timedelta(minutes=1)


def alert(uow: UnitOfWork, slo: str, opened: datetime, resolved: datetime | None = None) -> None:
    """A burn alert as the alerting cycle stores it: its episode, its opening post claimed."""
    with uow.begin() as store:
        episode = store.alerts.open_episode(slo, OpenAlert(Severity.PAGE, opened, 0.5))
        assert episode is not None
        assert store.alerts.claim_post(episode, "open")
        store.alerts.set_message(episode, "C0PAY", f"{1700000000 + episode}.000100", opened)
        if resolved is not None:
            assert store.alerts.resolve(episode, resolved)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def cards(uow: UnitOfWork, clock: Clock) -> tuple[IncidentCards, FakeNotifier]:
    slack = FakeNotifier()
    incidents = Incidents(CATALOG, FakeSource(), uow, clock)
    messages = IncidentMessages(Renderer(), CATALOG)
    return IncidentCards(incidents, uow, slack, messages, CATALOG, clock), slack


def declare(cards: IncidentCards, start: datetime, end: datetime | None = None) -> int:
    draft = IncidentDraft("checkout down", ("checkout",), start, end, "", "U1", "")
    cards.declare(draft, None)
    return 1


def test_the_alert_firing_before_the_declaration_detected_it(
    uow: UnitOfWork, cards: tuple[IncidentCards, FakeNotifier]
) -> None:
    desk, _ = cards
    alert(uow, "checkout-availability", T0 - 50 * MIN, T0 - 45 * MIN)  # resolved before start
    alert(uow, "checkout-availability", T0 - 20 * MIN)  # during: this one
    declare(desk, T0 - 40 * MIN)
    incident = desk._incidents.get(1)
    assert incident is not None
    assert (incident.detected_at, incident.detected_by) == (T0 - 20 * MIN, "checkout-availability")


def test_no_alert_means_detected_at_the_declaration(
    uow: UnitOfWork, cards: tuple[IncidentCards, FakeNotifier]
) -> None:
    desk, _ = cards
    alert(uow, "other-slo", T0 - 20 * MIN)  # an SLO of no affected service
    declare(desk, T0 - 40 * MIN)
    incident = desk._incidents.get(1)
    assert incident is not None and (incident.detected_at, incident.detected_by) == (T0, None)


def test_a_corrected_start_works_out_the_detection_again_and_is_audited(
    uow: UnitOfWork, cards: tuple[IncidentCards, FakeNotifier], clock: Clock
) -> None:
    desk, slack = cards
    alert(uow, "checkout-availability", T0 - 20 * MIN)
    declare(desk, T0 - 40 * MIN)
    clock.advance(minutes=5)
    # The impact began later than declared: after the alert, which was still firing.
    corrected = desk.correct(1, "start", T0 - 10 * MIN, "U2")
    assert not isinstance(corrected, str)
    assert corrected.draft.started_at == T0 - 10 * MIN
    assert (corrected.detected_at, corrected.detected_by) == (
        T0 - 10 * MIN,
        "checkout-availability",
    )
    (change,) = [c for c in corrected.changes if c.kind == "corrected"]
    assert change.actor == "U2" and change.at == T0 + 5 * MIN
    assert change.detail.startswith("start ") and (T0 - 10 * MIN).isoformat() in change.detail
    lines = [p for p in slack.posts if p.thread_ts]
    assert len(lines) == 1 and "Corrected by <@U2>: start" in lines[0].text


@pytest.mark.parametrize(
    ("field", "minutes", "problem"),
    [
        ("start", 10, "cannot be after the declaration"),
        ("start", -2, "The end must come after the start"),  # after its end
        ("end", -45, "The end must come after the start"),
        ("end", 30, "The end cannot be in the future"),
    ],
)
def test_a_bad_correction_changes_nothing(
    cards: tuple[IncidentCards, FakeNotifier], field: str, minutes: int, problem: str
) -> None:
    desk, _ = cards
    declare(desk, T0 - 40 * MIN, T0 - 5 * MIN)
    answer = desk.correct(1, field, T0 + minutes * MIN, "U2")
    assert isinstance(answer, str) and problem in answer
    incident = desk._incidents.get(1)
    assert incident is not None and incident.draft.started_at == T0 - 40 * MIN
    assert incident.draft.ended_at == T0 - 5 * MIN
    assert not [c for c in incident.changes if c.kind == "corrected"]


def test_the_end_of_an_ongoing_incident_is_set_by_resolving_it(
    cards: tuple[IncidentCards, FakeNotifier],
) -> None:
    desk, _ = cards
    declare(desk, T0 - 40 * MIN)
    answer = desk.correct(1, "end", T0 - 5 * MIN, "U2")
    assert isinstance(answer, str) and "resolve it" in answer
    assert isinstance(desk.correct(7, "start", T0 - MIN, "U2"), str)  # no such incident
