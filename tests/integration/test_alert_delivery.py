"""An alert whose post surely did not leave is sent in a later cycle; one that may have left
is never sent blind twice; a resolution without a posted message is said afresh.

The real alerting cycle on SQLite and PostgreSQL, a hand-written source and a notifier
that fails the way an unreachable or refusing Slack does.
"""

import urllib.error
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy import Engine, update
from sqlmodel import col

from bot.domain.alerts import OpenAlert
from bot.domain.budget import Rates
from bot.domain.burn import burn_windows
from bot.domain.slo import SLO, Catalog, EventsSLI, Service, Team, Tier
from bot.domain.status import Reading, SLOStatus
from bot.metrics.errors import PrometheusUnreachable
from bot.metrics.source import EventCounts, Progress
from bot.services.alerting import AlertingCycle
from bot.services.ports import Message
from bot.slack.messages.alerts import AlertMessages
from bot.slack.notifier import SlackNotifier, post_failed
from bot.slack.refused_posts import RefusedPosts
from bot.slack.rendering import Renderer
from storage.models import AlertPost
from storage.unit_of_work import UnitOfWork
from tests.support.slack_api import SlackStandIn

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)
SLO_ = SLO(
    "checkout-availability", "checkout", "payments", Tier.PRODUCTION, 99.9, 30 * 86400,
    EventsSLI("sum(rate(e[{{.window}}]))", "sum(rate(t[{{.window}}]))"),
)  # fmt: skip
CATALOG = Catalog(
    teams={"payments": Team("payments", "C0PAY")},
    services={"checkout": Service("checkout", "payments")},
    slos=(SLO_,),
)


class BurningSource:
    """Every window burns at 20x the budget until `calm` is set, then nothing fails;
    while `down`, Prometheus cannot be reached."""

    def __init__(self) -> None:
        self.calm = False
        self.down = False
        self.ratio = 0.02  # of failing requests while not calm

    def read(
        self,
        slos: Sequence[SLO],
        at: datetime,
        windows: Sequence[int],
        progress: Progress | None = None,
    ) -> dict[str, Reading]:
        if self.down:
            raise PrometheusUnreachable("http://127.0.0.1:9", "connection refused")
        ratio = 0.0 if self.calm else self.ratio
        rates = {w: Rates(ratio * 1000, 1000.0) for w in windows}
        return {s.name: Reading(Rates(0.0005 * 1000, 1000.0), rates) for s in slos}

    def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
        raise NotImplementedError


def refused() -> Exception:
    return urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))


def timed_out() -> Exception:
    return TimeoutError("The read operation timed out")


def slack_error(error: str, status: int) -> Exception:
    response = SlackResponse(
        client=None, http_verb="POST", api_url="chat.postMessage", req_args={},
        data={"ok": False, "error": error}, headers={}, status_code=status,
    )  # fmt: skip
    return SlackApiError(error, response)


def not_in_channel() -> Exception:
    return slack_error("not_in_channel", 200)


def rate_limited() -> Exception:
    return slack_error("ratelimited", 429)


class FlakySlack:
    """Raises the queued failures first, then posts; records every post and update."""

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.posts: list[tuple[str, str, str | None]] = []
        self.updates: list[tuple[str, str]] = []

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        if self.failures:
            raise post_failed(self.failures.pop(0))  # as the Slack adapter reports it
        self.posts.append((channel, text, thread_ts))
        return f"1700000000.{len(self.posts):06d}"

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        self.updates.append((ts, text))

    def upload(self, channel: str, filename: str, title: str, content: bytes) -> None:
        raise NotImplementedError


@pytest.fixture
def engine(migrated: Engine) -> Engine:
    """These tests want the schema in place (tests.support.database's `migrated`)."""
    return migrated


def cycle(engine: Engine, source: BurningSource, slack: FlakySlack) -> AlertingCycle:
    return AlertingCycle(CATALOG, source, UnitOfWork(engine), slack, AlertMessages(Renderer()))


@pytest.mark.parametrize("failure", [refused, rate_limited])
def test_a_post_that_surely_did_not_leave_is_sent_next_cycle(engine: Engine, failure: Any) -> None:
    slack = FlakySlack([failure()])
    run = cycle(engine, BurningSource(), slack)
    first = run.run(AT)
    assert first.opened == 1 and first.failed_posts == 1 and slack.posts == []
    second = run.run(AT + timedelta(minutes=1))
    assert second.opened == 1 and len(slack.posts) == 1
    assert "checkout-availability" in slack.posts[0][1]
    run.run(AT + timedelta(minutes=2))
    assert len(slack.posts) == 1  # sent once, never again


def test_a_refusal_that_waits_for_someone_is_not_retried_every_minute(engine: Engine) -> None:
    """not_in_channel will not pass until someone invites the bot: no post every cycle."""
    slack = FlakySlack([not_in_channel()])
    run = cycle(engine, BurningSource(), slack)
    for minute in range(4):
        run.run(AT + timedelta(minutes=minute))
    assert slack.posts == [] and slack.failures == []  # tried once, not again


