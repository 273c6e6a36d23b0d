"""Timeslice budgets in the native catalog: `budgeting: timeslices` with `timeslice: {size,
target}` over events (or latency), or with `sli.threshold: {query, op, value}`; and every
way of getting it wrong refused with file, path and what to write."""

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.slo import Catalog, EventsSLI, QueryKind
from bot.metrics.promql import render
from tests.unit.catalog.catalog_helpers import BASE, SLO, Files, find

SLICED = SLO.replace(
    "    objective: 99.9\n",
    "    objective: 99.9\n    budgeting: timeslices\n    timeslice: {size: 1m, target: 0.95}\n",
)
GAUGE = """\
slos:
  - name: checkout-p99
    service: checkout
    objective: 99
    budgeting: timeslices
    timeslice: {size: 5m}
    sli:
      threshold:
        query: histogram_quantile(0.99, sum by (le) (rate(lat_bucket[{{.window}}])))
        op: "<"
        value: 0.3
"""

UNSLICED_GAUGE = GAUGE.replace("    budgeting: timeslices\n", "").replace(
    "    timeslice: {size: 5m}\n", ""
)


def test_ratio_slices_count_bad_minutes_among_minutes_with_events(
    load: Callable[[Files], Catalog],
) -> None:
    (slo,) = load({"budgetbot.yaml": BASE + SLICED}).slos
    assert isinstance(slo.sli, EventsSLI) and slo.slice_size == 60 and slo.counted == "slices"
    assert (slo.sli.error_kind, slo.sli.total_kind) == (QueryKind.COUNT, QueryKind.COUNT)
    bad, total = render(slo.sli.error_query, 86400), render(slo.sli.total_query, 86400)
    assert bad.startswith("sum_over_time(((1 - (") and bad.endswith(
        ") < bool 0.95)[23h59m59s999ms:1m])"
    )
    assert 'sum(increase(http_requests_total{service="checkout",code=~"5.."}[1m]))' in bad
    assert total.startswith("count_over_time(((") and total.endswith(") > 0)[23h59m59s999ms:1m])")


def test_threshold_slices_count_values_that_miss_it(load: Callable[[Files], Catalog]) -> None:
    (slo,) = load({"budgetbot.yaml": BASE + GAUGE}).slos
    assert isinstance(slo.sli, EventsSLI) and slo.slice_size == 300
    bad, total = render(slo.sli.error_query, 3600), render(slo.sli.total_query, 3600)
    gauge = "histogram_quantile(0.99, sum by (le) (rate(lat_bucket[5m])))"
    assert bad == (
        f"sum_over_time(((({gauge}) >= bool 0.3) and (({gauge}) == ({gauge})))[59m59s999ms:5m])"
    )
    assert total == f"count_over_time((({gauge}) == ({gauge}))[59m59s999ms:5m])"


OPENSLO_THRESHOLD_REF = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: checkout-p99}
spec:
  thresholdMetric:
    metricSource: {type: Prometheus, spec: {query: 'checkout_latency_p99_seconds'}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-latency, labels: {team: payments}}
spec:
  service: checkout
  budgetingMethod: Timeslices
  timeWindow: [{duration: 7d, isRolling: true}]
  indicatorRef: checkout-p99
  objectives: [{target: 0.99, op: lte, value: 0.3, timeSliceWindow: 1m}]
"""


ALPHA_RATIO = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: checkout-alpha, labels: {team: payments}}
spec:
  service: checkout
  budgetingMethod: Timeslices
  timeWindows: [{unit: Day, count: 7, isRolling: true}]
  objectives:
    - target: 0.99
      timeSliceTarget: 0.95
      ratioMetrics:
        counter: true
        bad: {source: prometheus, queryType: promql, query: 'http_requests_total{code="500"}'}
        total: {source: prometheus, queryType: promql, query: http_requests_total}
"""
ALPHA_THRESHOLD = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: checkout-alpha-p99, labels: {team: payments}}
spec:
  service: checkout
  budgetingMethod: Timeslices
  timeWindows: [{unit: Day, count: 7, isRolling: true}]
  indicator:
    thresholdMetric: {source: prometheus, queryType: promql, query: checkout_latency_p99_seconds}
  objectives: [{target: 0.99, op: lte, value: 0.3}]
