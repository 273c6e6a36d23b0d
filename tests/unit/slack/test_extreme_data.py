"""Extreme but legal data renders inside Slack's limits (checked by the stand-in's checks,
slack_sdk's own models among them): long markup-heavy text, unicode, 0 and 300 SLOs,
150 services, and never more than 5 posts for one response_url."""

from datetime import UTC, datetime

import pytest

from bot.domain.incidents import ImpactState, Incident, IncidentDraft, SLOImpact
from bot.domain.slo import SLO, Catalog, EventsSLI, Service, Team, Tier
from bot.services.board import StatusBoard
from bot.slack.forms.incidents import NO_SERVICES, IncidentForms, read_declaration
from bot.slack.limits import length
from bot.slack.messages.incidents import IncidentMessages
from bot.slack.rendering import Renderer
from bot.slack.routing.incident import IncidentCommand
from bot.slack.routing.replies import RESPONSE_POSTS
from bot.slack.routing.slo import SloCommand
from tests.support.slack_api import block_kit_problems
from tests.unit.slack.test_slo import FakeSource

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)
SLI = EventsSLI("e[{{.window}}]", "t[{{.window}}]")
MARKUP = "<!channel> & <@U0BOSS> *bold* `code` ✨ 😀 "


def catalog(services: int, slos: int, teams: int = 1) -> Catalog:
    names = [f"svc-{i:03d}" for i in range(services)]
    team_names = [f"team-{t:02d}" for t in range(teams)]
    return Catalog(
        teams={t: Team(t, f"C{i:04d}") for i, t in enumerate(team_names)},
        services={n: Service(n, team_names[i % teams]) for i, n in enumerate(names)},
        slos=tuple(
            SLO(
                f"slo-{i:03d}",
                names[i % services],
                team_names[(i % services) % teams],
                Tier.PRODUCTION,
                99.9,
                30 * 86400,
                SLI,
            )
            for i in range(slos)
        ),
    )


def incident(slos: int) -> Incident:
    draft = IncidentDraft(
        (MARKUP * 10)[:150], ("svc-000",), AT, None, (MARKUP * 100)[:2900], "U1", "C0X"
    )
    impacts = tuple(SLOImpact(f"slo-{i:03d}", i / 1000, 1 - i / 1000, "open") for i in range(slos))
    return Incident(12, draft, AT, ImpactState.KNOWN, impacts=impacts)


def valid_message(blocks: list[dict[str, object]]) -> None:
    assert len(blocks) <= 50
    assert block_kit_problems("message", {"blocks": blocks}) == []


def test_a_card_with_300_slos_and_a_long_description_fits() -> None:
    messages = IncidentMessages(Renderer(), catalog(1, 300))
    card = messages.card(incident(300))
    text, blocks = card.text, card.blocks
    valid_message(blocks)
    shown = " ".join(str(b) for b in blocks)
    assert "slo-299" in shown and "slo-000" not in shown  # the most budget spent first
    assert "…and 280 more SLOs: `/incident show INC-12`" in shown
    mrkdwn = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert "<!channel>" not in text + " ".join(mrkdwn)  # the plain-text header pings nobody
    assert length(text) <= 40_000


def test_incident_show_lists_more_within_five_posts() -> None:
    messages = IncidentMessages(Renderer(), catalog(1, 300))

    class Found:
        catalog = messages._catalog

        def get(self, number: int) -> Incident:
            return incident(300)

    command = IncidentCommand(Found(), messages, None, Renderer(), lambda: AT)  # type: ignore[arg-type]
    replies = command.answer("show INC-12", "U1")
    assert 1 < len(replies) <= RESPONSE_POSTS
    for reply in replies:
        valid_message(reply.blocks)


@pytest.mark.parametrize(("slos", "teams"), [(0, 1), (300, 1), (300, 60), (250, 250)])
def test_slo_status_never_takes_more_than_five_posts(slos: int, teams: int) -> None:
    cat = catalog(max(slos, 1), slos, teams)
    ratios = {s.name: (0.0005, 0.0) for s in cat.slos}
    command = SloCommand(StatusBoard(cat, FakeSource(ratios), lambda: AT), Renderer())
    replies = command.answer("status")
    assert 1 <= len(replies) <= RESPONSE_POSTS
    for reply in replies:
        valid_message(reply.blocks)
    text = " ".join(str(r.blocks) for r in replies)
    assert str(slos) in text


def test_slo_status_of_one_big_team_shows_the_worst_and_counts_the_rest() -> None:
    cat = catalog(300, 300)
    ratios = {s.name: (0.0001 * (i % 10), 0.0) for i, s in enumerate(cat.slos)}
    command = SloCommand(StatusBoard(cat, FakeSource(ratios), lambda: AT), Renderer())
    replies = command.answer("status team-00")
    assert len(replies) <= RESPONSE_POSTS
    text = " ".join(str(r.blocks) for r in replies)
    assert "…and 100 more SLO(s) with more budget left" in text
    assert "slo-009" in text  # 0.0009 spent: among the worst


