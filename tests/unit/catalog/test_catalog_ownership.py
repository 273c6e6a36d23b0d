"""Who owns an SLO: slos[].team > a native services: entry > the SLO's labels > the file's
labels > the include's team (docs/catalog.md), and include windows and tiers."""

from __future__ import annotations

from collections.abc import Callable

from bot.catalog import Problem
from bot.domain.slo import Catalog, Tier
from tests.unit.catalog.catalog_helpers import Files, find

TEAMS = """\
teams:
  payments: {channel: C0PAY}
  search: {channel: C0SRCH}
  platform: {channel: C0PLAT}
"""


def sloth(service: str, file_labels: str = "", slo_labels: str = "") -> str:
    return (
        f"version: prometheus/v1\nservice: {service}\n{file_labels}slos:\n"
        f"  - name: avail\n    objective: 99.9\n{slo_labels}"
        "    sli:\n      events:\n"
        '        error_query: sum(increase(x{code="500"}[{{.window}}]))\n'
        "        total_query: sum(increase(x[{{.window}}]))\n"
    )


def test_the_include_gives_team_tier_and_window_to_files_that_name_none(
    load: Callable[[Files], Catalog],
) -> None:
    catalog = load(
        {
            "budgetbot.yaml": TEAMS
            + "include:\n  - {path: 'slos/*.yml', team: search, tier: staging, window: 28d}\n",
            "slos/a.yml": sloth("alpha"),
            "slos/b.yml": sloth("beta", file_labels="labels: {team: platform}\n"),
        }
    )
    alpha, beta = catalog.slo("alpha-avail"), catalog.slo("beta-avail")
    assert alpha is not None and beta is not None
    assert (alpha.team, alpha.tier, alpha.window) == ("search", Tier.STAGING, 28 * 86400)
    assert beta.team == "platform"  # the file's label wins over the include's team
    assert catalog.services["alpha"].tier is Tier.STAGING
    assert any("team search from the include" in note for note in alpha.notes)
    assert any("window 28d from the include" in note for note in alpha.notes)


def test_include_defaults_reach_the_files_of_nested_includes(
    load: Callable[[Files], Catalog],
) -> None:
    catalog = load(
        {
            "budgetbot.yaml": TEAMS + "include:\n  - {path: more.yaml, team: payments}\n",
            "more.yaml": "include: [deep.yml]\n",
            "deep.yml": sloth("deep"),
        }
    )
    slo = catalog.slo("deep-avail")
    assert slo is not None and slo.team == "payments"


def test_the_slo_label_wins_over_the_file_label(load: Callable[[Files], Catalog]) -> None:
    text = sloth(
        "gamma",
        file_labels="labels: {team: platform}\n",
        slo_labels="    labels: {team: search}\n",
    )
    catalog = load({"budgetbot.yaml": TEAMS + "include: [g.yml]\n", "g.yml": text})
    slo = catalog.slo("gamma-avail")
    assert slo is not None and slo.team == "search"


def test_a_declared_service_wins_over_labels_and_says_so(
    load: Callable[[Files], Catalog],
) -> None:
    root = TEAMS + "services:\n  gamma: {team: payments, tier: development}\ninclude: [g.yml]\n"
    text = sloth("gamma", file_labels="labels: {team: platform}\n")
    catalog = load({"budgetbot.yaml": root, "g.yml": text})
    slo = catalog.slo("gamma-avail")
    assert slo is not None and (slo.team, slo.tier) == ("payments", Tier.DEVELOPMENT)
    assert any("team platform of its labels ignored" in note for note in slo.notes)


def test_slos_team_lets_two_teams_share_a_service(load: Callable[[Files], Catalog]) -> None:
    root = TEAMS + (
        "services:\n  edge: {team: platform}\nslos:\n"
        "  - name: edge-availability\n    service: edge\n    objective: 99.9\n"
        "    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', "
        "total_query: 'sum(rate(t[{{.window}}]))'}}\n"
        "  - name: edge-checkout-path\n    service: edge\n    team: payments\n"
        "    objective: 99.5\n"
        "    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', "
        "total_query: 'sum(rate(t[{{.window}}]))'}}\n"
    )
    catalog = load({"budgetbot.yaml": root})
    teams = {s.name: s.team for s in catalog.slos}
    assert teams == {"edge-availability": "platform", "edge-checkout-path": "payments"}


def test_no_team_anywhere_names_the_three_ways(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems({"budgetbot.yaml": TEAMS + "include: [n.yml]\n", "n.yml": sloth("nobody")})
    problem = find(found, "n.yml", "labels.team", "no team owns service 'nobody'")
    for way in ("team label", "include a team", "declare the service in services:"):
        assert way in problem.message


def test_an_unknown_team_in_slos_team_or_an_include(
    problems: Callable[[Files], list[Problem]],
) -> None:
    root = TEAMS + (
        "services:\n  edge: {team: platform}\nslos:\n"
        "  - name: e\n    service: edge\n    team: paymnts\n    objective: 99.9\n"
        "    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', "
        "total_query: 'sum(rate(t[{{.window}}]))'}}\n"
        "include:\n  - {path: n.yml, team: serch}\n"
    )
    found = problems({"budgetbot.yaml": root, "n.yml": sloth("nobody")})
    find(found, "budgetbot.yaml", "slos[0].team", "unknown team 'paymnts'")
    find(found, "budgetbot.yaml", "include[0].team", "unknown team 'serch'")


def test_bad_include_entries(problems: Callable[[Files], list[Problem]]) -> None:
    root = TEAMS + (
        "include:\n  - {path: a.yml, window: a month}\n  - {path: a.yml, tier: prod}\n"
        "  - {path: a.yml, owner: x}\n  - 42\n"
    )
    found = problems({"budgetbot.yaml": root, "a.yml": sloth("a", "labels: {team: search}\n")})
    find(found, "budgetbot.yaml", "include[0].window", "is not a duration")
    find(found, "budgetbot.yaml", "include[1].tier", "production")
    find(found, "budgetbot.yaml", "include[2].owner", "unknown key")
    find(found, "budgetbot.yaml", "include[3]", "must be a path or a mapping")


def test_a_nested_include_names_the_file_that_gave_the_team(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems(
        {
            "budgetbot.yaml": TEAMS + "include:\n  - {path: sub/inner.yaml, team: paymentz}\n",
            "sub/inner.yaml": "include: [deep.yml]\n",
            "sub/deep.yml": sloth("deep"),
        }
    )
    find(found, "budgetbot.yaml", "include[0].team", "unknown team 'paymentz'")


def test_an_include_team_typo_is_reported_even_when_a_service_entry_wins(
    problems: Callable[[Files], list[Problem]],
) -> None:
    root = (
        TEAMS + "services:\n  deep: {team: payments}\ninclude:\n  - {path: d.yml, team: platfrom}\n"
    )
    found = problems({"budgetbot.yaml": root, "d.yml": sloth("deep")})
    find(found, "budgetbot.yaml", "include[0].team", "unknown team 'platfrom'")