def test_an_alert_waits_for_the_invite_and_is_posted_once_after_it(
    engine: Engine, slack_api: SlackStandIn
) -> None:
    """The team's channel is private and the bot not in it: Slack refuses; the claim is
    given back, Slack is asked again every 15 minutes (not every minute), and once the bot
    is invited the alert is posted, once."""
    private = Catalog(
        teams={"payments": Team("payments", "G0PAY")},
        services=CATALOG.services,
        slos=CATALOG.slos,
    )
    clock = [0.0]
    slack = SlackNotifier(WebClient(token="xoxb-test", base_url=slack_api.api_url))
    notifier = RefusedPosts(slack, clock=lambda: clock[0])
    run = AlertingCycle(
        private, BurningSource(), UnitOfWork(engine), notifier, AlertMessages(Renderer())
    )
    for minute in range(10):
        clock[0] = minute * 60.0
        assert run.run(AT + timedelta(minutes=minute)).failed_posts == 1
    assert len(slack_api.calls_to("chat.postMessage")) == 1  # asked once in 10 minutes
    slack_api.invite("G0PAY")
    for minute in range(10, 20):
        clock[0] = minute * 60.0
        run.run(AT + timedelta(minutes=minute))
    posts = slack_api.calls_to("chat.postMessage")
    assert [p.reply["ok"] for p in posts] == [False, True]  # posted at minute 15, once
    assert "checkout-availability" in posts[1].body["text"]


class OversizeMessages(AlertMessages):
    """As if a template rendered a section past Slack's 3,000 characters."""

    def oversize(self, message: Message) -> Message:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3_500}}]
        return Message(message.text, blocks + message.blocks)

    def firing(self, status: SLOStatus, alert: OpenAlert, now: datetime) -> Message:
        return self.oversize(super().firing(status, alert, now))

    def resolved(self, status: SLOStatus, alert: OpenAlert, now: datetime) -> Message:
        return self.oversize(super().resolved(status, alert, now))


def test_an_alert_whose_blocks_slack_refuses_goes_out_as_text(
    engine: Engine, slack_api: SlackStandIn
) -> None:
    """invalid_blocks would be answered to every retry until a fix is deployed: the alert
    is posted at once as its text, with why, and its resolution updates that message."""
    slack = SlackNotifier(WebClient(token="xoxb-test", base_url=slack_api.api_url))
    source = BurningSource()
    run = AlertingCycle(
        CATALOG, source, UnitOfWork(engine), RefusedPosts(slack), OversizeMessages(Renderer())
    )
    assert run.run(AT).failed_posts == 0
    posts = slack_api.calls_to("chat.postMessage")
    assert [p.reply.get("error") for p in posts] == ["invalid_blocks", None]
    assert "checkout-availability" in posts[1].body["text"]
    assert "refused this message's layout (Slack answered invalid_blocks)" in posts[1].body["text"]
    assert "blocks" not in posts[1].body
    source.calm = True
    for minute in range(1, 40):
        run.run(AT + timedelta(minutes=minute))
    updates = slack_api.calls_to("chat.update")
    assert updates and updates[-1].reply["ok"] and updates[-1].body["ts"] == posts[1].reply["ts"]
    assert len(slack_api.calls_to("chat.postMessage")) == 3  # and the resolution note


def test_a_post_that_may_have_left_is_never_sent_blind_again(engine: Engine) -> None:
    slack = FlakySlack([timed_out()])
    run = cycle(engine, BurningSource(), slack)
    run.run(AT)
    for minute in range(1, 4):
        run.run(AT + timedelta(minutes=minute))
    assert slack.posts == []


def age_open_claims(engine: Engine, minutes: int) -> None:
    """As if the opening posts had been claimed `minutes` ago (real time)."""
    with engine.begin() as connection:
        connection.execute(
            update(AlertPost)
            .where(col(AlertPost.kind) == "open")
            .values(claimed_at=datetime.now(UTC) - timedelta(minutes=minutes))
        )


def test_a_post_that_may_have_left_is_posted_once_more_marked(engine: Engine) -> None:
    """A timeout (or a replica killed mid-post): after UNCERTAIN_AFTER the alert is posted
    again, once, marked as a repeat; its resolution then updates the repeat."""
    slack = FlakySlack([timed_out()])
    source = BurningSource()
    run = cycle(engine, source, slack)
    run.run(AT)
    run.run(AT + timedelta(minutes=1))
    assert slack.posts == []  # not blind, not at once
    age_open_claims(engine, 3)
    run.run(AT + timedelta(minutes=2))
    (repeat,) = slack.posts
    assert repeat[1].startswith("Posted again: ") and "checkout-availability" in repeat[1]
    for minute in range(3, 6):
        run.run(AT + timedelta(minutes=minute))
    assert len(slack.posts) == 1  # once, never again
    source.calm = True
    for minute in range(6, 60):
        if run.run(AT + timedelta(minutes=minute)).resolved:
            break
    assert slack.updates and slack.updates[0][0] == "1700000000.000001"  # the repeat


