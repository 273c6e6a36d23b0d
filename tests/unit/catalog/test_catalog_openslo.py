"""OpenSLO v1 files: ratio metrics (good or bad), indicatorRef, objectives, what is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.slo import Catalog, EventsSLI, Service, Tier
from tests.unit.catalog.catalog_helpers import Files, find

ROOT = "budgetbot.yaml"
FILE = "openslo/export.yaml"
ROOT_TEXT = (
    "teams:\n"
    "  platform: {channel: C0789PLAT}\n"
    "services:\n"
    "  export: {team: platform, tier: staging}\n"
    f"include: [{FILE}, openslo/slis.yaml]\n"
)

SLI_FILE = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: export-errors
spec:
  description: Export requests that fail with a server error.
  ratioMetric:
    counter: true
    bad:
      metricSource:
        type: Prometheus
        spec:
          query: http_requests_total{service="export", code=~"5.."}
    total:
      metricSource:
        type: Prometheus
        spec:
          query: http_requests_total{service="export"}
"""

SLO_BAD = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: export-availability
  displayName: Export availability
spec:
  service: export
  indicatorRef: export-errors
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Available
      target: 0.999
"""

SLO_GOOD = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: export-success
  labels:
    team: [platform]
spec:
  description: Exports answered with 2xx.
  service: export
  indicator:
    metadata:
      name: export-2xx
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total{service="export",code=~"2.."}[{{ .window }}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total{service="export"}[{{.window}}]))
  timeWindow:
    - duration: 7d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Nearly all
      targetPercent: 99
    - target: 0.95
"""

SERVICE_DOC = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: export
spec:
  description: CSV exports.
