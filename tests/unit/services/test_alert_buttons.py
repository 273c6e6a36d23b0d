"""The alert buttons, fast: Acknowledge and Silence are recorded and shown in the alert's
state line in place; a press on an alert resolved meanwhile changes nothing."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.services.alert_responses import AlertResponses
from bot.services.alerting import AlertingCycle
from bot.slack.ids import ACKNOWLEDGE
from bot.slack.messages.alerts import AlertMessages
from bot.slack.rendering import Renderer
from bot.slack.routing.alert_buttons import AlertButtons
from storage.unit_of_work import UnitOfWork
from tests.support.fakes import Clock, FakeNotifier, FakeSource, payments_catalog


@dataclass
class Firing:
    """One page-level alert posted (episode 1), and its buttons."""

    buttons: AlertButtons
    cycle: AlertingCycle
    slack: FakeNotifier
    source: FakeSource
    clock: Clock


@pytest.fixture
def firing(uow: UnitOfWork) -> Firing:
    clock, slack, source = Clock(), FakeNotifier(), FakeSource(burn=20.0)
    messages = AlertMessages(Renderer())
    cycle = AlertingCycle(payments_catalog(), source, uow, slack, messages)
    cycle.run(clock())
    buttons = AlertButtons(AlertResponses(uow, clock), slack, messages, clock)
    return Firing(buttons, cycle, slack, source, clock)


def message(slack: FakeNotifier) -> dict[str, object]:
    post = slack.top_level()[0]
    return {"ts": post.ts, "text": post.text, "blocks": post.blocks}


def state_line(blocks: list[dict[str, object]]) -> str:
    return str(next(b for b in blocks if b.get("block_id") == "state"))


def test_acknowledge_is_recorded_and_shown_in_place(firing: Firing) -> None:
    buttons, slack = firing.buttons, firing.slack
    buttons.press(ACKNOWLEDGE, 1, "U5", "C0PAY", message(slack))
    assert len(slack.updates) == 1 and slack.updates[0].ts == slack.top_level()[0].ts
    assert "U5" in state_line(slack.updates[0].blocks)
    assert "U5" in buttons.firing_lines()[0]


def test_silence_is_recorded_and_shown(firing: Firing) -> None:
    buttons, slack = firing.buttons, firing.slack
    buttons.press("alert_silence_4h", 1, "U5", "C0PAY", message(slack))
    assert "ilenced" in state_line(slack.updates[0].blocks)


def test_a_press_on_a_resolved_alert_changes_nothing(firing: Firing) -> None:
    buttons, slack = firing.buttons, firing.slack
    firing.source.burn = 0.0
    for _ in range(120):
        firing.cycle.run(firing.clock.advance(minutes=1))
    assert buttons.firing_lines() == []
    updates = len(slack.updates)
    buttons.press(ACKNOWLEDGE, 1, "U5", "C0PAY", message(slack))
    assert len(slack.updates) == updates


def test_silence_lasts_the_hours_of_its_button(firing: Firing, uow: UnitOfWork) -> None:
    buttons, slack, clock = firing.buttons, firing.slack, firing.clock
    buttons.press("alert_silence_1h", 1, "U5", "C0PAY", message(slack))
    with uow.read() as store:
        _, alert, _ = store.alerts.episode(1) or (None, None, None)
    assert alert is not None and alert.silenced_until == clock() + timedelta(hours=1)