def test_a_repeat_that_surely_did_not_leave_is_sent_later(engine: Engine) -> None:
    slack = FlakySlack([timed_out(), refused()])
    run = cycle(engine, BurningSource(), slack)
    run.run(AT)
    age_open_claims(engine, 3)
    run.run(AT + timedelta(minutes=1))  # the repeat: connection refused, given back
    assert slack.posts == []
    run.run(AT + timedelta(minutes=2))
    assert len(slack.posts) == 1 and slack.posts[0][1].startswith("Posted again: ")


def test_a_resolution_without_a_posted_message_is_said_afresh(engine: Engine) -> None:
    slack = FlakySlack([timed_out()])  # the opening post may or may not have left
    source = BurningSource()
    run = cycle(engine, source, slack)
    run.run(AT)
    source.calm = True
    for minute in range(1, 40):  # past the hysteresis
        report = run.run(AT + timedelta(minutes=minute))
        if report.resolved:
            break
    assert report.resolved == 1
    assert len(slack.posts) == 1 and slack.posts[0][2] is None  # a top-level message
    assert "resolved" in slack.posts[0][1].lower() and slack.updates == []


def test_the_windows_are_the_alert_rules() -> None:
    assert 300 in burn_windows() and 3 * 86400 in burn_windows()  # what the source answers


def test_a_data_missing_warning_that_did_not_leave_is_sent_later(engine: Engine) -> None:
    """Prometheus and Slack down together: the warning comes once Slack is back."""
    source = BurningSource()
    source.down = True
    slack = FlakySlack([refused()])
    run = cycle(engine, source, slack)
    warned = [run.run(AT + timedelta(minutes=m)).data_warnings for m in range(0, 20)]
    assert sum(warned) == 2  # claimed, refused and given back; claimed again and sent
    assert len(slack.posts) == 1 and "Prometheus" in slack.posts[0][1]
    for minute in range(20, 25):
        run.run(AT + timedelta(minutes=minute))
    assert len(slack.posts) == 1  # one warning per outage, never more


def test_an_incident_card_that_did_not_leave_is_posted_by_the_next_refresh(
    engine: Engine,
) -> None:
    from bot.domain.incidents import IncidentDraft
    from bot.services.incident_cards import IncidentCards
    from bot.services.incidents import Incidents
    from bot.slack.messages.incidents import IncidentMessages

    class Counts(BurningSource):
        def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
            return EventCounts(bad=5.0, total=1000.0, window_bad=50.0, window_total=1e6)

    slack = FlakySlack([refused()])
    now = AT
    incidents = Incidents(CATALOG, Counts(), UnitOfWork(engine), lambda: now)
    cards = IncidentCards(
        incidents,
        UnitOfWork(engine),
        slack,
        IncidentMessages(Renderer(), CATALOG),
        CATALOG,
        lambda: now,
    )
    draft = IncidentDraft("db down", ("checkout",), AT - timedelta(hours=1), AT, "", "U1", "")
    cards.declare(draft, "V1")
    assert slack.posts == []  # Slack refused the connection: no card yet
    cards.refresh()
    assert [p[0] for p in slack.posts] == ["C0PAY"]  # posted once Slack answers
    cards.refresh()
    assert len(slack.posts) == 1


class FailingReplies(FlakySlack):
    """Top-level posts go through; the first `fails` thread replies are refused."""

    def __init__(self, fails: int) -> None:
        super().__init__([])
        self.fails = fails

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        if thread_ts is not None and self.fails:
            self.fails -= 1
            raise post_failed(refused())
        return super().post(channel, text, blocks, thread_ts)


def test_an_escalation_reply_that_did_not_leave_is_sent_next_cycle(engine: Engine) -> None:
    source = BurningSource()
    source.ratio = 0.0015  # 1.5x: a ticket (3d/6h rule)
    slack = FailingReplies(fails=1)
    run = cycle(engine, source, slack)
    assert run.run(AT).opened == 1
    source.ratio = 0.02  # 20x: a page
    first = run.run(AT + timedelta(minutes=1))
    assert first.escalated == 1 and first.failed_posts == 1
    second = run.run(AT + timedelta(minutes=2))
    assert second.escalated == 1
    replies = [p for p in slack.posts if p[2] is not None]
    assert len(replies) == 1  # the escalation reply, once
    for minute in range(3, 6):
        run.run(AT + timedelta(minutes=minute))
    assert len([p for p in slack.posts if p[2] is not None]) == 1


def test_a_resolution_reply_that_did_not_leave_is_sent_next_cycle(engine: Engine) -> None:
    source = BurningSource()
    slack = FailingReplies(fails=1)
    run = cycle(engine, source, slack)
    run.run(AT)
    source.calm = True
    minute = 0
    while minute < 40 and not run.run(AT + timedelta(minutes=(minute := minute + 1))).resolved:
        pass
    assert [p for p in slack.posts if p[2] is not None] == []  # the reply was refused
    run.run(AT + timedelta(minutes=minute + 1))
    replies = [p for p in slack.posts if p[2] is not None]
    assert len(replies) == 1 and len(slack.updates) >= 2  # updated again, replied once
    run.run(AT + timedelta(minutes=minute + 2))
    assert len([p for p in slack.posts if p[2] is not None]) == 1
