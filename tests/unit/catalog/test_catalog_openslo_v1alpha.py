"""OpenSLO openslo/v1alpha SLOs: timeWindows {unit, count}, per-objective ratioMetrics."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.slo import Catalog, EventsSLI, QueryKind, Service, Tier
from tests.unit.catalog.catalog_helpers import Files, find

ROOT = "budgetbot.yaml"
FILE = "search-slo.yaml"
ROOT_TEXT = f"teams:\n  search: {{channel: C0456SRCH}}\ninclude: [{FILE}]\n"

SERVICE = """\
apiVersion: openslo/v1alpha
kind: Service
metadata:
  name: search
  displayName: Search
  labels:
    team: [search]
spec:
  description: Full-text search over the catalogue.
"""

SLO = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: search-queries
  displayName: Search queries
spec:
  description: Queries answered, and answered quickly.
  service: search
  budgetingMethod: Occurrences
  timeWindows:
    - unit: Week
      count: 2
      isRolling: true
  objectives:
    - displayName: Answered
      target: 0.99
      ratioMetrics:
        counter: true
        good:
          source: prometheus
          queryType: promql
          query: search_requests_total{outcome="answered"}
        total:
          source: prometheus
          queryType: promql
          query: search_requests_total
    - displayName: Quick
      target: 0.9
      ratioMetrics:
        counter: true
        bad:
          source: Prometheus
          queryType: promql
          query: sum(increase(search_slow_requests_total[{{.window}}]))
        total:
          source: prometheus
          queryType: promql
          query: sum(increase(search_requests_total[{{.window}}]))
"""

TOTAL = "sum(rate(search_requests_total[{{.window}}]))"
GOOD = 'sum(rate(search_requests_total{outcome="answered"}[{{.window}}]))'


def files(*documents: str) -> Files:
    """The root catalog and the v1alpha file holding the documents."""
    return {ROOT: ROOT_TEXT, FILE: "---\n".join(documents)}


def test_objectives_with_ratio_metrics(load: Callable[[Files], Catalog]) -> None:
    catalog = load(files(SERVICE, SLO))
    answered, quick = catalog.slos
    assert (answered.name, answered.objective) == ("search-queries-answered", 99.0)
    assert (quick.name, quick.objective) == ("search-queries-quick", 90.0)
    assert answered.window == quick.window == 14 * 86400
    assert answered.team == quick.team == "search"
    assert answered.description == "Queries answered, and answered quickly."
    assert answered.sli == EventsSLI(
        error_query=f"({TOTAL}) - (({GOOD}) or on() vector(0))", total_query=TOTAL
    )
    assert quick.sli == EventsSLI(
        error_query="sum(increase(search_slow_requests_total[{{.window}}]))",
        total_query="sum(increase(search_requests_total[{{.window}}]))",
        error_kind=QueryKind.COUNT,
        total_kind=QueryKind.COUNT,
    )
    note = f"team search from kind Service search ({FILE}: documents[0].metadata.labels.team)"
    assert answered.notes == (note,)
    assert catalog.services["search"] == Service("search", "search", Tier.PRODUCTION)


def test_as_one_yaml_list(load: Callable[[Files], Catalog]) -> None:
    items = ["- " + doc.replace("\n", "\n  ").rstrip() + "\n" for doc in (SERVICE, SLO)]
    catalog = load({ROOT: ROOT_TEXT, FILE: "".join(items)})
    assert [slo.name for slo in catalog.slos] == ["search-queries-answered", "search-queries-quick"]
    assert catalog.slos[0].notes == (
        f"team search from kind Service search ({FILE}: [0].metadata.labels.team)",
    )


def test_one_objective_keeps_the_slo_name(load: Callable[[Files], Catalog]) -> None:
    one = SLO[: SLO.index("    - displayName: Quick")]
    (slo,) = load(files(SERVICE, one)).slos
    assert slo.name == "search-queries"


@pytest.mark.parametrize(
    ("unit", "count", "seconds"),
    [("Day", 28, 28 * 86400), ("Hour", 6, 6 * 3600), ("Minute", 30, 1800), ("Second", 90, 90)],
)
def test_rolling_units(
    load: Callable[[Files], Catalog], unit: str, count: int, seconds: int
) -> None:
    text = SLO.replace("unit: Week", f"unit: {unit}").replace("count: 2", f"count: {count}")
    assert {slo.window for slo in load(files(SERVICE, text)).slos} == {seconds}


