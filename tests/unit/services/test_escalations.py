"""Response deadlines (DESIGN 9.4): an incident nobody acknowledged within its class's
deadline gets one escalation post in its team's channel, mentioning the team's escalation;
claimed first, so a second run or a second replica posts nothing."""

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from bot.domain.incidents import IncidentDraft, IncidentSeverity
from bot.domain.slo import Team, Tier
from bot.services.escalations import Escalations
from bot.services.incidents import Incidents
from bot.slack.messages.incidents import IncidentMessages
from bot.slack.rendering import Renderer
from storage.unit_of_work import UnitOfWork
from tests.support.fakes import (
    T0,
    Clock,
    FakeNotifier,
    FakeSource,
    Post,
    payments_catalog,
    refused,
    timed_out,
)

MENTIONS = ("<@U0ONCALL>", "<!subteam^S0PAYSRE>")
CATALOG = replace(
    payments_catalog(channel="C0PAY", respond={Tier.PRODUCTION: {"SEV1": 15 * 60, "SEV2": 3600}}),
    teams={"payments": Team("payments", "C0PAY", escalation=MENTIONS)},
)
SEV2 = IncidentSeverity.SEV2


@dataclass
class Desk:
    incidents: Incidents
    escalations: Escalations
    slack: FakeNotifier
    clock: Clock
    uow: UnitOfWork

    def another_replica(self) -> Escalations:
        views = IncidentMessages(Renderer(), CATALOG)
        return Escalations(CATALOG, self.uow, self.slack, views, self.clock)

    def at(self, minutes: float) -> list[str]:
        """Run the check `minutes` after T0 (the declaration)."""
        self.clock.set(T0 + timedelta(minutes=minutes))
        return self.escalations.run()

    def escalation_posts(self) -> list[Post]:
        return [p for p in self.slack.posts if p.text.startswith(":rotating_light:")]


@pytest.fixture
def desk(uow: UnitOfWork) -> Desk:
    clock, slack = Clock(), FakeNotifier()
    incidents = Incidents(CATALOG, FakeSource(), uow, clock)
    views = IncidentMessages(Renderer(), CATALOG)
    return Desk(incidents, Escalations(CATALOG, uow, slack, views, clock), slack, clock, uow)


def _declare(desk: Desk, override: IncidentSeverity | None = SEV2, title: str = "Cart") -> int:
    draft = IncidentDraft(
        title, ("checkout",), T0 - timedelta(minutes=10), None, "", "U1", "C0WAR", override
    )
    incident = desk.incidents.declare(draft)
    assert incident is not None
    return incident.id


def test_a_sev2_is_escalated_once_after_its_hour(desk: Desk) -> None:
    incident = _declare(desk)
    assert desk.at(59) == []
    assert desk.escalations.due(T0 + timedelta(minutes=59)) == []
    assert desk.slack.posts == []
    assert desk.at(61) == [f"INC-{incident}"]
    assert desk.at(62) == []
    assert desk.at(120) == []
    assert desk.another_replica().run(T0 + timedelta(hours=2)) == []
    [post] = desk.escalation_posts()
    assert post.channel == "C0PAY" and post.thread_ts is None
    assert desk.slack.posts == [post]
    stored = desk.incidents.get(incident)
    assert stored is not None
    escalated = [(c.at, c.kind, c.detail) for c in stored.changes if c.kind == "escalated"]
    assert escalated == [(T0 + timedelta(minutes=61), "escalated", "C0PAY")]


def test_the_post_mentions_the_team_and_names_the_incident(desk: Desk) -> None:
    incident = _declare(desk, title="<!channel> cart down")
    desk.at(61)
    [post] = desk.escalation_posts()
    assert post.text.startswith(":rotating_light: <@U0ONCALL> <!subteam^S0PAYSRE> ")
    assert f"INC-{incident} (SEV2)" in post.text
    assert "within 1 h of its declaration" in post.text
    assert "<!channel>" not in post.text and "&lt;!channel&gt; cart down" in post.text
    assert "<@U0ONCALL>" in str(post.blocks)


def test_exactly_at_the_deadline_it_is_due(desk: Desk) -> None:
    _declare(desk)
    assert [i.key for i in desk.escalations.due(T0 + timedelta(hours=1))] == ["INC-1"]
    assert desk.escalations.due(T0 + timedelta(minutes=59, seconds=59)) == []


def test_two_replicas_at_once_post_it_once(desk: Desk) -> None:
    _declare(desk)
    at = T0 + timedelta(minutes=61)
    first, second = desk.escalations.run(at), desk.another_replica().run(at)
    assert sorted(first + second) == ["INC-1"]
    assert len(desk.escalation_posts()) == 1


