"""Filing a postmortem, fast: the summary goes to each card's thread once, each owner is
told once of what they own; a resubmitted form changes nothing."""

from datetime import date, timedelta

import pytest

from bot.domain.actions import ActionKind, NewAction, Priority
from bot.domain.incidents import IncidentDraft
from bot.services.incident_cards import IncidentCards
from bot.services.incidents import Incidents
from bot.services.postmortem_filing import PostmortemFiling
from bot.services.postmortems import Postmortems
from bot.slack.messages.incidents import IncidentMessages
from bot.slack.messages.postmortems import PostmortemMessages
from bot.slack.rendering import Renderer
from storage.unit_of_work import UnitOfWork
from tests.support.fakes import T0, Clock, FakeNotifier, FakeSource, payments_catalog

CATALOG = payments_catalog(channel="C0PAY")
TEXTS = {"summary": "The <db> failed over", "root_cause": "a full disk"}


def action(owner: str, what: str = "alert on disk use") -> NewAction:
    return NewAction(what, owner, date(2026, 3, 20), Priority.P1, ActionKind.MITIGATE)


@pytest.fixture
def filed(uow: UnitOfWork) -> tuple[PostmortemFiling, FakeNotifier]:
    """An incident declared in C0WAR, its cards posted there and in C0PAY."""
    clock, slack = Clock(), FakeNotifier()
    incidents = Incidents(CATALOG, FakeSource(), uow, clock)
    cards = IncidentCards(
        incidents, uow, slack, IncidentMessages(Renderer(), CATALOG), CATALOG, clock
    )
    draft = IncidentDraft("db down", ("checkout",), T0 - timedelta(hours=1), T0, "", "U1", "C0WAR")
    cards.declare(draft, "V1")
    postmortems = Postmortems(CATALOG, uow, clock)
    return PostmortemFiling(postmortems, uow, slack, PostmortemMessages(Renderer())), slack


def test_the_summary_goes_to_every_card_thread_and_each_owner_is_told_once(
    filed: tuple[PostmortemFiling, FakeNotifier],
) -> None:
    filing, slack = filed
    cards = {p.channel: p.ts for p in slack.posts}
    actions = [action("U7"), action("U8", "add a replica"), action("U7", "runbook")]
    filing.write(1, TEXTS, actions, "U1")
    filing.write(1, TEXTS, actions, "U1")  # the same form again
    replies = slack.replies()
    assert {(r.channel, r.thread_ts) for r in replies} == set(cards.items()) and len(replies) == 2
    assert "The &lt;db&gt; failed over" in replies[0].text and "<@U1>" in replies[0].text
    dms = [p for p in slack.posts if p.channel.startswith("U")]
    assert [d.channel for d in dms] == ["U7", "U8"]
    assert "alert on disk use" in dms[0].text and "runbook" in dms[0].text


def test_actions_added_later_tell_their_owners(
    filed: tuple[PostmortemFiling, FakeNotifier],
) -> None:
    filing, slack = filed
    filing.add_actions(1, [action("U9")], "U1")
    assert [p.channel for p in slack.posts][-1] == "U9"
    assert "<@U1> gave you a new action" in slack.posts[-1].text
    assert slack.replies() == []  # no postmortem: nothing in the threads
