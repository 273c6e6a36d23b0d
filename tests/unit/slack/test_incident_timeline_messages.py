"""An incident's timings on its card, its timeline lines and its escalation post (DESIGN
9.4): the texts people read, and Block Kit that slack_sdk's models accept."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.incidents import Change, Incident, IncidentDraft, IncidentSeverity
from bot.domain.slo import Catalog, Service, Team
from bot.slack.messages import incident_timeline
from bot.slack.messages.incidents import IncidentMessages
from bot.slack.rendering import Renderer
from tests.support.slack_api import block_kit_problems
from tests.support.slack_models import blocks_model_problems

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CATALOG = Catalog(
    teams={"pay": Team("pay", "C0PAY")}, services={"checkout": Service("checkout", "pay")}, slos=()
)
ALL_BUTTONS = [
    "incident_acknowledge",
    "incident_mitigated",
    "incident_resolve",
    "incident_reclassify",
    "incident_postmortem",
]


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _incident(title: str = "Checkout errors", **fields: Any) -> Incident:
    ended = fields.pop("ended", None)
    draft = IncidentDraft(title, ("checkout",), T0, ended, "5xx", "U1", "C0WAR")
    incident = Incident(7, draft, _at(20), severity_computed=IncidentSeverity.SEV2)
    return replace(incident, **fields)


def _messages() -> IncidentMessages:
    return IncidentMessages(Renderer(), CATALOG)


def _valid(blocks: list[dict[str, Any]]) -> None:
    assert blocks_model_problems(blocks) == []
    assert block_kit_problems("message", {"blocks": blocks}) == []


def _buttons(blocks: list[dict[str, Any]]) -> list[str]:
    actions = [b for b in blocks if b["type"] == "actions"]
    return [e["action_id"] for b in actions for e in b["elements"]]


def _mrkdwn(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


DETECTED: dict[str, Any] = {"detected_at": _at(5), "detected_by": "checkout-availability"}
ACKNOWLEDGED: dict[str, Any] = {"acknowledged_at": _at(8), "acknowledged_by": "U2"}
MITIGATED: dict[str, Any] = {"mitigated_at": _at(40), "mitigated_by": "U3"}


# -- the card ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "buttons"),
    [
        pytest.param({**DETECTED}, ALL_BUTTONS, id="nothing done yet"),
        pytest.param({**DETECTED, **ACKNOWLEDGED}, ALL_BUTTONS[1:], id="acknowledged"),
        pytest.param(
            {**DETECTED, **MITIGATED}, [ALL_BUTTONS[0], *ALL_BUTTONS[2:]], id="mitigated only"
        ),
        pytest.param({**DETECTED, **ACKNOWLEDGED, **MITIGATED}, ALL_BUTTONS[2:], id="both"),
        pytest.param({**DETECTED, "resolved_at": _at(60), "ended": _at(55)}, [], id="resolved"),
    ],
)
def test_the_card_offers_acknowledge_and_mitigated_only_while_not_done(
    fields: dict[str, Any], buttons: list[str]
) -> None:
    card = _messages().card(_incident(**fields))
    _valid(card.blocks)
    assert _buttons(card.blocks) == buttons
    labels = [
        e["text"]["text"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert ("Acknowledge" in labels) == ("incident_acknowledge" in buttons)
    assert ("Mitigated" in labels) == ("incident_mitigated" in buttons)
    values = {e["value"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]}
    assert values <= {"7"}


def test_the_card_shows_every_known_timing() -> None:
    incident = _incident(**DETECTED, **ACKNOWLEDGED, **MITIGATED, ended=_at(95))
    card = _messages().card(incident)
    _valid(card.blocks)
    assert (
        "*Timings:* Detected 5 min after impact began by the burn alert of "
        "checkout-availability · acknowledged by <@U2> 3 min after detection · mitigated by "
        "<@U3> 40 min after impact began · impact ended 1 h 35 min after it began"
    ) in _mrkdwn(card.blocks)


def test_the_card_of_an_incident_detected_when_declared() -> None:
    card = _messages().card(_incident(detected_at=_at(20)))
    _valid(card.blocks)
    assert "*Timings:* Detected 20 min after impact began when it was declared" in _mrkdwn(
        card.blocks
    )


def test_an_incident_from_before_timings_has_no_timings_line() -> None:
    card = _messages().card(_incident())
    _valid(card.blocks)
    assert "Timings" not in str(card.blocks)
    assert _buttons(card.blocks) == ALL_BUTTONS


def test_timings_escape_what_is_not_a_slack_user() -> None:
    incident = _incident(
        detected_at=_at(1),
        detected_by="<!channel>-slo",
        acknowledged_at=_at(2),
        acknowledged_by="cli <!here>",
    )
    text = incident_timeline.timings(incident)
    assert "<!channel>" not in text and "<!here>" not in text
    assert "&lt;!channel&gt;-slo" in text and "acknowledged by cli &lt;!here&gt;" in text


# -- timeline lines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            Change(_at(8), "U2", "acknowledged", ""),
            ":eyes: Acknowledged by <@U2>, 3 min after detection",
            id="acknowledged",
        ),
        pytest.param(
            Change(_at(40), "W3", "mitigated", ""),
            ":adhesive_bandage: Mitigated by <@W3>, 40 min after impact began",
            id="mitigated",
        ),
        pytest.param(
            Change(_at(100), "U2", "resolved", "ended 2026-03-02T13:35:00+00:00"),
            ":white_check_mark: Resolved by <@U2>: impact ended 2026-03-02T13:35:00Z, "
            "1 h 35 min after it began",
            id="resolved",
        ),
        pytest.param(
            Change(_at(30), "U2", "reclassified", "SEV1: <!channel> & customers"),
            ":label: Reclassified by <@U2>: SEV1: &lt;!channel&gt; &amp; customers",
            id="reclassified, the reason escaped",
        ),
        pytest.param(
            Change(_at(30), "cli", "corrected", "start a -> b"),
            ":pencil2: Corrected by cli: start a -&gt; b",
            id="corrected from the CLI",
        ),
        pytest.param(
            Change(_at(30), "U2", "postmortem", ""),
            ":memo: Postmortem by <@U2>",
            id="postmortem",
        ),
        pytest.param(
            Change(_at(30), "<!channel>", "escalated", "C0PAY"),
            ":information_source: Escalated by &lt;!channel&gt;: C0PAY",
            id="an actor that is no user id is text",
        ),
    ],
)
def test_timeline_lines(change: Change, expected: str) -> None:
    incident = _incident(**DETECTED, ended=_at(95))
    assert incident_timeline.line(incident, change) == expected
    message = _messages().timeline(incident, change)
    assert message.text == f"INC-7: {expected}"
    _valid(message.blocks)
    assert _mrkdwn(message.blocks) == message.text


def test_an_acknowledged_line_without_a_detection_says_no_duration() -> None:
    line = incident_timeline.line(_incident(), Change(_at(8), "U2", "acknowledged", ""))
    assert line == ":eyes: Acknowledged by <@U2>"


# -- the escalation post ---------------------------------------------------------------------


def test_the_escalation_keeps_mentions_and_escapes_the_title() -> None:
    incident = _incident(title="<!channel> checkout & cart down")
    message = _messages().escalation(incident, ("<@U0123>", "<!subteam^S0123>"), 3600)
    assert message.text == (
        ":rotating_light: <@U0123> <!subteam^S0123> INC-7 (SEV2) "
        "*&lt;!channel&gt; checkout &amp; cart down* has not been acknowledged within 1 h of "
        "its declaration. Acknowledge it on its card or with `/incident ack INC-7`."
    )
    assert message.text.count("<!channel>") == 0
    _valid(message.blocks)
    assert _mrkdwn(message.blocks) == message.text


def test_an_escalation_without_mentions_says_so() -> None:
    incident = _incident(severity_computed=None)
    text = incident_timeline.escalation(incident, (), 15 * 60)
    assert text.startswith(
        ":rotating_light: Nobody is named in this team's `escalation`: INC-7 (unclassified)"
    )
    assert "within 15 min of its declaration" in text


def test_an_escalation_with_a_long_title_fits_slack() -> None:
    message = _messages().escalation(_incident(title="x" * 400), ("<@U0123>",), 900)
    _valid(message.blocks)
    assert len(message.text) < 600


# -- spans -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (-5, "0 s"),
        (0, "0 s"),
        (0.4, "0 s"),
        (45, "45 s"),
        (59.4, "59 s"),
        (59.6, "1 min"),
        (60, "1 min"),
        (7 * 60 + 59, "7 min"),
        (59 * 60 + 59, "59 min"),
        (3600, "1 h"),
        (2 * 3600 + 5 * 60, "2 h 5 min"),
        (23 * 3600 + 59 * 60, "23 h 59 min"),
        (86400, "1 d"),
        (86400 + 59 * 60, "1 d"),
        (3 * 86400 + 4 * 3600, "3 d 4 h"),
        (400 * 86400, "400 d"),
    ],
)
def test_span(seconds: float, shown: str) -> None:
    assert incident_timeline.span(seconds) == shown


@pytest.mark.parametrize(
    ("actor", "shown"),
    [
        ("U0123", "<@U0123>"),
        ("W0123", "<@W0123>"),
        ("budgetbot", "budgetbot"),
        ("u0123", "u0123"),
        ("U0123 <!here>", "U0123 &lt;!here&gt;"),
    ],
)
def test_who(actor: str, shown: str) -> None:
    assert incident_timeline.who(actor) == shown
