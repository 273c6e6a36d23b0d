"""Pyrra pyrra.dev/v1alpha1 ServiceLevelObjective resources included from the native catalog."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.slo import Bucket, Catalog, EventsSLI, QueryKind, Service, Tier
from tests.unit.catalog.catalog_helpers import Files, find

ROOT = "budgetbot.yaml"
FILE = "slos/checkout.yaml"
ROOT_TEXT = """\
teams:
  payments: {channel: C0123PAY}
  web: {channel: C0456WEB}
include:
  - slos/*.yaml
  - {path: probes/web.yaml, team: web}
"""
W = "{{.window}}"
DAYS = 86400

RATIO = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: checkout-errors
  namespace: shop
  labels:
    team: payments
    role: alert-rules
  annotations:
    runbook: https://runbooks.example/checkout
spec:
  target: "99.9"
  window: 4w
  description: Checkout requests answered without a server error.
  indicator:
    ratio:
      errors:
        metric: http_requests_total{job="checkout",code=~"5.."}
      total:
        metric: http_requests_total{job="checkout"}
  alerting:
    name: CheckoutBudgetBurn
    burnrates: true
"""

SUCCESS = 'http_request_duration_seconds_bucket{job="checkout",le="0.5"}'
LATENCY = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: checkout-latency
  labels:
    pyrra.dev/team: payments
    service: checkout
spec:
  target: 99.5
  window: 2w
  indicator:
    latency:
      success:
        metric: http_request_duration_seconds_bucket{job="checkout",le="0.5"}
      total:
        metric: http_request_duration_seconds_count{job="checkout"}
"""

PROBE = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: web-probe
spec:
  target: "99"
  window: 30d
  indicator:
    bool_gauge:
      metric: probe_success{instance="https://shop.example"}
"""

PROBE_FILE = "probes/web.yaml"
PROBE_INDICATOR = """\
    bool_gauge:
      metric: probe_success{instance="https://shop.example"}
"""
FILES: Files = {ROOT: ROOT_TEXT, FILE: RATIO + "---\n" + LATENCY, PROBE_FILE: PROBE}


def test_ratio_resource(load: Callable[[Files], Catalog]) -> None:
    slo = load(FILES).slos[0]
    assert (slo.name, slo.service, slo.team, slo.tier) == (
        "checkout-errors",
        "checkout-errors",
        "payments",
        Tier.PRODUCTION,
    )
    assert slo.objective == 99.9
    assert slo.window == 28 * DAYS
    assert slo.description == "Checkout requests answered without a server error."
    assert slo.source == FILE
    assert slo.sli == EventsSLI(
        f'sum(increase(http_requests_total{{job="checkout",code=~"5.."}}[{W}]))',
        f'sum(increase(http_requests_total{{job="checkout"}}[{W}]))',
        error_kind=QueryKind.COUNT,
        total_kind=QueryKind.COUNT,
    )
    assert slo.notes == (
        "service checkout-errors is the SLO's name: the resource has no metadata.labels.service",
        "spec.alerting ignored: budgetbot sends its own burn-rate alerts",
    )


def test_latency_resource_in_a_second_document(load: Callable[[Files], Catalog]) -> None:
    catalog = load(FILES)
    slo = catalog.slos[1]
    assert (slo.name, slo.service, slo.team) == ("checkout-latency", "checkout", "payments")
    assert (slo.objective, slo.window) == (99.5, 14 * DAYS)
    total = f'sum(increase(http_request_duration_seconds_count{{job="checkout"}}[{W}]))'
    success = f"sum(increase({SUCCESS}[{W}]))"
    bucket = Bucket('http_request_duration_seconds_bucket{job="checkout"}', 0.5)
    assert slo.sli == EventsSLI(
        f"{total} - {success}",
        total,
        error_kind=QueryKind.COUNT,
        total_kind=QueryKind.COUNT,
        bucket=bucket,
    )
    assert slo.notes == ("service checkout from metadata.labels.service",)
    assert catalog.services["checkout"] == Service("checkout", "payments", Tier.PRODUCTION)


def test_bool_gauge_takes_the_team_of_its_include(load: Callable[[Files], Catalog]) -> None:
    slo = load(FILES).slos[2]
    assert (slo.name, slo.team, slo.objective, slo.window) == ("web-probe", "web", 99.0, 30 * DAYS)
    selector = 'probe_success{instance="https://shop.example"}'
    total = f"sum(count_over_time({selector}[{W}]))"
    assert slo.sli == EventsSLI(
        f"{total} - sum(sum_over_time({selector}[{W}]))",
        total,
        error_kind=QueryKind.COUNT,
        total_kind=QueryKind.COUNT,
    )
    assert "team web from the include (budgetbot.yaml: include[1].team)" in slo.notes


def test_selector_is_rebuilt_from_its_parsed_parts(load: Callable[[Files], Catalog]) -> None:
    metric = 'http_requests_total{job="checkout",code=~"5.."}'
    written = r'http_requests_total{ job = "checkout", code =~ "5..", path != "/a\"b" }  # 5xx'
    files = {**FILES, FILE: RATIO.replace(metric, f"'{written}'")}
    slo = load(files).slos[0]
    assert isinstance(slo.sli, EventsSLI)
    rebuilt = r'http_requests_total{job="checkout",code=~"5..",path!="/a\"b"}'
    assert slo.sli.error_query == f"sum(increase({rebuilt}[{W}]))"


def test_conflicting_team_labels(problems: Callable[[Files], list[Problem]]) -> None:
    latency = LATENCY.replace("    service: checkout\n", "    service: checkout\n    team: web\n")
    found = problems({**FILES, FILE: RATIO + "---\n" + latency})
    message = "names team 'payments', but metadata.labels.team names 'web'; keep one"
    find(found, FILE, "documents[1].metadata.labels.pyrra.dev/team", message)


def test_no_team_names_the_team_label(problems: Callable[[Files], list[Problem]]) -> None:
    found = problems({**FILES, FILE: RATIO.replace("    team: payments\n", "")})
    message = (
        "no team owns service 'checkout-errors': give the file a team label (metadata.labels.team)"
    )
    find(found, FILE, "metadata.labels.team", message)


def _ratio_doc(old: str, new: str) -> Files:
    """FILES with the ratio document (the first of two) changed."""
    return {**FILES, FILE: RATIO.replace(old, new) + "---\n" + LATENCY}


def _latency_doc(old: str, new: str) -> Files:
    """FILES with the latency document (the second of two) changed."""
    return {**FILES, FILE: RATIO + "---\n" + LATENCY.replace(old, new)}


PREFIX = "documents[0]"
BROKEN: list[tuple[str, Files, str, str, str]] = [
    # (id, files, file, path, message fragment)
    (
        "grouping",
        _ratio_doc("  alerting:\n", "      grouping: [handler]\n  alerting:\n"),
        FILE,
        f"{PREFIX}.spec.indicator.ratio.grouping",
        "grouping by handler is not supported: budgetbot keeps one error budget per SLO; "
        "write one SLO per group",
    ),
    (
        "latency-without-le",
        _latency_doc(',le="0.5"', ""),
        FILE,
        "documents[1].spec.indicator.latency.success.metric",
        "the success metric must select one histogram bucket with le, e.g. "
        'http_request_duration_seconds_bucket{job="api",le="0.5"}',
    ),
    (
        "latency-le-regex",
        _latency_doc('le="0.5"', 'le=~"0.5|1"'),
        FILE,
        "documents[1].spec.indicator.latency.success.metric",
        'le must be one bucket boundary such as le="0.5", got le=~"0.5|1"',
    ),
    (
        "bad-selector",
        _ratio_doc('code=~"5.."}', 'code=~"5.."'),
        FILE,
        f"{PREFIX}.spec.indicator.ratio.errors.metric",
        'SLO checkout-errors: invalid PromQL selector \'http_requests_total{job="checkout",'
        'code=~"5.."\': unexpected end of input inside braces',
    ),
    (
        "not-a-selector",
        _ratio_doc(
            'metric: http_requests_total{job="checkout"}', "metric: rate(http_requests_total[5m])"
        ),
        FILE,
        f"{PREFIX}.spec.indicator.ratio.total.metric",
        "SLO checkout-errors: must be one metric selector such as "
        "http_requests_total{job=\"api\"}, not the expression 'rate(http_requests_total[5m])'",
    ),
    (
        "offset",
        _ratio_doc(
            'metric: http_requests_total{job="checkout"}', "metric: http_requests_total offset 1m"
        ),
        FILE,
        f"{PREFIX}.spec.indicator.ratio.total.metric",
        "offset and @ are not supported",
    ),
    (
        "kind",
        _ratio_doc("kind: ServiceLevelObjective", "kind: ServiceLevelObjectiveList"),
        FILE,
        f"{PREFIX}.kind",
        "unknown kind 'ServiceLevelObjectiveList'; budgetbot reads Pyrra's kind "
        "ServiceLevelObjective",
    ),
    (
        "api-version",
        _ratio_doc("pyrra.dev/v1alpha1", "pyrra.dev/v1"),
        FILE,
        f"{PREFIX}.apiVersion",
        "only pyrra.dev/v1alpha1 is supported, got 'pyrra.dev/v1'",
    ),
    (
        "target-not-a-percent",
        _ratio_doc('target: "99.9"', 'target: "99.9%"'),
        FILE,
        f"{PREFIX}.spec.target",
        "must be a percent such as '99.9', got '99.9%'",
    ),
    (
        "target-a-ratio",
        _ratio_doc('target: "99.9"', 'target: "0.999"'),
        FILE,
        f"{PREFIX}.spec.target",
        "is a percent (0-100): '0.999' means 0.999 %",
    ),
    (
        "target-100",
        _ratio_doc('target: "99.9"', 'target: "100"'),
        FILE,
        f"{PREFIX}.spec.target",
        "must be below 100",
    ),
    (
        "window",
        _ratio_doc("window: 4w", "window: four-weeks"),
        FILE,
        f"{PREFIX}.spec.window",
        "'four-weeks' is not a duration",
    ),
    (
        "no-indicator",
        _ratio_doc("    ratio:\n", "    ratios:\n"),
        FILE,
        f"{PREFIX}.spec.indicator.ratios",
        "unknown key (did you mean 'ratio'?)",
    ),
    (
        "missing-indicator",
        {**FILES, PROBE_FILE: PROBE.replace("  indicator:\n" + PROBE_INDICATOR, "")},
        PROBE_FILE,
        "spec.indicator",
        "is required",
    ),
    (
        "empty-indicator",
        {**FILES, PROBE_FILE: PROBE.replace(PROBE_INDICATOR, "    {}\n")},
        PROBE_FILE,
        "spec.indicator",
        "needs exactly one of ratio, latency or bool_gauge",
    ),
    (
        "two-indicators",
        _latency_doc("    latency:\n", "    bool_gauge:\n      metric: up\n    latency:\n"),
        FILE,
        "documents[1].spec.indicator",
        "needs exactly one of ratio, latency or bool_gauge, got latency and bool_gauge",
    ),
    (
        "latency-native",
        _latency_doc(
            "    latency:\n      success:\n        metric: " + SUCCESS + "\n",
            "    latencyNative:\n      latency: 500ms\n",
        ),
        FILE,
        "documents[1].spec.indicator.latencyNative",
        "native histograms are not supported",
    ),
    (
        "unknown-spec-key",
        _ratio_doc("  window: 4w\n", "  window: 4w\n  windows: 2w\n"),
        FILE,
        f"{PREFIX}.spec.windows",
        "unknown key (did you mean 'window'?)",
    ),
    (
        "bad-name",
        _ratio_doc("name: checkout-errors", "name: checkout errors"),
        FILE,
        f"{PREFIX}.metadata.name",
        "may only contain letters, digits",
    ),
]


@pytest.mark.parametrize(
    ("files", "file", "path", "fragment"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_refused(
    problems: Callable[[Files], list[Problem]], files: Files, file: str, path: str, fragment: str
) -> None:
    find(problems(files), file, path, fragment)
