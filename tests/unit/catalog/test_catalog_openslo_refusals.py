"""What OpenSLO files may say that budgetbot refuses: each message names the file, the full
path (with its `[i]` or `documents[i]` prefix) and the feature, and says what to write instead.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.catalog.openslo_window import ALPHA_CALENDAR, ALPHA_ROLLING, V1_CALENDAR, V1_ROLLING
from bot.domain.slo import Catalog
from tests.unit.catalog.catalog_helpers import Files, find

ROOT = "budgetbot.yaml"
FILE = "slos/orders.yaml"
ROOT_TEXT = f"teams:\n  orders: {{channel: C0999ORD}}\ninclude: [{FILE}]\n"

SERVICE = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: orders, labels: {team: orders}}
spec: {description: Order intake.}
"""

SLI = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: orders-rejected}
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource: {type: Prometheus, spec: {query: 'orders_total{state="rejected"}'}}
    total:
      metricSource: {type: Prometheus, spec: {query: orders_total}}
"""

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: orders-accepted}
spec:
  service: orders
  indicatorRef: orders-rejected
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives: [{displayName: Accepted, target: 0.999}]
"""

ALPHA_SLO = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: orders-alpha}
spec:
  service: orders
  budgetingMethod: Occurrences
  timeWindows: [{unit: Day, count: 7, isRolling: true}]
  objectives:
    - target: 0.99
      ratioMetrics:
        counter: true
        bad: {source: prometheus, queryType: promql, query: 'orders_total{state="rejected"}'}
        total: {source: prometheus, queryType: promql, query: orders_total}
