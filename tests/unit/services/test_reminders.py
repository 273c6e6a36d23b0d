"""Action-item reminders on fast fakes: a recording notifier and an in-memory database
holding an incident of checkout (team payments) and its action items."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.domain.actions import ActionKind, NewAction, Priority
from bot.domain.incidents import IncidentDraft
from bot.services.reminders import Reminders
from bot.slack.messages.reminders import ReminderMessages
from bot.slack.rendering import Renderer
from storage.unit_of_work import UnitOfWork
from tests.support.fakes import T0, Clock, FakeNotifier, payments_catalog, refused, timed_out

MESSAGES = ReminderMessages(Renderer())
TODAY = T0.date()


@dataclass
class Setup:
    reminders: Reminders
    slack: FakeNotifier
    uow: UnitOfWork
    clock: Clock
    incident: int

    def add(self, owner: str, days: int, description: str = "fix it") -> int:
        """An open action of `owner` due `days` from today (negative: overdue); its id."""
        action = NewAction(
            description, owner, TODAY + timedelta(days=days), Priority.P1, ActionKind.PREVENT
        )
        with self.uow.begin() as store:
            return store.postmortems.add_action(self.incident, action, "U0", T0)

    def run(self) -> tuple[int, int, int]:
        """Run the reminders now: (owners told, team posts, failures)."""
        report = self.reminders.run(self.clock())
        return report.owners, report.team_posts, report.failed

    def channels(self) -> list[str]:
        return [p.channel for p in self.slack.posts]


@pytest.fixture
def setup(uow: UnitOfWork) -> Setup:
    started = T0 - timedelta(days=20)
    draft = IncidentDraft("outage", ("checkout",), started, started, "", "U0", "")
    with uow.begin() as store:
        incident = store.incidents.declare(draft, started)
    assert incident is not None
    slack = FakeNotifier()
    reminders = Reminders(payments_catalog(), uow, slack, MESSAGES)
    return Setup(reminders, slack, uow, Clock(T0), incident)


def test_an_owner_hears_once_a_day_about_overdue_and_soon_due_actions(setup: Setup) -> None:
    setup.add("U1", 1, "add a dashboard")  # due tomorrow
    late = setup.add("U1", -2, "rotate the keys")
    setup.add("U2", 30)  # not due for a month: nobody hears of it
    assert setup.run() == (1, 0, 0)
    [dm] = setup.slack.posts
    assert dm.channel == "U1"  # a direct message
    assert dm.text == "Your postmortem actions: 1 overdue, 1 due within two days."
    blocks = str(dm.blocks)
    assert f"ACT-{late}" in blocks and "*2 days overdue*" in blocks and "due in 1 days" in blocks
    setup.clock.advance(hours=6)
    assert setup.run() == (0, 0, 0)  # the same day: nothing again
    setup.clock.advance(days=1)
    assert setup.run() == (1, 0, 0)  # the next day: once more
    assert setup.channels() == ["U1", "U1"]


def test_an_action_long_overdue_is_named_in_the_team_channel_once_a_week(setup: Setup) -> None:
    assert TODAY.isoweekday() == 1  # T0 is a Monday: ISO weeks start on it
    action = setup.add("U2", -10)
    assert setup.run() == (1, 1, 0)
    team = next(p for p in setup.slack.posts if p.channel == "C0PAY")
    assert team.text == f":hourglass: ACT-{action} is 10 days overdue (owner <@U2>)."
    setup.clock.advance(days=1)  # Tuesday: the owner again, the team not
    assert setup.run() == (1, 0, 0)
    setup.clock.advance(days=6)  # the next Monday: a new week
    assert setup.run() == (1, 1, 0)
    assert setup.channels().count("C0PAY") == 2


def test_done_and_snoozed_actions_wait(setup: Setup) -> None:
    done = setup.add("U1", -3)
    snoozed = setup.add("U2", -3)
    with setup.uow.begin() as store:
        assert store.postmortems.complete(done, "U1", T0)
        assert store.postmortems.snooze(snoozed, TODAY + timedelta(days=2), "U2", T0)
    assert setup.run() == (0, 0, 0)
    setup.clock.advance(days=2)  # the snooze is over
    assert setup.run() == (1, 0, 0) and setup.channels() == ["U2"]


def test_a_reminder_slack_refused_is_sent_by_the_next_run(setup: Setup) -> None:
    setup.add("U1", -1)
    setup.slack.fail_next(refused())
    assert setup.run() == (0, 0, 1) and setup.slack.posts == []
    assert setup.run() == (1, 0, 0)  # the claim was given back: sent now, the same day
    assert setup.run() == (0, 0, 0) and setup.channels() == ["U1"]


def test_a_reminder_that_may_have_arrived_is_not_sent_again(setup: Setup) -> None:
    setup.add("U1", -1)
    setup.slack.fail_next(timed_out())
    assert setup.run() == (0, 0, 1)
    assert setup.run() == (0, 0, 0) and setup.slack.posts == []


def test_a_run_for_one_team_reminds_of_its_actions_only(setup: Setup) -> None:
    setup.add("U1", -1)
    report = setup.reminders.run(setup.clock(), team="search")
    assert (report.owners, report.team_posts) == (0, 0) and setup.slack.posts == []
    report = setup.reminders.run(setup.clock(), team="payments")
    assert report.owners == 1 and setup.channels() == ["U1"]
