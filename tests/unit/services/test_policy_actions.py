"""Policy events and their deliveries over the real schema (in-memory SQLite), driven by the
real alerting cycle: a hand-written WebhookSender records what would be sent."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import generate_latest

from bot.domain.policies import GIVE_UP_AFTER_S, MAX_RETRY_S, retry_delay
from bot.domain.policy_actions import PolicyAction, PolicyEvent, SlackAction, Webhook
from bot.domain.signature import verify
from bot.observability import BotMetrics
from bot.services.alerting import AlertingCycle
from bot.services.policy_deliveries import Deliveries
from bot.services.policy_events import PolicyEvents
from bot.services.ports import WebhookAnswer
from bot.slack.messages.alerts import AlertMessages
from bot.slack.messages.policies import PolicyMessages
from bot.slack.rendering import Renderer
from tests.support.fakes import (
    T0,
    FakeNotifier,
    FakeSource,
    memory_uow,
    payments_catalog,
    timed_out,
)
from tests.support.slack_api import block_kit_problems
from tests.support.slack_models import blocks_model_problems

SECRET = "s3cret-value"
HOOK = PolicyAction(
    "pause", PolicyEvent.FROZEN, webhook=Webhook("http://10.1.2.3/hook", "HOOK_SECRET")
)
SPRINT = PolicyAction(
    "sprint",
    PolicyEvent.FROZEN,
    slack=SlackAction("C0PAY", "{service} is frozen for the {day} day: call a reliability sprint?"),
    teams=frozenset({"payments"}),
)
BACK = PolicyAction(
    "back", PolicyEvent.RECOVERED, webhook=Webhook("http://10.1.2.3/back", "HOOK_SECRET")
)
PAGED = PolicyAction(
    "paged", PolicyEvent.PAGE, webhook=Webhook("http://10.1.2.3/page", "HOOK_SECRET")
)
ELSEWHERE = PolicyAction("other", PolicyEvent.FROZEN, services=frozenset({"ledger"}),
                         webhook=Webhook("http://10.1.2.3/x", "HOOK_SECRET"))  # fmt: skip


@dataclass
class Receiver:
    """A WebhookSender that answers `answers` in turn (then 200) and records every request."""

    answers: list[WebhookAnswer] = field(default_factory=list)
    sent: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def send(self, url: str, body: bytes, headers: Any) -> WebhookAnswer:
        self.sent.append((url, body, dict(headers)))
        return self.answers.pop(0) if self.answers else WebhookAnswer(200, "ok")


class World:
    def __init__(self, *policies: PolicyAction, metrics: BotMetrics | None = None) -> None:
        self.catalog = payments_catalog(policies=policies)
        self.uow, self.source, self.slack = memory_uow(), FakeSource(), FakeNotifier()
        self.events = PolicyEvents(self.catalog, self.uow)
        self.cycle = AlertingCycle(
            self.catalog, self.source, self.uow, self.slack, AlertMessages(Renderer()),
            on_states=self.events.observe,
        )  # fmt: skip
        self.receiver = Receiver()
        self.outcomes: list[str] = []

        def outcome(name: str) -> None:
            self.outcomes.append(name)
            if metrics is not None:
                metrics.policy_deliveries.labels(name).inc()

        self.deliveries = Deliveries(
            self.catalog, self.uow, self.receiver, self.slack, PolicyMessages(Renderer()),
            {"HOOK_SECRET": SECRET}.get, on_outcome=outcome,
            jitter=lambda: 1.0, wall_clock=lambda: 1767225600.0,
        )  # fmt: skip

    def cycle_at(self, minutes: float, spent: float, burn: float = 0.0) -> None:
        self.source.spent, self.source.burn = spent, burn
        self.cycle.run(T0 + timedelta(minutes=minutes))

    def listing(self) -> list[tuple[str, str, str, int]]:
        with self.uow.read() as store:
            rows = store.policies.deliveries()
        return sorted((d.policy, d.event, d.state, d.attempts) for d, _ in rows)


def test_the_first_observation_makes_no_event_and_a_change_makes_one_per_policy() -> None:
    world = World(HOOK, SPRINT, BACK, ELSEWHERE)
    world.cycle_at(0, spent=1.5)  # frozen already when first seen: recorded, no event
    world.cycle_at(1, spent=0.5)  # open again: recovered, and no `open` policy
    assert world.listing() == [("back", "recovered", "pending", 0)]
    world.cycle_at(2, spent=1.2)
    world.cycle_at(3, spent=1.2)  # still frozen: nothing new
    world.cycle.run(T0 + timedelta(minutes=2))  # the same instant again (a retried cron run)
    assert world.listing() == [
        ("back", "recovered", "pending", 0),
        ("pause", "frozen", "pending", 0),
        ("sprint", "frozen", "pending", 0),
    ]


def test_no_data_and_prometheus_down_make_no_event_and_keep_the_state() -> None:
    world = World(HOOK)
    world.cycle_at(0, spent=0.5)
    world.source.go_down()
    world.cycle_at(1, spent=1.5)
    world.source.come_back()
    world.source.no_data.add("checkout-availability")
    world.cycle_at(2, spent=1.5)
    assert world.listing() == []
    world.source.no_data.clear()
    world.cycle_at(3, spent=1.5)  # compared with the state before the gap: open -> frozen
    assert world.listing() == [("pause", "frozen", "pending", 0)]


def test_a_page_burn_opening_is_an_event() -> None:
    world = World(PAGED)
    world.cycle_at(0, spent=0.5)
    world.cycle_at(1, spent=0.5, burn=20.0)
    world.cycle_at(2, spent=0.5, burn=20.0)
    assert world.listing() == [("paged", "page", "pending", 0)]


def test_a_webhook_is_signed_retried_with_the_same_id_and_not_sent_after_success() -> None:
    world = World(HOOK)
    world.cycle_at(0, spent=0.5)
    world.cycle_at(1, spent=1.5)
    world.receiver.answers = [
        WebhookAnswer(503, "busy"),
        WebhookAnswer(None, "no answer within 5 s"),
    ]
    at = T0 + timedelta(minutes=1)
    assert world.deliveries.run(at).retrying == 1
    assert world.deliveries.run(at + timedelta(seconds=9)).retrying == 0  # not due yet
    assert world.deliveries.run(at + timedelta(seconds=10)).retrying == 1
    assert world.deliveries.run(at + timedelta(seconds=30)).delivered == 1
    assert world.deliveries.run(at + timedelta(minutes=30)).delivered == 0
    assert len(world.receiver.sent) == 3
    ids = {headers["X-Budgetbot-Event-Id"] for _, _, headers in world.receiver.sent}
    bodies = {body for _, body, _ in world.receiver.sent}
    assert len(ids) == 1 and len(bodies) == 1
    url, body, headers = world.receiver.sent[0]
    assert url == "http://10.1.2.3/hook" and headers["X-Budgetbot-Timestamp"] == "1767225600"
    assert verify(SECRET, 1767225600, body, headers["X-Budgetbot-Signature"])
    sent = json.loads(body)
    assert list(sent) == [
        "id",
        "policy",
        "event",
        "previous",
        "service",
        "team",
        "tier",
        "at",
        "slos",
    ]
    assert (sent["id"], sent["event"], sent["previous"], sent["service"]) == (
        ids.pop(),
        "frozen",
        "open",
        "checkout",
    )
    assert (
        sent["team"] == "payments"
        and sent["tier"] == "production"
        and sent["at"] == "2026-03-02T12:01:00Z"
    )
    assert sent["slos"] == [
        {"slo": "checkout-availability", "budget_remaining": pytest.approx(-0.5), "gate": "frozen"}
    ]
    assert world.outcomes == ["retrying", "retrying", "delivered"]
    with world.uow.read() as store:
        ((_, attempts),) = store.policies.deliveries()
    assert [(a.ok, a.status, a.detail) for a in attempts] == [
        (False, 503, "busy"), (False, None, "no answer within 5 s"), (True, 200, "ok")
    ]  # fmt: skip


def test_a_receiver_that_keeps_failing_is_given_up_after_an_hour() -> None:
    metrics = BotMetrics()
    world = World(HOOK, metrics=metrics)
    world.cycle_at(0, spent=0.5)
    world.cycle_at(1, spent=1.5)
    world.receiver.answers = [WebhookAnswer(500, "down")] * 100
    at = T0 + timedelta(minutes=1)
    for step in range(0, 4 * 3600, 5):
        world.deliveries.run(at + timedelta(seconds=step))
    exposed = generate_latest(metrics.registry).decode()
    assert 'budgetbot_policy_deliveries_total{outcome="failed"} 1.0' in exposed
    assert world.outcomes[-1] == "failed" and world.outcomes.count("failed") == 1
    ((_, _, state, attempts),) = world.listing()
    assert state == "failed" and 8 <= attempts <= 12
    with world.uow.read() as store:
        ((delivery, tried),) = store.policies.deliveries()
    assert tried[-1].at - delivery.created_at <= timedelta(seconds=GIVE_UP_AFTER_S)


def test_the_backoff_doubles_to_ten_minutes_with_jitter() -> None:
    assert [retry_delay(n, 1.0) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert retry_delay(1, 0.0) == 5 and retry_delay(30, 1.0) == MAX_RETRY_S
    assert retry_delay(30, 0.0) == MAX_RETRY_S / 2


def test_a_slack_action_is_posted_once_and_never_again_when_it_may_have_arrived() -> None:
    world = World(SPRINT)
    world.cycle_at(0, spent=0.5)
    world.cycle_at(1, spent=1.5)
    world.deliveries.run(T0 + timedelta(minutes=1))
    world.deliveries.run(T0 + timedelta(minutes=5))
    (post,) = world.slack.posts
    assert post.channel == "C0PAY"
    assert post.text == "checkout is frozen for the 1st day: call a reliability sprint?"
    assert block_kit_problems("message", {"blocks": post.blocks}) == []
    assert blocks_model_problems(post.blocks) == []
    world.cycle_at(2, spent=0.5)
    world.cycle_at(3, spent=1.5)
    world.slack.fail_next(timed_out())
    world.deliveries.run(T0 + timedelta(minutes=3))
    world.deliveries.run(T0 + timedelta(minutes=10))
    assert len(world.slack.posts) == 1
    assert [state for _, _, state, _ in world.listing()] == ["delivered", "failed"]


def test_a_test_event_is_signed_and_not_stored() -> None:
    world = World(HOOK)
    answer = world.deliveries.test("pause", T0)
    assert answer.ok
    ((_, body, headers),) = world.receiver.sent
    assert headers["X-Budgetbot-Event-Id"].startswith("test-")
    assert json.loads(body)["event"] == "test"
    assert verify(
        SECRET, int(headers["X-Budgetbot-Timestamp"]), body, headers["X-Budgetbot-Signature"]
    )
    assert world.listing() == []
    with pytest.raises(KeyError):
        world.deliveries.test("nope", T0)


def test_an_older_observation_changes_nothing() -> None:
    """A replay with an earlier --at, or a late replica, after a later cycle: no event, and
    the recorded state stays the later one."""
    world = World(HOOK, BACK)
    world.cycle_at(0, spent=0.5)  # open: recorded
    world.cycle_at(60, spent=1.5)  # frozen
    world.cycle_at(30, spent=0.5)  # an older observation: open, but it is the past
    world.cycle_at(61, spent=1.5)  # still frozen: nothing new
    assert world.listing() == [("pause", "frozen", "pending", 0)]
    world.cycle_at(70, spent=1.5)
    world.cycle_at(65, spent=0.5)  # older than an unchanged observation too
    assert world.listing() == [("pause", "frozen", "pending", 0)]


def test_back_from_a_freeze_by_way_of_caution_is_recovered() -> None:
    warn = PolicyAction(
        "warn", PolicyEvent.CAUTION, webhook=Webhook("http://10.1.2.3/w", "HOOK_SECRET")
    )
    world = World(BACK, warn)
    world.cycle_at(0, spent=1.5)  # frozen, first seen
    world.cycle_at(1, spent=0.9)  # caution (under 25 % left)
    assert world.listing() == [("warn", "caution", "pending", 0)]
    world.cycle_at(2, spent=0.5)  # open
    assert world.listing() == [
        ("back", "recovered", "pending", 0),
        ("warn", "caution", "pending", 0),
    ]


def test_a_slack_action_whose_attempt_was_lost_is_never_posted_again() -> None:
    """A replica leased the post and died (nothing recorded): the post may have arrived, so
    the next replica marks it failed instead of posting it a second time."""
    world = World(SPRINT)
    world.cycle_at(0, spent=0.5)
    world.cycle_at(1, spent=1.5)  # frozen: the sprint message is due
    with world.uow.read() as store:
        [event_id] = store.policies.due(T0 + timedelta(minutes=1), T0)
    gone = datetime.fromtimestamp(1767225600.0, UTC) - timedelta(minutes=5)  # a dead lease
    with world.uow.begin() as store:
        assert store.policies.lease(event_id, T0 + timedelta(minutes=1), gone, gone)
    report = world.deliveries.run(T0 + timedelta(minutes=2))
    assert (report.delivered, report.failed) == (0, 1) and world.slack.posts == []
    assert world.listing() == [("sprint", "frozen", "failed", 2)]


def test_a_burn_that_flaps_within_one_page_alert_is_one_page_event() -> None:
    """The page follows the alert, not the raw rule: a quiet minute inside the hysteresis
    keeps the alert open, so the burn firing again is no second `page`; once the alert has
    resolved, a new burn is."""
    world = World(PAGED)
    world.cycle_at(0, spent=0.5)
    world.cycle_at(1, spent=0.5, burn=20.0)  # the page alert opens
    world.cycle_at(2, spent=0.5, burn=0.0)  # quiet for a minute: still open (hysteresis)
    world.cycle_at(3, spent=0.5, burn=20.0)
    assert world.listing() == [("paged", "page", "pending", 0)]
    for minute in range(4, 20):  # quiet long enough: the alert resolves
        world.cycle_at(minute, spent=0.5, burn=0.0)
    world.cycle_at(20, spent=0.5, burn=20.0)  # a new burn: a new alert, a new page
    assert world.listing() == [("paged", "page", "pending", 0)] * 2
