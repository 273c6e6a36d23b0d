"""The alerting cycle on fast fakes: a settable source, a recording notifier and an
in-memory database with the real schema (tests.support.fakes)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot.services.alerting import AlertingCycle
from bot.slack.messages.alerts import AlertMessages
from bot.slack.rendering import Renderer
from storage.unit_of_work import UnitOfWork
from tests.support.fakes import (
    CHECKOUT,
    T0,
    FakeNotifier,
    FakeSource,
    payments_catalog,
    refused,
    timed_out,
)

MESSAGES = AlertMessages(Renderer())
PAGE, TICKET, CALM = 20.0, 1.5, 0.0  # burn rates (times the budget) of the source


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


@dataclass
class Setup:
    cycle: AlertingCycle
    source: FakeSource
    slack: FakeNotifier
    uow: UnitOfWork

    def firing(self) -> list[str]:
        """The SLOs whose episode is open in the database."""
        with self.uow.read() as store:
            return [name for name, *_ in store.alerts.firing()]


@pytest.fixture
def setup(uow: UnitOfWork) -> Setup:
    source, slack = FakeSource(), FakeNotifier()
    catalog = payments_catalog(page_channel="C0PAGE")
    return Setup(AlertingCycle(catalog, source, uow, slack, MESSAGES), source, slack, uow)


def test_a_burn_opens_one_alert_however_often_the_cycle_runs(setup: Setup) -> None:
    setup.source.burn = PAGE
    reports = [setup.cycle.run(minutes(n)) for n in range(4)]
    assert [r.opened for r in reports] == [1, 0, 0, 0]
    [post] = setup.slack.posts
    assert post.channel == "C0PAGE"  # the team's channel for pages
    assert post.thread_ts is None
    assert post.text.startswith(f"PAGE: {CHECKOUT.name} is burning its error budget")
    assert setup.firing() == [CHECKOUT.name]


def test_a_ticket_that_worsens_escalates_once_in_place(setup: Setup) -> None:
    setup.source.burn = TICKET
    assert setup.cycle.run(minutes(0)).opened == 1
    [opening] = setup.slack.posts
    assert opening.channel == "C0PAY" and opening.text.startswith("TICKET: ")
    setup.source.burn = PAGE
    assert [setup.cycle.run(minutes(n)).escalated for n in (1, 2, 3)] == [1, 0, 0]
    [update] = setup.slack.updates
    assert (update.channel, update.ts) == ("C0PAY", opening.ts)  # the same message
    assert update.text.startswith(f"PAGE: {CHECKOUT.name}")
    [reply] = setup.slack.replies(opening.ts)
    assert "Escalated to PAGE" in reply.text
    assert setup.slack.top_level() == [opening]  # no new message for the escalation


def test_a_calm_source_resolves_after_the_hysteresis_by_updating_the_alert(setup: Setup) -> None:
    setup.source.burn = PAGE
    setup.cycle.run(minutes(0))
    [opening] = setup.slack.posts
    setup.source.burn = CALM
    early = [setup.cycle.run(minutes(n)).resolved for n in (1, 5, 10)]  # quiet since minute 1
    assert early == [0, 0, 0] and setup.slack.updates == []
    assert setup.cycle.run(minutes(11)).resolved == 1  # ten quiet minutes
    [update] = setup.slack.updates
    assert update.ts == opening.ts and update.text.startswith(f"Resolved: {CHECKOUT.name}")
    [reply] = setup.slack.replies(opening.ts)
    assert reply.text.startswith(":white_check_mark: Resolved.")
    assert setup.firing() == []
    assert setup.cycle.run(minutes(12)).resolved == 0
    assert len(setup.slack.posts) == 2 and len(setup.slack.updates) == 1


def test_prometheus_down_keeps_the_alert_and_never_says_all_good(setup: Setup) -> None:
    """An outage is neither a burn nor a resolution: the alert stays open, one warning goes
    to the team, and when Prometheus answers again the same alert goes on."""
    setup.source.burn = PAGE
    setup.cycle.run(minutes(0))
    [opening] = setup.slack.posts
    setup.source.go_down()
    reports = [setup.cycle.run(minutes(n)) for n in (1, 10, 15, 16, 17, 30)]
    assert all(r.prometheus_error and "unreachable" in r.prometheus_error for r in reports)
    assert sum(r.resolved for r in reports) == 0 and setup.slack.updates == []
    assert [r.data_warnings for r in reports] == [0, 0, 0, 1, 0, 0]  # 15 minutes in, once
    [warning] = setup.slack.top_level()[1:]
    assert warning.channel == "C0PAY" and "unreachable" in warning.text
    assert "resolved" not in warning.text.lower()
    assert setup.firing() == [CHECKOUT.name]

    setup.source.come_back()  # still burning: the same alert, no second opening post
    assert setup.cycle.run(minutes(31)).opened == 0
    assert setup.slack.top_level() == [opening, warning]
    setup.source.burn = CALM
    for n in (32, 37, 42):  # quiet since minute 32: resolved at 42
        setup.cycle.run(minutes(n))
    assert [u.ts for u in setup.slack.updates] == [opening.ts]  # resolved in place
    assert setup.firing() == []


def test_a_post_refused_by_slack_is_given_back_and_sent_next_cycle(setup: Setup) -> None:
    setup.source.burn = PAGE
    setup.slack.fail_next(refused(), "post")
    first = setup.cycle.run(minutes(0))
    assert (first.opened, first.failed_posts) == (1, 1) and setup.slack.posts == []
    second = setup.cycle.run(minutes(1))
    assert (second.opened, second.failed_posts) == (1, 0)
    [post] = setup.slack.posts
    assert post.text.startswith(f"PAGE: {CHECKOUT.name}")
    assert setup.cycle.run(minutes(2)).opened == 0 and len(setup.slack.posts) == 1
    setup.source.burn = CALM  # the message got its ts: the resolution updates it
    for n in (3, 13):  # quiet since minute 3: resolved at 13
        setup.cycle.run(minutes(n))
    assert [u.ts for u in setup.slack.updates] == [post.ts]


def test_a_post_that_may_have_arrived_is_not_sent_again_blind(setup: Setup) -> None:
    setup.source.burn = PAGE
    setup.slack.fail_next(timed_out(), "post")
    assert setup.cycle.run(minutes(0)).failed_posts == 1
    for n in range(1, 4):
        setup.cycle.run(minutes(n))
    assert setup.slack.posts == [] and len(setup.slack.failed) == 1


def test_an_slo_without_data_gets_one_warning_of_its_own(setup: Setup) -> None:
    setup.source.no_data.add(CHECKOUT.name)
    warned = [setup.cycle.run(minutes(n)).data_warnings for n in (0, 10, 14, 15, 16, 30)]
    assert warned == [0, 0, 0, 1, 0, 0]  # 15 minutes without data, then once per outage
    [warning] = setup.slack.posts
    assert f"No usable data for *{CHECKOUT.name}*" in warning.text
    assert setup.firing() == []
