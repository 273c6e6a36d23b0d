"""An incident card Slack refuses is never lost: the team channel still gets its card, the
declarer is told once by direct message what to do, and the card is posted once the bot
is invited (a later refresh), without posting anything twice. Against the Slack stand-in,
which refuses private channels the bot is not in, as a real workspace does."""

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.domain.incidents import IncidentDraft
from bot.domain.slo import SLO, Catalog, EventsSLI, Service, Team, Tier
from bot.metrics.source import EventCounts
from bot.services.incident_cards import RETRY_REFUSED, IncidentCards
from bot.services.incidents import Incidents
from bot.slack.messages.incidents import IncidentMessages
from bot.slack.notifier import SlackNotifier
from bot.slack.rendering import Renderer
from storage.unit_of_work import UnitOfWork
from tests.support.slack_api import SlackStandIn

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)
CATALOG = Catalog(
    teams={"pay": Team("pay", "C0PAY")},
    services={"checkout": Service("checkout", "pay")},
    slos=(
        SLO(
            "checkout-availability",
            "checkout",
            "pay",
            Tier.PRODUCTION,
            99.9,
            30 * 86400,
            EventsSLI("e[{{.window}}]", "t[{{.window}}]"),
        ),
    ),
)


class Counts:
    def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
        return EventCounts(bad=5.0, total=1000.0, window_bad=50.0, window_total=1e6)


@pytest.fixture
def engine(migrated: Engine) -> Engine:
    """These tests want the schema in place (tests.support.database's `migrated`)."""
    return migrated


def test_a_card_refused_in_a_private_channel_is_told_and_posted_after_the_invite(
    engine: Engine, slack_api: SlackStandIn
) -> None:
    clock = [AT]
    notifier = SlackNotifier(WebClient(token="xoxb-test", base_url=slack_api.api_url))
    incidents = Incidents(CATALOG, Counts(), UnitOfWork(engine), lambda: clock[0])  # type: ignore[arg-type]
    messages = IncidentMessages(Renderer(), CATALOG)
    cards = IncidentCards(
        incidents, UnitOfWork(engine), notifier, messages, CATALOG, lambda: clock[0]
    )
    draft = IncidentDraft(
        "db down", ("checkout",), AT - timedelta(hours=1), AT, "", "U55", "G0PRIV"
    )

    cards.declare(draft, "V1")
    posts = slack_api.calls_to("chat.postMessage")
    assert [(c.body["channel"], c.reply["ok"]) for c in posts] == [
        ("C0PAY", True),  # the team channel still gets its card
        ("G0PRIV", False),  # refused: the bot is not in the private channel
        ("U55", True),  # the declarer is told, by direct message
    ]
    told = posts[2].body["text"]
    assert "INC-1" in told and "<#G0PRIV>" in told and "/invite @budgetbot" in told
    assert "<#C0PAY>" in told  # where the card is meanwhile

    clock[0] = AT + timedelta(minutes=1)
    cards.refresh()  # too soon to try again, and nobody is told twice
    assert len(slack_api.calls_to("chat.postMessage")) == 3

    slack_api.invite("G0PRIV")
    clock[0] = AT + RETRY_REFUSED + timedelta(minutes=1)
    cards.refresh()
    posts = slack_api.calls_to("chat.postMessage")
    assert [(c.body["channel"], c.reply["ok"]) for c in posts[3:]] == [("G0PRIV", True)]
    cards.refresh()
    assert len(slack_api.calls_to("chat.postMessage")) == 4  # posted once, never twice
    assert [v.error for v in slack_api.violations] == ["channel_not_found"]  # the one refusal