def test_a_catalog_without_services_gets_a_notice_instead_of_a_form() -> None:
    forms = IncidentForms(Renderer(), Catalog({}, {}, ()))
    assert forms.declare_form("C1", AT) == NO_SERVICES


def test_up_to_100_services_are_a_static_list_and_more_are_searched() -> None:
    small = IncidentForms(Renderer(), catalog(100, 0)).declare_form("C1", AT, ["svc-042"])
    assert isinstance(small, dict)
    (element,) = [b["element"] for b in small["blocks"] if b["block_id"] == "services"]
    assert element["type"] == "multi_static_select" and len(element["options"]) == 100
    assert element["initial_options"] == [o for o in element["options"] if o["value"] == "svc-042"]
    assert block_kit_problems("modal", small) == []

    forms = IncidentForms(Renderer(), catalog(150, 0))
    big = forms.declare_form("C1", AT, ["svc-142"])
    assert isinstance(big, dict)
    (element,) = [b["element"] for b in big["blocks"] if b["block_id"] == "services"]
    assert element["type"] == "multi_external_select" and "options" not in element
    assert [o["value"] for o in element["initial_options"]] == ["svc-142"]
    assert block_kit_problems("modal", big) == []
    found = forms.service_options("SVC-14")
    assert [o["value"] for o in found] == [f"svc-14{i}" for i in range(10)]
    assert len(forms.service_options("")) == 100


def test_a_service_name_too_long_for_an_option_value_still_round_trips() -> None:
    name = "a-very-long-service-name-" * 8  # 200 characters
    cat = Catalog({"t": Team("t", "C1")}, {name: Service(name, "t")}, ())
    forms = IncidentForms(Renderer(), cat)
    form = forms.declare_form("C1", AT, [name])
    assert isinstance(form, dict) and block_kit_problems("modal", form) == []
    (option,) = next(b for b in form["blocks"] if b["block_id"] == "services")["element"]["options"]
    assert len(option["value"]) <= 150 and length(option["text"]["text"]) <= 75
    submitted = {
        "state": {"values": {"services": {"value": {"selected_options": [option]}}}},
        "private_metadata": "{}",
    }
    draft = read_declaration(submitted, "U1", AT, forms.service_of)
    assert draft.services == (name,)


def test_25_action_items_of_long_markup_fit_one_message_and_count_the_rest() -> None:
    from bot.domain.actions import ActionItem, ActionKind, ActionStatus, Priority
    from bot.slack.messages.postmortems import PostmortemMessages

    items = [
        ActionItem(
            i,
            12,
            MARKUP * 60,
            "U77",
            AT.date(),
            Priority.P1,
            ActionKind.PREVENT,
            ActionStatus.OPEN,
            None,
            "U1",
            AT,
        )
        for i in range(1, 26)
    ]
    blocks = PostmortemMessages(Renderer()).listing("Your open action items", items, AT.date())
    valid_message(blocks)
    text = " ".join(str(b) for b in blocks)
    assert "ACT-20" in text and "ACT-21" not in text and "…and 5 more, due later" in text
    assert "<!channel>" not in text


def test_15_actions_make_a_postmortem_form_inside_100_blocks() -> None:
    from bot.slack.forms.postmortems import MAX_ACTIONS, PostmortemForms

    form = PostmortemForms(Renderer()).form(incident(3), count=MAX_ACTIONS)
    assert len(form["blocks"]) <= 100 and block_kit_problems("modal", form) == []


def test_a_long_modal_title_is_cut_to_24() -> None:
    forms = IncidentForms(Renderer(), catalog(1, 1))
    long_key = incident(1)
    form = forms.reclassify_form(Incident(10**15, long_key.draft, AT))
    assert length(form["title"]["text"]) <= 24 and form["title"]["text"].endswith("…")
    assert block_kit_problems("modal", form) == []


def test_the_alerts_of_an_slo_with_a_long_markup_name_fit() -> None:
    from bot.domain.alerts import OpenAlert
    from bot.domain.burn import burn_windows
    from bot.domain.slo import Severity
    from bot.services.status import evaluate_status
    from bot.slack.messages.alerts import AlertMessages

    name = ("checkout-<!channel>-&-✨-" * 12)[:250]
    slo = SLO(name, "svc-000", "team-00", Tier.PRODUCTION, 99.9, 30 * 86400, SLI)
    cat = Catalog(
        {"team-00": Team("team-00", "C1")}, {"svc-000": Service("svc-000", "team-00")}, (slo,)
    )
    ratios = {name: (0.0005, 0.05)}
    (status,) = evaluate_status(cat, FakeSource(ratios), AT)
    assert status.firing and 3600 in burn_windows()
    messages = AlertMessages(Renderer())
    alert = OpenAlert(Severity.PAGE, AT, 0.5, episode=1)
    for message in (
        messages.firing(status, alert, AT),
        messages.repeated(messages.firing(status, alert, AT)),
        messages.resolved(status, alert, AT),
        messages.escalated(status),
        messages.data_missing(slo, AT, "x" * 5000, False),
    ):
        valid_message(message.blocks)
        mrkdwn = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
        assert "<!channel>" not in " ".join(mrkdwn)
