"""Sloth files as teams keep them: several documents, the Kubernetes resource, plugin chains."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.slo import Catalog, EventsSLI, QueryKind, RatioSLI
from tests.unit.catalog.catalog_helpers import Files, find

ROOT = "budgetbot.yaml"
FILE = "slos/shop.yaml"
TEAMS = "teams:\n  web: {channel: C0WEB}\n  data: {channel: C0DATA}\n"
ROOT_TEXT = TEAMS + f"include: [{FILE}]\n"

SPEC = """\
version: prometheus/v1
service: storefront
labels: {team: web}
slos:
  - name: pages
    objective: 99.5
    sli:
      events:
        error_query: sum(increase(page_views_total{status="failed"}[{{.window}}]))
        total_query: sum(increase(page_views_total[{{.window}}]))
"""

RESOURCE = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: warehouse-slos
  namespace: stock
  labels: {team: data}
  annotations: {note: kept in git}
spec:
  service: warehouse
  labels: {tier: 1}
  slos:
    - name: picks
      objective: 99.9
      description: Pick requests that succeed.
      sli:
        events:
          errorQuery: sum(rate(picks_total{result="error"}[{{.window}}]))
          totalQuery: sum(rate(picks_total[{{.window}}]))
      alerting:
        name: WarehousePicks
        pageAlert: {labels: {severity: page}}
        ticketAlert: {disable: true}
    - name: sync-lag
      objective: 99
      sli:
        raw:
          errorRatioQuery: avg_over_time(stock_sync_failed_ratio[{{.window}}])
"""


def test_several_documents_of_both_forms(load: Callable[[Files], Catalog]) -> None:
    catalog = load({ROOT: ROOT_TEXT, FILE: f"---\n{SPEC}---\n{RESOURCE}"})
    assert [s.name for s in catalog.slos] == [
        "storefront-pages",
        "warehouse-picks",
        "warehouse-sync-lag",
    ]
    pages, picks, lag = catalog.slos
    assert (pages.team, picks.team, lag.team) == ("web", "data", "data")
    assert all(slo.source == FILE and slo.window == 30 * 86400 for slo in catalog.slos)
    assert isinstance(pages.sli, EventsSLI)
    assert (pages.sli.error_kind, pages.sli.total_kind) == (QueryKind.COUNT, QueryKind.COUNT)
    assert isinstance(picks.sli, EventsSLI) and picks.sli.error_kind is QueryKind.RATE
    assert 'result="error"' in picks.sli.error_query
    assert picks.description == "Pick requests that succeed."
    assert isinstance(lag.sli, RatioSLI)
    assert lag.sli.error_ratio_query.startswith("avg_over_time(stock_sync_failed_ratio")
    assert set(catalog.services) == {"storefront", "warehouse"}


def test_a_kubectl_export_with_status_and_object_meta(load: Callable[[Files], Catalog]) -> None:
    exported = RESOURCE.replace(
        "  namespace: stock\n",
        "  namespace: stock\n  uid: 4c1f\n  resourceVersion: '812'\n  generation: 3\n"
        "  creationTimestamp: '2024-05-01T10:00:00Z'\n",
    )
    exported += "status:\n  processedSLOs: 2\n  promOpRulesGenerated: true\n"
    catalog = load({ROOT: ROOT_TEXT, FILE: exported})
    assert [s.name for s in catalog.slos] == ["warehouse-picks", "warehouse-sync-lag"]


def test_plugin_chains_are_ignored_and_noted(load: Callable[[Files], Catalog]) -> None:
    spec = SPEC.replace(
        "slos:\n",
        "slo_plugins:\n  chain:\n    - {id: sloth.dev/core/debug/v1, priority: 10, "
        "config: {msg: hi}}\nslos:\n",
    ).replace(
        "    sli:\n",
        "    plugins:\n      overridePrevious: true\n      chain: [{id: x/y/v1}]\n    sli:\n",
    )
    resource = RESOURCE.replace(
        "  slos:\n", "  sloPlugins:\n    chain: [{id: sloth.dev/core/debug/v1}]\n  slos:\n"
    )
    catalog = load({ROOT: ROOT_TEXT, FILE: f"{spec}---\n{resource}"})
    pages, picks, lag = catalog.slos
    reason = "ignored: they shape Sloth's own rules, budgetbot computes budgets itself"
    assert f"documents[0].slo_plugins {reason}" in pages.notes
    assert f"documents[0].slos[0].plugins {reason}" in pages.notes
    assert f"documents[1].spec.sloPlugins {reason}" in picks.notes
    assert f"documents[1].spec.sloPlugins {reason}" in lag.notes
    assert not any(".plugins " in note for note in picks.notes + lag.notes)


def test_the_include_window_replaces_sloths_default(load: Callable[[Files], Catalog]) -> None:
    root = TEAMS + f"include:\n  - {{path: {FILE}, team: data, window: 28d}}\n"
    catalog = load({ROOT: root, FILE: SPEC.replace("labels: {team: web}\n", "")})
    (pages,) = catalog.slos
    assert pages.window == 28 * 86400
    assert pages.team == "data"
    assert "window 28d from the include (budgetbot.yaml: include[0])" in pages.notes
    assert any(note.startswith("team data from the include") for note in pages.notes)