"""


def test_v1alpha_timeslices_are_one_minute_slices(load: Callable[[Files], Catalog]) -> None:
    root = BASE + "include: [ratio.yaml, threshold.yaml, inline.yaml]\n"
    files = {"budgetbot.yaml": root, "ratio.yaml": ALPHA_RATIO, "threshold.yaml": ALPHA_THRESHOLD,
             "inline.yaml": OPENSLO_THRESHOLD}  # fmt: skip
    ratio, threshold, inline = load(files).slos
    assert ratio.slice_size == threshold.slice_size == 60
    assert any("no slice size: 1-minute slices" in note for note in ratio.notes)
    assert isinstance(ratio.sli, EventsSLI) and "< bool 0.95)" in ratio.sli.error_query
    assert threshold.sli == inline.sli  # as v1's thresholdMetric with a 1m timeSliceWindow


def test_an_indicator_ref_to_a_threshold_metric_slices_as_inline(
    load: Callable[[Files], Catalog],
) -> None:
    root = BASE + "include: [slo.yaml, inline.yaml]\n"
    inline = OPENSLO_THRESHOLD.replace("checkout-latency", "checkout-inline")
    referenced, written_inline = load(
        {"budgetbot.yaml": root, "slo.yaml": OPENSLO_THRESHOLD_REF, "inline.yaml": inline}
    ).slos
    assert referenced.slice_size == written_inline.slice_size == 60
    assert referenced.sli == written_inline.sli


@pytest.mark.parametrize(
    ("text", "path", "fragment"),
    [
        (OPENSLO_THRESHOLD_REF.replace("Timeslices", "Occurrences"),
         "documents[1].spec.indicatorRef", "that needs budgetingMethod Timeslices"),
        (OPENSLO_THRESHOLD_REF.replace("Timeslices", "RatioTimeslices"),
         "documents[1].spec.indicatorRef", "it needs a ratioMetric SLI"),
        (OPENSLO_THRESHOLD_REF.replace("op: lte, ", ""), "documents[1].spec.objectives[0].op",
         "needs op: one of lt, lte, gt, gte"),
    ],
)  # fmt: skip
def test_wrong_references_to_a_threshold_metric_are_refused(
    problems: Callable[[Files], list[Problem]], text: str, path: str, fragment: str
) -> None:
    found = problems({"budgetbot.yaml": BASE + "include: [slo.yaml]\n", "slo.yaml": text})
    find(found, "slo.yaml", path, fragment)


@pytest.mark.parametrize(
    ("text", "path", "fragment"),
    [
        (SLICED.replace("target: 0.95", "target: 1.5"), "slos[0].timeslice.target", "in (0, 1]"),
        (SLICED.replace("target: 0.95", "target: 0"), "slos[0].timeslice.target", "in (0, 1]"),
        (SLICED.replace(", target: 0.95", ""), "slos[0].timeslice.target", "got none"),
        (SLICED.replace("    timeslice: {size: 1m, target: 0.95}\n", ""), "slos[0]",
         "budgeting: timeslices needs timeslice: {size: 1m, target: 0.95}"),
        (SLICED.replace("size: 1m", "size: 7m"), "slos[0].timeslice.size", "must be 1m, 2m, 3m"),
        (SLICED.replace("size: 1m", "size: 30s"), "slos[0].timeslice.size", "must be 1m, 2m, 3m"),
        (SLICED.replace("size: 1m", "size: 15m"), "slos[0].timeslice.size",
         "within the 5m burn window"),
        (GAUGE.replace("value: 0.3", "value: .nan"), "slos[0].sli.threshold",
         "the value must be a number"),
        (GAUGE.replace("histogram_quantile(0.99, sum by (le) (rate(lat_bucket[{{.window}}])))",
                       "up) or vector(1"), "slos[0].sli.threshold", "invalid PromQL"),
        (GAUGE.replace("histogram_quantile(0.99, sum by (le) (rate(lat_bucket[{{.window}}])))",
                       "up[5m]"), "slos[0].sli.threshold", "must give an instant vector"),
        (SLICED.replace("    budgeting: timeslices\n", ""), "slos[0].timeslice",
         "timeslice needs budgeting: timeslices"),
        (UNSLICED_GAUGE, "slos[0].sli.threshold", "give budgeting: timeslices"),
        (GAUGE.replace('op: "<"', 'op: "=="'), "slos[0].sli.threshold.op", "must be one of <"),
        (GAUGE.replace("{size: 5m}", "{size: 5m, target: 0.9}"), "slos[0].timeslice.target",
         "drop target"),
    ],
)  # fmt: skip
def test_wrong_timeslices_are_refused_with_what_to_write(
    problems: Callable[[Files], list[Problem]], text: str, path: str, fragment: str
) -> None:
    find(problems({"budgetbot.yaml": BASE + text}), "budgetbot.yaml", path, fragment)


OPENSLO_RATIO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-minutes, labels: {team: payments}}
spec:
  service: checkout
  budgetingMethod: Timeslices
  timeWindow: [{duration: 7d, isRolling: true}]
  indicatorRef: checkout-errors
  objectives: [{target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 5m}]
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: checkout-errors}
spec:
  ratioMetric:
    counter: true
    bad: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{code=~"5.."}'}}}
    total: {metricSource: {type: Prometheus, spec: {query: http_requests_total}}}
"""