"""


def files(*documents: str, slis: str = SLI_FILE, root: str = ROOT_TEXT) -> Files:
    """The root catalog, an OpenSLO file holding the documents, and the SLI file."""
    return {ROOT: root, FILE: "---\n".join(documents), "openslo/slis.yaml": slis}


def test_bad_metric_from_indicator_ref_in_another_file(load: Callable[[Files], Catalog]) -> None:
    catalog = load(files(SERVICE_DOC, SLO_BAD))
    (slo,) = catalog.slos
    assert slo.name == "export-availability"  # one objective: the SLO's own name
    assert (slo.service, slo.team, slo.tier) == ("export", "platform", Tier.STAGING)
    assert slo.objective == 99.9
    assert slo.window == 28 * 86400
    assert slo.source == FILE
    assert slo.description == ""
    assert slo.sli == EventsSLI(
        error_query='sum(rate(http_requests_total{service="export", code=~"5.."}[{{.window}}]))',
        total_query='sum(rate(http_requests_total{service="export"}[{{.window}}]))',
    )
    assert catalog.files == (ROOT, FILE, "openslo/slis.yaml")


def test_good_metric_and_several_objectives(load: Callable[[Files], Catalog]) -> None:
    catalog = load(files(SLO_GOOD))
    first, second = catalog.slos
    assert (first.name, first.objective) == ("export-success-nearly-all", 99.0)
    assert (second.name, second.objective) == ("export-success-1", 95.0)
    total = 'sum(rate(http_requests_total{service="export"}[{{.window}}]))'
    good = 'sum(rate(http_requests_total{service="export",code=~"2.."}[{{.window}}]))'
    assert first.sli == EventsSLI(
        error_query=f"({total}) - (({good}) or on() vector(0))", total_query=total
    )
    assert first.description == "Exports answered with 2xx."
    assert first.window == 7 * 86400


def test_undeclared_service_takes_the_team_label(load: Callable[[Files], Catalog]) -> None:
    root = ROOT_TEXT.replace("  export: {team: platform, tier: staging}\n", "")
    catalog = load(files(SLO_GOOD, root=root))
    assert catalog.services["export"] == Service("export", "platform", Tier.PRODUCTION)


BROKEN: list[tuple[str, Files, str, str, str]] = [
    # (id, files, file, path, message fragment)
    (
        "timeslices",
        files(SLO_BAD.replace("Occurrences", "Timeslices")),
        FILE,
        "spec.objectives[0].timeSliceWindow",
        "Timeslices needs timeSliceWindow, a duration such as 1m",
    ),
    (
        "ratio-timeslices",
        files(SERVICE_DOC, SLO_BAD.replace("Occurrences", "RatioTimeslices")),
        FILE,
        "documents[1].spec.objectives[0].timeSliceWindow",
        "Timeslices needs timeSliceWindow",
    ),
    (
        "calendar-window",
        files(SLO_BAD.replace("isRolling: true", "isRolling: false")),
        FILE,
        "spec.timeWindow[0].duration",
        "'28d' with isRolling: false; a calendar window is 1w, 1M or 1Q with isRolling: false",
    ),
    (
        "calendar-key",
        files(
            SLO_BAD.replace(
                "isRolling: true",
                "calendar: {startTime: '2024-01-01 00:00:00', timeZone: UTC}",
            )
        ),
        FILE,
        "spec.timeWindow[0].calendar",
        "needs isRolling: false; a calendar window is 1w, 1M or 1Q with isRolling: false",
    ),
    (
        "window-duration",
        files(SLO_BAD.replace("duration: 28d", "duration: 1M")),
        FILE,
        "spec.timeWindow[0].duration",
        "'1M' counts months, a calendar period; a calendar window is 1w, 1M or 1Q with "
        "isRolling: false, or use a rolling duration such as 30d",
    ),
    (
        "unknown-indicator-ref",
        files(SLO_BAD.replace("indicatorRef: export-errors", "indicatorRef: export-eror")),
        FILE,
        "spec.indicatorRef",
        "unknown SLI 'export-eror' (known: export-errors)",
    ),
    (
        "both-indicator-and-ref",
        files(SLO_GOOD.replace("  indicator:\n", "  indicatorRef: export-errors\n  indicator:\n")),
        FILE,
        "spec",
        "needs exactly one of indicator or indicatorRef",
    ),
    (
        "target-as-percent",
        files(SLO_BAD.replace("target: 0.999", "target: 99.9")),
        FILE,
        "spec.objectives[0].target",
        "must be a ratio between 0 and 1, e.g. 0.999",
    ),
    (
        "target-percent-100",
        files(SLO_GOOD.replace("targetPercent: 99", "targetPercent: 100")),
        FILE,
        "spec.objectives[0].targetPercent",
        "must be below 100",
    ),
    (
        "no-target",
        files(SLO_BAD.replace("      target: 0.999\n", "")),
        FILE,
        "spec.objectives[0]",
        "needs exactly one of target (0.999) or targetPercent (99.9)",
    ),
    (
        "not-a-selector",
        files(
            SLO_BAD,
            slis=SLI_FILE.replace(
                'query: http_requests_total{service="export"}',
                'query: sum(http_requests_total{service="export"})',
            ),
        ),
        "openslo/slis.yaml",
        "spec.ratioMetric.total.metricSource.spec.query",
        "must be a counter selector such as",
    ),
    (
        "both-good-and-bad",
        files(
            SLO_BAD,
            slis=SLI_FILE.replace(
                "    bad:\n", "    good:\n      metricSource: {spec: {query: up}}\n    bad:\n"
            ),
        ),
        "openslo/slis.yaml",
        "spec.ratioMetric",
        "needs exactly one of good or bad",
    ),
    (
        "gauge",
        files(SLO_BAD, slis=SLI_FILE.replace("counter: true", "counter: false")),
        "openslo/slis.yaml",
        "spec.ratioMetric.counter",
        "false (a gauge) is not supported; budgetbot counts events",
    ),
    (
        "threshold-metric",
        files(
            SLO_BAD,
            slis=SLI_FILE.replace("  ratioMetric:", "  thresholdMetric: {}\n  ratioMetric:"),
        ),
        "openslo/slis.yaml",
        "spec.thresholdMetric.metricSource.spec.query",
        "a thresholdMetric needs its PromQL query",
    ),
    (
        "not-prometheus",
        files(SLO_BAD, slis=SLI_FILE.replace("type: Prometheus", "type: Datadog", 1)),
        "openslo/slis.yaml",
        "spec.ratioMetric.bad.metricSource.type",
        "only Prometheus metric sources are supported",
    ),
    (
        "prometheus-ish-key",
        files(
            SLO_BAD,
            slis=SLI_FILE.replace('query: http_requests_total{service="export"}\n', "expr: up\n"),
        ),
        "openslo/slis.yaml",
        "spec.ratioMetric.total.metricSource.spec.expr",
        "unknown key 'expr': write the PromQL as query: (or promql:)",
    ),
    (
        "missing-query",
        files(
            SLO_BAD,
            slis=SLI_FILE.replace('query: http_requests_total{service="export"}\n', "{}\n"),
        ),
        "openslo/slis.yaml",
        "spec.ratioMetric.total.metricSource.spec.query",
        "is required: a PromQL query or a counter selector",
    ),
    (
        "api-version",
        files(SLO_BAD.replace("openslo/v1", "openslo/v2alpha")),
        FILE,
        "apiVersion",
        "unsupported apiVersion 'openslo/v2alpha'; budgetbot reads OpenSLO openslo/v1 and "
        "openslo/v1alpha",
    ),
    (
        "unknown-kind",
        files(SERVICE_DOC, SLO_BAD, SERVICE_DOC.replace("kind: Service", "kind: Servce")),
        FILE,
        "documents[2].kind",
        "unknown kind 'Servce' (openslo/v1 kinds: SLO, SLI, Service, DataSource, AlertPolicy, "
        "AlertCondition, AlertNotificationTarget); did you mean 'Service'?",
    ),
    (
        "team-label-two-teams",
        files(SLO_GOOD.replace("team: [platform]", "team: [platform, search]")),
        FILE,
        "metadata.labels.team",
        "must name exactly one team, got 2",
    ),
    (
        "undeclared-service-no-team",
        files(SLO_BAD, root=ROOT_TEXT.replace("  export: {team: platform, tier: staging}\n", "")),
        FILE,
        "metadata.labels.team",
        "no team owns service 'export': give the file a team label (metadata.labels.team)",
    ),
    (
        "duplicate-sli",
        files(SLI_FILE, SLO_BAD),
        "openslo/slis.yaml",
        "metadata.name",
        "SLI 'export-errors' is already defined at openslo/export.yaml: documents[0].metadata.name",
    ),
    (
        "typo",
        files(SLO_BAD.replace("budgetingMethod", "budgetMethod")),
        FILE,
        "spec.budgetMethod",
        "did you mean 'budgetingMethod'?",
    ),
    (
        "duplicate-slo-name-across-formats",
        files(
            SLO_BAD,
            root=ROOT_TEXT + "slos:\n  - {name: export-availability, service: export, "
            "objective: 99, sli: {raw: {error_ratio_query: 'x[{{.window}}]'}}}\n",
        ),
        FILE,
        "metadata.name",
        "duplicate SLO name 'export-availability', first defined at budgetbot.yaml: slos[0].name",
    ),
]


@pytest.mark.parametrize(
    ("given", "file", "path", "fragment"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_broken_openslo_files(
    problems: Callable[[Files], list[Problem]], given: Files, file: str, path: str, fragment: str
) -> None:
    find(problems(given), file, path, fragment)


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("http_requests_total", "sum(rate(http_requests_total[{{.window}}]))"),
        ("job:requests:total{}", "sum(rate(job:requests:total{}[{{.window}}]))"),
        (
            '{__name__="http_requests_total", job="a"}',
            'sum(rate({__name__="http_requests_total", job="a"}[{{.window}}]))',
        ),
        (
            "http_requests_total{code=~'5..', path!=\"/a,b}\"}",
            "sum(rate(http_requests_total{code=~'5..', path!=\"/a,b}\"}[{{.window}}]))",
        ),
        ("sum(rate(x_total[{{.window}}]))", "sum(rate(x_total[{{.window}}]))"),
    ],
)
def test_selectors_become_rate_queries(
    load: Callable[[Files], Catalog], query: str, total: str
) -> None:
    old = 'query: http_requests_total{service="export"}\n'
    slis = SLI_FILE.replace(old, f"query: {yaml_quote(query)}\n")
    (slo,) = load(files(SLO_BAD, slis=slis)).slos
    assert isinstance(slo.sli, EventsSLI)
    assert slo.sli.total_query == total


@pytest.mark.parametrize(
    "query",
    [
        "rate(http_requests_total[5m])",
        "http_requests_total offset 5m",
        "http_requests_total + other_total",
        "http_requests_total{code=5}",
        "{}",
    ],
)
def test_other_queries_without_window_are_refused(
    problems: Callable[[Files], list[Problem]], query: str
) -> None:
    old = 'query: http_requests_total{service="export"}\n'
    slis = SLI_FILE.replace(old, f"query: {yaml_quote(query)}\n")
    found = problems(files(SLO_BAD, slis=slis))
    path = "spec.ratioMetric.total.metricSource.spec.query"
    find(found, "openslo/slis.yaml", path, "or a query containing {{.window}}")


def yaml_quote(text: str) -> str:
    """text as a single-quoted YAML scalar."""
    return "'" + text.replace("'", "''") + "'"