def test_an_acknowledged_incident_is_never_escalated(desk: Desk) -> None:
    incident = _declare(desk)
    desk.clock.set(T0 + timedelta(minutes=10))
    _, done = desk.incidents.mark(incident, "acknowledged", "U2")
    assert done
    for minutes in (61, 120, 24 * 60):
        assert desk.at(minutes) == []
    assert desk.slack.posts == []


def test_an_acknowledgement_after_the_deadline_but_before_the_check(desk: Desk) -> None:
    incident = _declare(desk)
    desk.clock.set(T0 + timedelta(minutes=65))
    desk.incidents.mark(incident, "acknowledged", "U2")
    assert desk.at(66) == []


def test_mitigated_alone_does_not_stop_it(desk: Desk) -> None:
    incident = _declare(desk)
    desk.clock.set(T0 + timedelta(minutes=10))
    desk.incidents.mark(incident, "mitigated", "U2")
    assert desk.at(61) == [f"INC-{incident}"]


def test_a_resolved_incident_is_never_escalated(desk: Desk) -> None:
    incident = _declare(desk)
    desk.clock.set(T0 + timedelta(minutes=30))
    assert desk.incidents.resolve(incident, "U2") is not None
    assert desk.at(61) == [] and desk.at(180) == []


def test_a_reclassification_restarts_the_clock(desk: Desk) -> None:
    incident = _declare(desk)
    desk.clock.set(T0 + timedelta(minutes=30))
    assert desk.incidents.reclassify(incident, SEV2, "more customers", "U2") is not None
    assert desk.at(61) == []
    assert desk.at(89) == []
    assert desk.at(91) == [f"INC-{incident}"]


def test_a_class_without_a_deadline_made_sev2_is_escalated_an_hour_later(desk: Desk) -> None:
    """Declared without an override: the fake source's impact makes it SEV4 (no deadline)."""
    incident = _declare(desk, override=None)
    stored = desk.incidents.get(incident)
    assert stored is not None and stored.severity is IncidentSeverity.SEV4
    assert desk.at(24 * 60) == []
    desk.clock.set(T0 + timedelta(days=1, minutes=30))
    desk.incidents.reclassify(incident, SEV2, "customers noticed", "U2")
    assert desk.at(24 * 60 + 89) == []
    assert desk.at(24 * 60 + 91) == [f"INC-{incident}"]


def test_a_reclassification_to_sev1_brings_the_deadline_closer(desk: Desk) -> None:
    """SEV2 declared at T0 (due at 60 min), SEV1 at 30 min: due at 45 min."""
    incident = _declare(desk)
    desk.clock.set(T0 + timedelta(minutes=30))
    desk.incidents.reclassify(incident, IncidentSeverity.SEV1, "payments down", "U2")
    assert desk.at(44) == []
    assert desk.at(46) == [f"INC-{incident}"]
    [post] = desk.escalation_posts()
    assert "(SEV1)" in post.text and "within 15 min" in post.text


def test_a_post_surely_not_sent_gives_the_claim_back(desk: Desk) -> None:
    incident = _declare(desk)
    desk.slack.fail_next(refused())
    assert desk.at(61) == []
    assert desk.escalation_posts() == []
    with desk.uow.read() as store:
        assert store.timings.escalated([incident]) == set()
    assert desk.at(62) == [f"INC-{incident}"]
    assert desk.at(63) == []
    assert len(desk.escalation_posts()) == 1


def test_a_post_that_may_have_arrived_is_never_sent_again(desk: Desk) -> None:
    incident = _declare(desk)
    desk.slack.fail_next(timed_out())
    assert desk.at(61) == []
    for minutes in (62, 120, 600):
        assert desk.at(minutes) == []
    assert desk.slack.posts == []
    with desk.uow.read() as store:
        assert store.timings.escalated([incident]) == {incident}


def test_each_late_incident_is_escalated_on_its_own(desk: Desk) -> None:
    first = _declare(desk)
    desk.clock.set(T0 + timedelta(minutes=20))
    draft = IncidentDraft(
        "Search", ("checkout",), T0, None, "", "U1", "C0WAR", IncidentSeverity.SEV1
    )
    second = desk.incidents.declare(draft)
    assert second is not None
    assert desk.at(36) == [second.key]  # 20 + 15 min
    assert desk.at(61) == [f"INC-{first}"]
    assert len(desk.escalation_posts()) == 2
