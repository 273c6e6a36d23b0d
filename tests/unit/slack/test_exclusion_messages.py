"""Exclusions in Slack's messages: the incident card says which minutes cost no budget,
the team notice and the list escape what people typed; every payload passes slack_sdk."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.exclusions import Exclusion
from bot.domain.incidents import Incident, IncidentDraft, SLOImpact
from bot.domain.slo import SLO, Catalog, EventsSLI, Service, Team, Tier
from bot.slack.forms.exclusions import ExclusionForms
from bot.slack.messages.exclusions import ExclusionMessages
from bot.slack.messages.incidents import IncidentMessages
from bot.slack.rendering import Renderer
from tests.support.slack_api import block_kit_problems

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)
DRILL = Exclusion("db-failover", AT - timedelta(hours=3), 3600, "planned <failover> test",
                  created_by="U0ALICE", source="slack", id=4)  # fmt: skip
SLO_ = SLO("checkout-availability", "checkout", "pay", Tier.PRODUCTION, 99.9, 30 * 86400,
           EventsSLI("e[{{.window}}]", "t[{{.window}}]"))  # fmt: skip


def catalog(*exclusions: Exclusion) -> Catalog:
    return Catalog(
        teams={"pay": Team("pay", "C0PAY")},
        services={"checkout": Service("checkout", "pay")},
        slos=(replace(SLO_, exclusions=exclusions),),
    )


def card(start: datetime, end: datetime, found: Catalog, stored: list[Exclusion] = ()) -> str:  # type: ignore[assignment]
    draft = IncidentDraft("Checkout 500s", ("checkout",), start, end, "", "U1", "")
    incident = Incident(7, draft, AT, impacts=(SLOImpact(SLO_.name, 0.1, 0.5, "open"),))

    def excluding(slos: object, at: datetime) -> list[SLO]:
        return [replace(s, exclusions=s.exclusions + tuple(stored)) for s in slos]  # type: ignore[attr-defined]

    message = IncidentMessages(Renderer(), found, excluding).card(incident)
    assert block_kit_problems("message", {"blocks": message.blocks}) == []
    return json.dumps(message.blocks)


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (AT - timedelta(hours=3), AT - timedelta(hours=2), "60 min (the whole window)"),
        (AT - timedelta(hours=4), AT - timedelta(hours=2), "60 min cost no budget"),
        (AT - timedelta(hours=1), AT, None),
    ],
)
def test_the_card_says_which_minutes_of_its_window_were_excluded(
    start: datetime, end: datetime, shown: str | None
) -> None:
    for found, stored in ((catalog(DRILL), []), (catalog(), [DRILL])):  # the catalog's, or Slack's
        text = card(start, end, found, stored)
        if shown is None:
            assert "Excluded" not in text
        else:
            assert shown in text and "db-failover: planned &lt;failover&gt; test" in text


def test_notices_and_the_list_escape_what_people_typed() -> None:
    messages = ExclusionMessages(Renderer())
    added = messages.added(DRILL, ["checkout-availability"])
    assert "<@U0ALICE>" in added.text and "<failover>" not in added.text
    assert "Mon 02 Mar 09:00-10:00 UTC" in added.text
    (listing,) = messages.listing([DRILL], lambda e: ["checkout-availability"], lambda e: True, AT)
    assert block_kit_problems("message", {"blocks": listing.blocks}) == []
    assert '"value": "4"' in json.dumps(listing.blocks)
    (without,) = messages.listing([DRILL], lambda e: [], lambda e: False, AT)
    assert "exclusion_cancel" not in json.dumps(without.blocks)
    for message in (added, messages.cancelled(DRILL, "U0BOB"), messages.notice("<!here> no")):
        assert block_kit_problems("message", {"blocks": message.blocks}) == []
        assert "<!here>" not in json.dumps(message.blocks)


@pytest.mark.parametrize("count", [2, 150])  # a list, or searched as the person types
def test_the_form_is_a_valid_modal(count: int) -> None:
    many = tuple(replace(SLO_, name=f"slo-{i:03d}") for i in range(count))
    found = Catalog(teams=catalog().teams, services=catalog().services, slos=many)
    forms = ExclusionForms(Renderer(), found)
    view = forms.form(AT)
    assert block_kit_problems("modal", view) == []
    kinds = [b["element"]["type"] for b in view["blocks"][:2]]
    assert kinds[0] == ("multi_static_select" if count <= 100 else "multi_external_select")
    assert all("01" in o["value"] for o in forms.slo_options("01")) and forms.slo_options("01")