def test_no_time_windows_is_30d_rolling_and_noted(load: Callable[[Files], Catalog]) -> None:
    text = SLO.replace(
        "  timeWindows:\n    - unit: Week\n      count: 2\n      isRolling: true\n", ""
    )
    slo = load(files(SERVICE, text)).slos[0]
    assert slo.window == 30 * 86400
    assert any(n.startswith("window 30d: the file gives none") for n in slo.notes)


def test_rolling_assumed_without_is_rolling(load: Callable[[Files], Catalog]) -> None:
    text = SLO.replace("      isRolling: true\n", "")
    slo = load(files(SERVICE, text)).slos[0]
    assert slo.window == 14 * 86400
    note = "documents[1].spec.timeWindows[0].isRolling not given: read as a rolling window"
    assert note in slo.notes


def test_ratio_metric_singular_is_read(load: Callable[[Files], Catalog]) -> None:
    text = SLO.replace("ratioMetrics:", "ratioMetric:")
    answered, _ = load(files(SERVICE, text)).slos
    assert isinstance(answered.sli, EventsSLI)
    assert answered.sli.total_query == TOTAL


BROKEN: list[tuple[str, str, str, str]] = [
    # (id, the SLO document, path, message fragment)
    (
        "unknown-unit",
        SLO.replace("unit: Week", "unit: Fortnight"),
        "documents[1].spec.timeWindows[0].unit",
        "must be one of Second, Minute, Hour, Day, Week, Month, Quarter, Year, got 'Fortnight'",
    ),
    (
        "zero-count",
        SLO.replace("count: 2", "count: 0"),
        "documents[1].spec.timeWindows[0].count",
        "must be above 0, got 0",
    ),
    (
        "no-target",
        SLO.replace("      target: 0.99\n", ""),
        "documents[1].spec.objectives[0].target",
        "is required: a ratio such as 0.999",
    ),
    (
        "target-as-percent",
        SLO.replace("target: 0.99", "target: 99"),
        "documents[1].spec.objectives[0].target",
        "must be a ratio between 0 and 1",
    ),
    (
        "no-ratio-metrics",
        SLO[: SLO.index("      ratioMetrics:")],
        "documents[1].spec.objectives[0].ratioMetrics",
        "is required: counter: true, total, and good or bad",
    ),
    (
        "gauge",
        SLO.replace("counter: true", "counter: false", 1),
        "documents[1].spec.objectives[0].ratioMetrics.counter",
        "false (a gauge) is not supported",
    ),
    (
        "no-total",
        SLO.replace(
            "        total:\n          source: prometheus\n          queryType: promql\n"
            "          query: search_requests_total\n",
            "",
        ),
        "documents[1].spec.objectives[0].ratioMetrics.total",
        "is required",
    ),
    (
        "metadata",
        SLO.replace(
            "          query: search_requests_total\n",
            "          query: x\n          metadata: {bucket: '0.25'}\n",
        ),
        "documents[1].spec.objectives[0].ratioMetrics.total.metadata",
        "is not supported: write the complete PromQL query in query",
    ),
    (
        "bad-selector",
        SLO.replace("query: search_requests_total\n", "query: rate(search_requests_total[5m])\n"),
        "documents[1].spec.objectives[0].ratioMetrics.total.query",
        "must be a counter selector such as",
    ),
    (
        "v1-window-key",
        SLO.replace("timeWindows:", "timeWindow:"),
        "documents[1].spec.timeWindow",
        "did you mean 'timeWindows'?",
    ),
    (
        "budgeting-typo",
        SLO.replace("budgetingMethod: Occurrences", "budgetingMethod: Occurences"),
        "documents[1].spec.budgetingMethod",
        "must be one of Occurrences, Timeslices (budgetbot supports Occurrences), got 'Occurences'",
    ),
]


@pytest.mark.parametrize(
    ("slo", "path", "fragment"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_broken_v1alpha_files(
    problems: Callable[[Files], list[Problem]], slo: str, path: str, fragment: str
) -> None:
    problem = find(problems(files(SERVICE, slo)), FILE, path, fragment)
    assert str(problem).startswith(f"{FILE}: {path}: ")