def test_without_an_include_window_the_note_names_sloths_default(
    load: Callable[[Files], Catalog],
) -> None:
    (pages,) = load({ROOT: ROOT_TEXT, FILE: SPEC}).slos
    assert pages.window == 30 * 86400
    assert any(note.startswith("window 30d: the file gives none") for note in pages.notes)


TWO = f"{SPEC}---\n{RESOURCE}"  # the resource is documents[1]
REFUSED: list[tuple[str, str, str, str]] = [
    # (id, Sloth file text, path in it, message fragment naming the feature)
    (
        "resource-sli-plugin",
        TWO.replace(
            "        raw:\n          errorRatioQuery: avg_over_time(stock_sync_failed_ratio"
            "[{{.window}}])\n",
            "        plugin: {id: sloth-common/coredns/availability, options: {job: dns}}\n",
        ),
        "documents[1].spec.slos[1].sli.plugin",
        "SLI plugins are not supported (plugin 'sloth-common/coredns/availability'): budgetbot "
        "needs the queries themselves; write them out as events (errorQuery, totalQuery) or "
        "raw (errorRatioQuery)",
    ),
    (
        "spec-sli-plugin",
        SPEC.replace(
            "      events:\n", "      plugin: {id: sloth-common/go/availability}\n      events:\n"
        ),
        "slos[0].sli.plugin",
        "write them out as events (error_query, total_query) or raw (error_ratio_query)",
    ),
    (
        "resource-kind",
        TWO.replace("kind: PrometheusServiceLevel", "kind: PrometheusServiceLevels"),
        "documents[1].kind",
        "unknown kind 'PrometheusServiceLevels': apiVersion sloth.slok.dev/v1 SLOs are "
        "kind: PrometheusServiceLevel",
    ),
    (
        "resource-kind-missing",
        RESOURCE.replace("kind: PrometheusServiceLevel\n", ""),
        "kind",
        "is required: apiVersion sloth.slok.dev/v1 SLOs are kind: PrometheusServiceLevel",
    ),
    (
        "alert-windows",
        TWO + "---\napiVersion: sloth.slok.dev/v1\nkind: AlertWindows\nspec: {sloPeriod: 7d}\n",
        "documents[2].kind",
        "kind 'AlertWindows' holds Sloth's alert windows, not SLOs",
    ),
    (
        "resource-snake-key",
        TWO.replace("errorQuery:", "error_query:"),
        "documents[1].spec.slos[0].sli.events.error_query",
        "unknown key (did you mean 'errorQuery'?)",
    ),
    (
        "resource-snake-plugins",
        TWO.replace(
            "  slos:\n    - name: picks", "  slo_plugins: {chain: []}\n  slos:\n    - name: picks"
        ),
        "documents[1].spec.slo_plugins",
        "did you mean 'sloPlugins'?",
    ),
    (
        "spec-camel-plugins",
        TWO.replace("slos:\n  - name: pages", "sloPlugins: {chain: []}\nslos:\n  - name: pages"),
        "documents[0].sloPlugins",
        "did you mean 'slo_plugins'?",
    ),
    (
        "spec-version",
        TWO.replace("version: prometheus/v1", "version: prometheus/v2"),
        "documents[0].version",
        "must be 'prometheus/v1', got 'prometheus/v2': Sloth has one spec version, "
        "prometheus/v1, and one Kubernetes resource, apiVersion: sloth.slok.dev/v1 with "
        "kind: PrometheusServiceLevel",
    ),
    (
        "resource-metadata-typo",
        TWO.replace("  labels: {team: data}", "  lables: {team: data}"),
        "documents[1].metadata.lables",
        "did you mean 'labels'?",
    ),
    (
        "resource-without-spec",
        RESOURCE.split("spec:\n")[0],
        "spec",
        "is required",
    ),
    (
        "resource-query-without-window",
        TWO.replace('picks_total{result="error"}[{{.window}}]', 'picks_total{result="error"}[5m]'),
        "documents[1].spec.slos[0].sli.events.errorQuery",
        "must contain the range placeholder {{.window}}",
    ),
    (
        "no-slos",
        TWO.replace(SPEC[SPEC.index("slos:") :], "slos: []\n"),
        "documents[0].slos",
        "needs at least one SLO",
    ),
    (
        "duplicate-across-documents",
        TWO + "---\n" + SPEC.replace("objective: 99.5", "objective: 99"),
        "documents[2].slos[0].name",
        "duplicate SLO name 'storefront-pages', first defined at slos/shop.yaml: "
        "documents[0].slos[0].name",
    ),
]


@pytest.mark.parametrize(
    ("text", "path", "fragment"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_refusals_name_the_file_the_full_path_and_the_feature(
    problems: Callable[[Files], list[Problem]], text: str, path: str, fragment: str
) -> None:
    find(problems({ROOT: ROOT_TEXT, FILE: text}), FILE, path, fragment)


def test_a_wrong_kind_says_only_that(problems: Callable[[Files], list[Problem]]) -> None:
    text = RESOURCE.replace("kind: PrometheusServiceLevel", "kind: ServiceLevelObjective")
    found = problems({ROOT: ROOT_TEXT, FILE: text})
    assert [(p.file, p.path) for p in found] == [(FILE, "kind")]
    assert "'ServiceLevelObjective'" in found[0].message