"""

OBJECTS = (SERVICE, SLI, SLO, ALPHA_SLO)
THRESHOLD = "a threshold metric (thresholdMetric) judges time slices: it needs budgetingMethod"
COMPOSITE = "composite SLOs (an indicator per objective) are not supported yet; write one SLO"
TIMESLICES = (
    "is not supported in this version; budgetbot counts events over the window: use budgetingMethod"
)
INLINE = (
    "  indicator:\n    metadata: {name: orders-latency}\n    spec:\n      thresholdMetric:\n"
    "        metricSource: {type: Prometheus, spec: {query: orders_latency_seconds}}\n"
)
ALPHA_INDICATOR = (
    "spec:\n  indicator:\n    thresholdMetric:\n"
    "      {source: prometheus, queryType: promql, query: orders_latency_seconds}\n"
)

REFUSED: list[tuple[str, int, str, str, str, str]] = [
    # (id, index of the object changed, old text, new text, path inside it, message fragment)
    (
        "v1-is-rolling-false",
        2,
        "isRolling: true",
        "isRolling: false",
        "spec.timeWindow[0].duration",
        f"'28d' with isRolling: false; {V1_CALENDAR}",
    ),
    (
        "v1-calendar",
        2,
        "isRolling: true",
        "calendar: {startTime: '2024-01-01 00:00:00', timeZone: Europe/Berlin}",
        "spec.timeWindow[0].calendar",
        f"needs isRolling: false; {V1_CALENDAR}",
    ),
    *[
        (
            f"v1-duration-{duration}",
            2,
            "duration: 28d",
            f"duration: {duration}",
            "spec.timeWindow[0].duration",
            f"'{duration}' counts {unit}, a calendar period; {V1_CALENDAR}, or {V1_ROLLING}",
        )
        for duration, unit in (
            ("1M", "months"),
            ("1Q", "quarters"),
            ("1Y", "years"),
            ("1y", "years"),
        )
    ],
    (
        "v1-Timeslices-without-slices",
        2,
        "Occurrences",
        "Timeslices",
        "spec.objectives[0].timeSliceWindow",
        "Timeslices needs timeSliceWindow, a duration such as 1m",
    ),
    (
        "v1-RatioTimeslices-without-slices",
        2,
        "Occurrences",
        "RatioTimeslices",
        "spec.objectives[0].timeSliceWindow",
        "Timeslices needs timeSliceWindow",
    ),
    (
        "v1-sli-threshold",
        1,
        "  ratioMetric:\n",
        "  thresholdMetric:\n",
        "spec.thresholdMetric.metricSource.spec.query",
        "a thresholdMetric needs its PromQL query",
    ),
    (
        "v1-inline-threshold",
        2,
        "  indicatorRef: orders-rejected\n",
        INLINE,
        "spec.indicator.spec.thresholdMetric",
        THRESHOLD,
    ),
    (
        "v1-raw",
        1,
        "    bad:\n",
        "    rawType: failure\n    raw:\n",
        "spec.ratioMetric.raw",
        "raw ratio metrics (raw, rawType) are not supported yet; give counters as total with good "
        "or bad, or write the SLO in the budgetbot catalog with sli.raw.error_ratio_query",
    ),
    (
        "v1-raw-type",
        1,
        "    counter: true\n",
        "    counter: true\n    rawType: success\n",
        "spec.ratioMetric.rawType",
        "raw ratio metrics (raw, rawType) are not supported yet",
    ),
    (
        "v1-composite-ref",
        2,
        "target: 0.999}",
        "target: 0.999, indicatorRef: orders-rejected}",
        "spec.objectives[0].indicatorRef",
        COMPOSITE,
    ),
    (
        "v1-composite-weight",
        2,
        "target: 0.999}",
        "target: 0.999, compositeWeight: 2}",
        "spec.objectives[0].compositeWeight",
        COMPOSITE,
    ),
    (
        "v1-unknown-kind",
        0,
        "kind: Service",
        "kind: Servise",
        "kind",
        "unknown kind 'Servise' (openslo/v1 kinds: SLO, SLI, Service, DataSource, AlertPolicy, "
        "AlertCondition, AlertNotificationTarget); did you mean 'Service'?",
    ),
    (
        "unknown-api-version",
        1,
        "openslo/v1",
        "openslo/v2alpha",
        "apiVersion",
        "unsupported apiVersion 'openslo/v2alpha'; budgetbot reads OpenSLO openslo/v1 and "
        "openslo/v1alpha",
    ),
    (
        "v1-expr-key",
        1,
        "spec: {query: orders_total}",
        "spec: {expr: orders_total}",
        "spec.ratioMetric.total.metricSource.spec.expr",
        "unknown key 'expr': write the PromQL as query: (or promql:)",
    ),
    (
        "v1-other-spec-key",
        1,
        "spec: {query: orders_total}",
        "spec: {query: orders_total, step: 1m}",
        "spec.ratioMetric.total.metricSource.spec.step",
        "unknown key 'step': a Prometheus metric source is read from spec.query (or spec.promql)",
    ),
    (
        "v1-query-and-promql",
        1,
        "spec: {query: orders_total}",
        "spec: {query: orders_total, promql: orders_total}",
        "spec.ratioMetric.total.metricSource.spec",
        "give the PromQL once: query or promql, not both",
    ),
    (
        "v1-not-prometheus",
        1,
        "{type: Prometheus, spec: {query: orders_total}}",
        "{type: Datadog, spec: {query: 'sum:orders{*}'}}",
        "spec.ratioMetric.total.metricSource.type",
        "only Prometheus metric sources are supported, got 'Datadog'",
    ),
    (
        "v1alpha-is-rolling-false",
        3,
        "isRolling: true",
        "isRolling: false",
        "spec.timeWindows[0]",
        f"{{unit: Day, count: 7, isRolling: false}}; {ALPHA_CALENDAR}, or {ALPHA_ROLLING}",
    ),
    (
        "v1alpha-calendar",
        3,
        "isRolling: true",
        "calendar: {startTime: '2024-01-01 00:00:00', timeZone: UTC}",
        "spec.timeWindows[0].calendar",
        f"needs isRolling: false; {ALPHA_CALENDAR}",
    ),
    *[
        (
            f"v1alpha-unit-{unit}",
            3,
            "unit: Day",
            f"unit: {unit}",
            "spec.timeWindows[0]",
            f"{{unit: {unit}, count: 7, isRolling: true}}; {ALPHA_CALENDAR}, or {ALPHA_ROLLING}",
        )
        for unit in ("Month", "Quarter", "Year")
    ],
    (
        "v1alpha-timeslices-without-target",
        3,
        "Occurrences",
        "Timeslices",
        "spec.objectives[0].timeSliceTarget",
        "Timeslices over a ratioMetric needs timeSliceTarget",
    ),
    (
        "v1alpha-threshold",
        3,
        "spec:\n",
        ALPHA_INDICATOR,
        "spec.indicator.thresholdMetric",
        "a threshold metric (thresholdMetric) judges time slices: it needs budgetingMethod "
        "Timeslices; to count good and bad events give each objective ratioMetrics",
    ),
    (
        "v1alpha-sli-kind",
        1,
        "openslo/v1",
        "openslo/v1alpha",
        "kind",
        "kind 'SLI' is not part of openslo/v1alpha (openslo/v1alpha kinds: SLO, Service, "
        "AlertPolicy, AlertCondition, AlertNotificationTarget); write it as apiVersion: openslo/v1",
    ),
    (
        "v1alpha-not-prometheus",
        3,
        "total: {source: prometheus",
        "total: {source: datadog",
        "spec.objectives[0].ratioMetrics.total.source",
        "only Prometheus metric sources are supported, got 'datadog'",
    ),
]


def item(document: str) -> str:
    """A document written as an item of a YAML list."""
    lines = document.rstrip("\n").splitlines()
    return "".join(("- " if n == 0 else "  ") + line + "\n" for n, line in enumerate(lines))


def render(objects: list[str], form: str, index: int) -> tuple[str, str]:
    """The file holding the objects in one form, and the path prefix of object `index`."""
    if form == "documents":
        return "---\n".join(objects), f"documents[{index}]"
    if form == "list":
        return "".join(item(o) for o in objects), f"[{index}]"
    # a Service document, then the other objects as one list in a second document
    nested = objects[0] + "---\n" + "".join(item(o) for o in objects[1:])
    return nested, "documents[0]" if index == 0 else f"documents[1][{index - 1}]"


@pytest.mark.parametrize("form", ["list", "documents", "nested"])
@pytest.mark.parametrize(
    ("index", "old", "new", "path", "fragment"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_refused_with_file_path_and_feature(
    problems: Callable[[Files], list[Problem]],
    form: str,
    index: int,
    old: str,
    new: str,
    path: str,
    fragment: str,
) -> None:
    objects = list(OBJECTS)
    assert old in objects[index]
    objects[index] = objects[index].replace(old, new, 1)
    text, prefix = render(objects, form, index)
    full = f"{prefix}.{path}"
    problem = find(problems({ROOT: ROOT_TEXT, FILE: text}), FILE, full, fragment)
    assert str(problem).startswith(f"{FILE}: {full}: ")


@pytest.mark.parametrize("form", ["list", "documents", "nested"])
def test_the_unchanged_objects_load(load: Callable[[Files], Catalog], form: str) -> None:
    text, _ = render(list(OBJECTS), form, 0)
    catalog = load({ROOT: ROOT_TEXT, FILE: text})
    assert [slo.name for slo in catalog.slos] == ["orders-accepted", "orders-alpha"]
    assert {slo.team for slo in catalog.slos} == {"orders"}
