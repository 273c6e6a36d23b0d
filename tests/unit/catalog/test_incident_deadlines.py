"""Response deadlines (`incidents.respond`) and escalation mentions
(`teams.<name>.escalation`) in the catalog: parsed, or refused naming the file and path."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.slo import Catalog, Tier
from tests.unit.catalog.catalog_helpers import BASE, SLO, Files, find

TEAMS = """\
teams:
  payments:
    channel: C0123PAY
    escalation: ["<@U0123ABC>", "<!subteam^S0123ABC>", "<@W0456>"]
  search: {channel: C0SRCH}
services:
  checkout: {team: payments}
"""


def _respond(body: str) -> str:
    return "incidents:\n  respond:\n" + body


def test_respond_is_parsed_to_seconds_by_tier_and_class(
    load: Callable[[Files], Catalog],
) -> None:
    respond = _respond(
        "    production: {SEV1: 15m, SEV2: 1h, SEV3: 1d}\n    staging: {SEV2: 90m, SEV4: 30s}\n"
    )
    catalog = load({"budgetbot.yaml": BASE + SLO + respond})
    assert catalog.respond == {
        Tier.PRODUCTION: {"SEV1": 900, "SEV2": 3600, "SEV3": 86400},
        Tier.STAGING: {"SEV2": 5400, "SEV4": 30},
    }
    assert Tier.DEVELOPMENT not in catalog.respond


def test_no_respond_means_no_deadlines(load: Callable[[Files], Catalog]) -> None:
    catalog = load({"budgetbot.yaml": BASE + SLO})
    assert catalog.respond == {}
    assert catalog.teams["payments"].escalation == ()


def test_respond_may_come_from_an_included_file(load: Callable[[Files], Catalog]) -> None:
    catalog = load(
        {
            "budgetbot.yaml": BASE + SLO + "include: [policy/respond.yaml]\n",
            "policy/respond.yaml": _respond("    production: {SEV1: 5m}\n"),
        }
    )
    assert catalog.respond == {Tier.PRODUCTION: {"SEV1": 300}}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("soon", "is not a duration such as 5m, 6h or 30d"),
        ("15x", "is not a duration"),
        ("0s", "must be longer than zero"),
        ("500d", "is longer than 400 days"),
    ],
)
def test_a_bad_duration_names_the_file_and_its_tier_and_class(
    problems: Callable[[Files], list[Problem]], text: str, fragment: str
) -> None:
    respond = _respond(f"    production: {{SEV1: 15m}}\n    staging: {{SEV2: {text}}}\n")
    found = problems({"budgetbot.yaml": BASE + SLO + respond})
    problem = find(found, "budgetbot.yaml", "incidents.respond.staging.SEV2", fragment)
    assert repr(text) in problem.message
    assert not [p for p in found if p.path == "incidents.respond.production.SEV1"]


def test_a_bad_duration_in_an_included_file_names_that_file(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems(
        {
            "budgetbot.yaml": BASE + SLO + "include: [policy/respond.yaml]\n",
            "policy/respond.yaml": _respond("    production: {SEV1: 15x}\n"),
        }
    )
    find(found, "policy/respond.yaml", "incidents.respond.production.SEV1", "'15x'")
    assert all(p.file == "policy/respond.yaml" for p in found)


def test_an_unknown_tier_names_the_file_and_path(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems({"budgetbot.yaml": BASE + SLO + _respond("    qa: {SEV1: 1h}\n")})
    problem = find(found, "budgetbot.yaml", "incidents.respond", "'qa'")
    for tier in ("production", "staging", "development"):
        assert tier in problem.message


def test_an_unknown_class_names_the_file_and_its_tier(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems({"budgetbot.yaml": BASE + SLO + _respond("    staging: {SEV5: 1h}\n")})
    problem = find(found, "budgetbot.yaml", "incidents.respond.staging", "'SEV5'")
    assert "SEV1" in problem.message and "SEV4" in problem.message


def test_respond_set_in_two_files_is_refused(problems: Callable[[Files], list[Problem]]) -> None:
    found = problems(
        {
            "budgetbot.yaml": BASE
            + SLO
            + _respond("    production: {SEV1: 15m}\n")
            + "include: [more.yaml]\n",
            "more.yaml": _respond("    production: {SEV1: 5m}\n"),
        }
    )
    assert any("incidents.respond" in p.path for p in found), found


# -- escalation mentions ----------------------------------------------------------------------


def test_escalation_mentions_are_kept_in_order(load: Callable[[Files], Catalog]) -> None:
    catalog = load({"budgetbot.yaml": TEAMS + SLO})
    assert catalog.teams["payments"].escalation == (
        "<@U0123ABC>",
        "<!subteam^S0123ABC>",
        "<@W0456>",
    )
    assert catalog.teams["search"].escalation == ()


@pytest.mark.parametrize(
    "mention",
    [
        "@alice",  # a handle people type, not what Slack writes
        "U0123ABC",  # a bare id
        "<#C0123ABC>",  # a channel, not a person or a group
        "<@u0123abc>",  # ids are upper case
        "<!subteam^G0123>",  # user groups are S...
        "<@U0123ABC> <@U0456>",  # one mention per entry
        "",
    ],
)
def test_a_bad_escalation_mention_names_its_team_and_index(
    problems: Callable[[Files], list[Problem]], mention: str
) -> None:
    teams = (
        "teams:\n  payments:\n    channel: C0123PAY\n"
        f'    escalation: ["<@U0123ABC>", "{mention}"]\n'
        "services:\n  checkout: {team: payments}\n"
    )
    found = problems({"budgetbot.yaml": teams + SLO})
    problem = find(
        found, "budgetbot.yaml", "teams.payments.escalation[1]", "is not a Slack mention"
    )
    assert repr(mention) in problem.message
    assert not [p for p in found if p.path == "teams.payments.escalation[0]"]


def test_every_bad_mention_is_named_in_an_included_file(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems(
        {
            "budgetbot.yaml": BASE + SLO + "include: [teams.yaml]\n",
            "teams.yaml": (
                "teams:\n  search:\n    channel: C0SRCH\n"
                '    escalation: ["here", "<@U01>", "<#C0123>"]\n'
            ),
        }
    )
    find(found, "teams.yaml", "teams.search.escalation[0]", "'here'")
    find(found, "teams.yaml", "teams.search.escalation[2]", "'<#C0123>'")
    assert not [p for p in found if p.path == "teams.search.escalation[1]"]
