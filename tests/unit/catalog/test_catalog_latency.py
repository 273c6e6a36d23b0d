"""The native latency SLI: `sli.latency: {metric, selector, threshold}` becomes events
over the histogram (good: the bucket at the threshold, total: its count), and what cannot
be one is refused with file, path and what to write. Pyrra's latency carries its bucket."""

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.slo import Catalog, EventsSLI, le_pattern
from tests.unit.catalog.catalog_helpers import BASE, Files, find

LATENCY = """\
slos:
  - name: checkout-latency
    service: checkout
    objective: 99
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{service="checkout",method="GET"}'
        threshold: 0.3
"""


def test_a_latency_sli_reads_the_bucket_and_the_count(load: Callable[[Files], Catalog]) -> None:
    (slo,) = load({"budgetbot.yaml": BASE + LATENCY}).slos
    assert isinstance(slo.sli, EventsSLI) and slo.sli.bucket is not None
    series = 'http_request_duration_seconds_bucket{service="checkout",method="GET"}'
    assert slo.sli.bucket.series == series and slo.sli.bucket.threshold == 0.3
    count = 'sum(increase(http_request_duration_seconds_count{service="checkout",method="GET"}'
    assert slo.sli.total_query == count + "[{{.window}}]))"
    good = f'{series[:-1]},le=~"0\\\\.30*"}}'
    assert slo.sli.error_query == f"{slo.sli.total_query} - sum(increase({good}[{{{{.window}}}}]))"


@pytest.mark.parametrize(
    ("threshold", "matches", "misses"),
    [
        (0.3, ["0.3", "0.30", "0.300"], ["0.35", "0.03", "3"]),
        (1.0, ["1", "1.0", "1.00"], ["10", "0.1", "1.5"]),
        (2.5, ["2.5", "2.50"], ["2.05", "25"]),
        (1e-05, ["1e-05"], ["1e-5x"]),
    ],
)
def test_le_is_matched_by_value_however_it_is_written(
    threshold: float, matches: list[str], misses: list[str]
) -> None:
    import re

    pattern = re.compile(le_pattern(threshold))
    assert all(pattern.fullmatch(le) for le in matches)
    assert not any(pattern.fullmatch(le) for le in misses)


@pytest.mark.parametrize(
    ("old", "new", "path", "fragment"),
    [
        ("metric: http_request_duration_seconds", "metric: http_request_duration_seconds_bucket",
         "slos[0].sli.latency.metric", "name the histogram itself"),
        ("threshold: 0.3", "threshold: 0", "slos[0].sli.latency.threshold",
         "must be a bucket boundary above 0"),
        ("selector: '{service=\"checkout\",method=\"GET\"}'", "selector: '{le=\"0.3\"}'",
         "slos[0].sli.latency.selector", "le and __name__ are budgetbot's to choose"),
        ("selector: '{service=\"checkout\",method=\"GET\"}'", "selector: 'rate(x[5m])'",
         "slos[0].sli.latency.selector", "invalid matchers"),
        ("    sli:\n", "    sli:\n      raw: {error_ratio_query: 'x[{{.window}}]'}\n",
         "slos[0].sli", "needs exactly one of events, raw, latency or threshold"),
    ],
)  # fmt: skip
def test_what_cannot_be_a_latency_sli_is_refused(
    problems: Callable[[Files], list[Problem]], old: str, new: str, path: str, fragment: str
) -> None:
    assert old in LATENCY
    found = problems({"budgetbot.yaml": BASE + LATENCY.replace(old, new)})
    find(found, "budgetbot.yaml", path, fragment)


PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: checkout-latency, labels: {team: payments}}
spec:
  target: "99"
  window: 28d
  indicator:
    latency:
      success: {metric: 'http_request_duration_seconds_bucket{job="checkout",le="0.5"}'}
      total: {metric: 'http_request_duration_seconds_count{job="checkout"}'}
"""


def test_pyrras_latency_carries_its_bucket(load: Callable[[Files], Catalog]) -> None:
    root = BASE + "include: [{path: pyrra.yaml}]\n"
    (slo,) = load({"budgetbot.yaml": root, "pyrra.yaml": PYRRA}).slos
    assert isinstance(slo.sli, EventsSLI) and slo.sli.bucket is not None
    assert slo.sli.bucket.series == 'http_request_duration_seconds_bucket{job="checkout"}'
    assert slo.sli.bucket.threshold == 0.5
