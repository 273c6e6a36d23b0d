"""Sloth prometheus/v1 files included from the native catalog."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.slo import Catalog, EventsSLI, RatioSLI, Service, Tier
from tests.unit.catalog.catalog_helpers import Files, find

ROOT = "budgetbot.yaml"
SLOTH_FILE = "slos/search.yml"
ROOT_TEXT = (
    "teams:\n"
    "  payments: {channel: C0123PAY}\n"
    "  search: {channel: C0456SRCH}\n"
    "services:\n"
    "  checkout: {team: payments}\n"
    f"include: [{SLOTH_FILE}]\n"
)

SLOTH = """\
version: "prometheus/v1"
service: "search"
labels:
  owner: "search-oncall"
  team: "search"
slos:
  - name: "requests-availability"
    objective: 99.9
    description: "Common SLO based on availability for HTTP request responses."
    labels:
      category: availability
    sli:
      events:
        error_query: sum(rate(http_requests_total{service="search",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_requests_total{service="search"}[{{.window}}]))
    alerting:
      name: SearchHighErrorRate
      page_alert:
        labels:
          severity: pageteam
      ticket_alert:
        disable: true
  - name: "ratio"
    objective: 99.5
    sli:
      raw:
        error_ratio_query: |
          sum(rate(http_requests_total{service="search",code=~"5.."}[{{.window}}]))
          /
          sum(rate(http_requests_total{service="search"}[{{.window}}]))
"""


def test_sloth_events_and_raw_slos(load: Callable[[Files], Catalog]) -> None:
    catalog = load({ROOT: ROOT_TEXT, SLOTH_FILE: SLOTH})
    events, raw = catalog.slos
    assert events.name == "search-requests-availability"
    assert (events.service, events.team, events.tier) == ("search", "search", Tier.PRODUCTION)
    assert events.window == 30 * 86400
    assert events.objective == 99.9
    assert events.source == SLOTH_FILE
    assert events.description.startswith("Common SLO")
    assert isinstance(events.sli, EventsSLI)
    assert 'code=~"(5..|429)"' in events.sli.error_query
    assert raw.name == "search-ratio"
    assert isinstance(raw.sli, RatioSLI)
    assert raw.sli.error_ratio_query.endswith("[{{.window}}]))")
    # search was not declared in services: the Sloth file adds it, team from labels.team
    assert catalog.services["search"] == Service("search", "search", Tier.PRODUCTION)
    assert catalog.files == (ROOT, SLOTH_FILE)


def test_declared_service_gives_its_tier_and_team(load: Callable[[Files], Catalog]) -> None:
    root = ROOT_TEXT.replace(
        "  checkout: {team: payments}\n",
        "  checkout: {team: payments}\n  search: {team: search, tier: staging}\n",
    )
    sloth = SLOTH.replace('  team: "search"\n', "")
    catalog = load({ROOT: root, SLOTH_FILE: sloth})
    assert {(s.team, s.tier) for s in catalog.slos} == {("search", Tier.STAGING)}


BROKEN: list[tuple[str, str, str, str, str]] = [
    # (id, root text, sloth text, path in the Sloth file, message fragment)
    (
        "plugin",
        ROOT_TEXT,
        SLOTH.replace(
            "      events:\n",
            "      plugin:\n        id: sloth-common/kubernetes/apiserver/availability\n"
            "      events:\n",
        ),
        "slos[0].sli.plugin",
        "SLI plugins are not supported",
    ),
    (
        "plugin-only",
        ROOT_TEXT,
        SLOTH.replace("      raw:\n        error_ratio_query: |", "      plugin:\n        id: |"),
        "slos[1].sli.plugin",
        "not supported",
    ),
    (
        "undeclared-service-without-team",
        ROOT_TEXT,
        SLOTH.replace('  team: "search"\n', "").replace('  owner: "search-oncall"\n', ""),
        "labels.team",
        "no team owns service 'search': give the file a team label (labels.team), give its "
        "include a team (include: [{path: ..., team: <team>}]), or declare the service in "
        "services: with its team",
    ),
    (
        "unknown-team",
        ROOT_TEXT,
        SLOTH.replace('team: "search"', 'team: "serch"'),
        "labels.team",
        "unknown team 'serch' (known: payments, search)",
    ),
    (
        "version",
        ROOT_TEXT,
        SLOTH.replace("prometheus/v1", "prometheus/v2"),
        "version",
        "must be 'prometheus/v1', got 'prometheus/v2'",
    ),
    (
        "missing-service",
        ROOT_TEXT,
        SLOTH.replace('service: "search"\n', ""),
        "service",
        "is required",
    ),
    (
        "objective",
        ROOT_TEXT,
        SLOTH.replace("objective: 99.5", "objective: 100"),
        "slos[1].objective",
        "must be below 100",
    ),
    (
        "name",
        ROOT_TEXT,
        SLOTH.replace('name: "ratio"', 'name: "error ratio"'),
        "slos[1].name",
        "may only contain",
    ),
    (
        "typo",
        ROOT_TEXT,
        SLOTH.replace("    objective: 99.5", "    objectiv: 99.5"),
        "slos[1].objectiv",
        "did you mean 'objective'?",
    ),
    (
        "query-without-window",
        ROOT_TEXT,
        SLOTH.replace("[{{.window}}]))\n          /", "[5m]))\n          /").replace(
            '{service="search"}[{{.window}}]))\n', '{service="search"}[5m]))\n'
        ),
        "slos[1].sli.raw.error_ratio_query",
        "{{.window}}",
    ),
    (
        "duplicate-with-native",
        ROOT_TEXT.replace(
            "include:",
            "slos:\n  - {name: search-ratio, service: checkout, "
            "objective: 99, sli: {raw: {error_ratio_query: 'x[{{.window}}]'}}}\ninclude:",
        ),
        SLOTH,
        "slos[1].name",
        "duplicate SLO name 'search-ratio', first defined at budgetbot.yaml: slos[0].name",
    ),
]


@pytest.mark.parametrize(
    ("root", "sloth", "path", "fragment"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_broken_sloth_files(
    problems: Callable[[Files], list[Problem]], root: str, sloth: str, path: str, fragment: str
) -> None:
    find(problems({ROOT: root, SLOTH_FILE: sloth}), SLOTH_FILE, path, fragment)


def test_a_team_problem_is_reported_once_per_file(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems({ROOT: ROOT_TEXT, SLOTH_FILE: SLOTH.replace('team: "search"', 'team: "x"')})
    assert [p.path for p in found] == ["labels.team"]


def test_two_files_giving_one_undeclared_service_two_teams(
    load: Callable[[Files], Catalog],
) -> None:
    other = SLOTH.replace('team: "search"', 'team: "payments"').replace('"ratio"', '"ratio2"')
    other = other.replace('"requests-availability"', '"availability2"')
    catalog = load(
        {
            ROOT: ROOT_TEXT.replace(f"[{SLOTH_FILE}]", f"[{SLOTH_FILE}, slos/other.yml]"),
            SLOTH_FILE: SLOTH,
            "slos/other.yml": other,
        }
    )
    teams = {slo.name: slo.team for slo in catalog.slos}
    assert teams == {
        "search-requests-availability": "search",
        "search-ratio": "search",
        "search-availability2": "payments",
        "search-ratio2": "payments",
    }
    assert catalog.services["search"].team == "search"  # the first file's: its gate's owner