OPENSLO_THRESHOLD = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-p99, labels: {team: payments}}
spec:
  service: checkout
  budgetingMethod: Timeslices
  timeWindow: [{duration: 7d, isRolling: true}]
  indicator:
    metadata: {name: checkout-p99}
    spec:
      thresholdMetric:
        metricSource: {type: Prometheus, spec: {query: 'checkout_latency_p99_seconds'}}
  objectives: [{target: 0.99, op: lte, value: 0.3, timeSliceWindow: 1m}]
"""


def test_openslo_timeslices_over_a_ratio_load_as_ratio_slices(
    load: Callable[[Files], Catalog],
) -> None:
    root = BASE + "include: [slo.yaml]\n"
    (slo,) = load({"budgetbot.yaml": root, "slo.yaml": OPENSLO_RATIO}).slos
    assert isinstance(slo.sli, EventsSLI) and slo.slice_size == 300
    bad = render(slo.sli.error_query, 86400)
    assert bad.endswith(") < bool 0.95)[23h59m59s999ms:5m])") and "[5m]" in bad


def test_openslo_timeslices_over_a_threshold_metric_load_as_threshold_slices(
    load: Callable[[Files], Catalog],
) -> None:
    root = BASE + "include: [slo.yaml]\n"
    (slo,) = load({"budgetbot.yaml": root, "slo.yaml": OPENSLO_THRESHOLD}).slos
    assert isinstance(slo.sli, EventsSLI) and slo.slice_size == 60
    assert render(slo.sli.error_query, 3600) == (
        "sum_over_time((((checkout_latency_p99_seconds) > bool 0.3) and "
        "((checkout_latency_p99_seconds) == (checkout_latency_p99_seconds)))[59m59s999ms:1m])"
    )


@pytest.mark.parametrize(
    ("text", "path", "fragment"),
    [
        (OPENSLO_RATIO.replace("timeSliceTarget: 0.95, ", ""),
         "spec.objectives[0].timeSliceTarget", "in (0, 1], got none"),
        (OPENSLO_RATIO.replace("timeSliceWindow: 5m", "timeSliceWindow: 7m"),
         "spec.objectives[0].timeSliceWindow", "must be 1m, 2m, 3m, 4m or 5m"),
        (OPENSLO_THRESHOLD.replace("value: 0.3", "value: .inf"), "spec.objectives[0].value",
         "the value must be a number"),
        (OPENSLO_THRESHOLD.replace("Timeslices", "RatioTimeslices"),
         "spec.indicator.spec.thresholdMetric", "it needs a ratioMetric"),
        (OPENSLO_THRESHOLD.replace("op: lte", "op: eq"), "spec.objectives[0].op",
         "needs op: one of lt, lte, gt, gte"),
    ],
)  # fmt: skip
def test_wrong_openslo_timeslices_are_refused(
    problems: Callable[[Files], list[Problem]], text: str, path: str, fragment: str
) -> None:
    found = problems({"budgetbot.yaml": BASE + "include: [slo.yaml]\n", "slo.yaml": text})
    prefix = "documents[0]." if "---" in text else ""
    find(found, "slo.yaml", prefix + path, fragment)
