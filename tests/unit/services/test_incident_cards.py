"""Incident cards, fast: one card per channel, updated in place; a refused card waits,
the declarer is told once, and a later refresh posts it once."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.domain.incidents import IncidentDraft, IncidentSeverity
from bot.services.incident_cards import RETRY_REFUSED, IncidentCards
from bot.services.incidents import Incidents
from bot.slack.messages.incidents import IncidentMessages
from bot.slack.rendering import Renderer
from storage.unit_of_work import UnitOfWork
from tests.support.fakes import (
    T0,
    Clock,
    FakeNotifier,
    FakeSource,
    not_in_channel,
    payments_catalog,
    refused,
    timed_out,
)

CATALOG = payments_catalog(channel="C0PAY")


@dataclass
class Desk:
    cards: IncidentCards
    slack: FakeNotifier
    clock: Clock


@pytest.fixture
def desk(uow: UnitOfWork) -> Desk:
    clock, slack, source = Clock(), FakeNotifier(), FakeSource()
    incidents = Incidents(CATALOG, source, uow, clock)
    messages = IncidentMessages(Renderer(), CATALOG)
    return Desk(IncidentCards(incidents, uow, slack, messages, CATALOG, clock), slack, clock)


def draft(declared_in: str = "C0WAR") -> IncidentDraft:
    return IncidentDraft(
        "checkout <!channel> down", ("checkout",), T0 - timedelta(hours=1), None, "", "U1",
        declared_in,
    )  # fmt: skip


def test_a_declaration_posts_one_card_in_the_team_channel_and_where_it_was_declared(
    desk: Desk,
) -> None:
    desk.cards.declare(draft(), "V1")
    desk.cards.declare(draft(), "V1")  # the same form, submitted twice
    assert [p.channel for p in desk.slack.posts] == ["C0PAY", "C0WAR"]
    assert "&lt;!channel&gt;" in desk.slack.posts[0].text  # what was typed pings nobody


def test_resolving_and_reclassifying_update_every_card_in_place(desk: Desk) -> None:
    desk.cards.declare(draft(), "V1")
    posted = {p.channel: p.ts for p in desk.slack.posts}
    desk.cards.resolve(1, "U2")
    desk.cards.reclassify(1, IncidentSeverity.SEV2, "customer facing", "U2")
    assert [(u.channel, u.ts) for u in desk.slack.updates] == list(posted.items()) * 2
    assert "resolved" in str(desk.slack.updates[0].blocks)
    # Each change has its line in each card's thread, nothing new at the top level.
    lines = [(p.channel, p.thread_ts) for p in desk.slack.posts[2:]]
    assert lines == list(posted.items()) * 2
    texts = [p.text for p in desk.slack.posts[2:]]
    assert "Resolved by <@U2>" in texts[0] and "Reclassified by <@U2>: SEV2" in texts[2]


def test_a_refused_card_is_told_once_and_posted_once_when_slack_takes_it(desk: Desk) -> None:
    desk.slack.fail_next(not_in_channel())
    desk.cards.declare(draft(declared_in=""), "V1")
    told = [p for p in desk.slack.posts if p.channel == "U1"]
    assert desk.slack.top_level() == told and len(told) == 1
    assert "/invite @budgetbot" in told[0].text
    desk.clock.advance(minutes=5)
    desk.cards.refresh()  # not yet: refused cards wait RETRY_REFUSED
    assert [p.channel for p in desk.slack.posts] == ["U1"]
    desk.clock.advance(RETRY_REFUSED)
    desk.cards.refresh()
    desk.clock.advance(RETRY_REFUSED)
    desk.cards.refresh()
    assert [p.channel for p in desk.slack.posts] == ["U1", "C0PAY"]  # once, nobody told again


def test_a_card_without_a_connection_is_posted_by_the_next_refresh(desk: Desk) -> None:
    desk.slack.fail_next(refused())
    desk.cards.declare(draft(declared_in=""), "V1")
    assert desk.slack.posts == []
    desk.cards.refresh()
    desk.cards.refresh()
    assert [p.channel for p in desk.slack.posts] == ["C0PAY"]


def test_a_card_that_may_have_arrived_is_never_posted_blind_again(desk: Desk) -> None:
    desk.slack.fail_next(timed_out())
    desk.cards.declare(draft(declared_in=""), "V1")
    for _ in range(3):
        desk.clock.advance(RETRY_REFUSED)
        desk.cards.refresh()
    assert desk.slack.posts == []
