"""Calendar windows in every form that has them: native `window: week|month|quarter`,
an include's window for files that carry none (Sloth), OpenSLO v1 `1w|1M|1Q` and v1alpha
`{unit: Week|Month|Quarter, count: 1}` with `isRolling: false`; aligned in the owning
team's time zone. Unknown words are refused with what to write."""

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.slo import Catalog
from bot.domain.windows import Calendar
from tests.unit.catalog.catalog_helpers import BASE, SLO, Files, find

SLOTH = """\
version: prometheus/v1
service: checkout
labels: {team: payments}
slos:
  - name: latency
    objective: 99
    sli:
      events:
        error_query: sum(rate(checkout_slow_total[{{.window}}]))
        total_query: sum(rate(checkout_total[{{.window}}]))
"""

OPENSLO_V1 = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-monthly, labels: {team: payments}}
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar: {startTime: '2026-01-01 00:00:00', timeZone: UTC}
  indicator:
    metadata: {name: checkout-errors}
    spec:
      ratioMetric:
        counter: true
        bad: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{code=~"5.."}'}}}
        total: {metricSource: {type: Prometheus, spec: {query: http_requests_total}}}
  objectives: [{target: 0.999}]
"""

OPENSLO_ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: checkout-quarterly}
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindows: [{unit: Quarter, count: 1, isRolling: false}]
  objectives:
    - target: 0.99
      ratioMetrics:
        counter: true
        bad: {source: prometheus, queryType: promql, query: 'http_requests_total{code=~"5.."}'}
        total: {source: prometheus, queryType: promql, query: http_requests_total}
"""


@pytest.mark.parametrize("word", ["week", "month", "quarter", "Month"])
def test_a_native_window_may_be_a_calendar_period(
    load: Callable[[Files], Catalog], word: str
) -> None:
    text = SLO.replace("    objective: 99.9\n", f"    objective: 99.9\n    window: {word}\n")
    (slo,) = load({"budgetbot.yaml": BASE + text}).slos
    assert slo.calendar is Calendar(word.lower())
    assert slo.timezone == "Europe/Berlin"  # the owning team's
    assert slo.window == Calendar(word.lower()).nominal and slo.window_label == word.lower()


def test_an_include_gives_a_sloth_file_its_calendar_window(
    load: Callable[[Files], Catalog],
) -> None:
    root = BASE + "include: [{path: sloth.yaml, window: quarter}]\n"
    (slo,) = load({"budgetbot.yaml": root, "sloth.yaml": SLOTH}).slos
    assert slo.calendar is Calendar.QUARTER
    assert "window quarter from the include" in " ".join(slo.notes)


def test_openslo_calendar_windows_load(load: Callable[[Files], Catalog]) -> None:
    root = BASE + "include: [v1.yaml, alpha.yaml]\n"
    catalog = load({"budgetbot.yaml": root, "v1.yaml": OPENSLO_V1, "alpha.yaml": OPENSLO_ALPHA})
    by_name = {s.name: s for s in catalog.slos}
    assert by_name["checkout-monthly"].calendar is Calendar.MONTH
    assert by_name["checkout-quarterly"].calendar is Calendar.QUARTER
    assert any("calendar.startTime" in n for n in by_name["checkout-monthly"].notes)
    assert {s.timezone for s in catalog.slos} == {"Europe/Berlin"}


def test_a_rolling_window_stays_rolling(load: Callable[[Files], Catalog]) -> None:
    (slo,) = load({"budgetbot.yaml": BASE + SLO}).slos
    assert slo.calendar is None and slo.window == 30 * 86400


@pytest.mark.parametrize("word", ["fortnight", "year", "monthly"])
def test_unknown_window_words_say_what_to_write(
    problems: Callable[[Files], list[Problem]], word: str
) -> None:
    text = SLO.replace("    objective: 99.9\n", f"    objective: 99.9\n    window: {word}\n")
    found = problems({"budgetbot.yaml": BASE + text})
    find(found, "budgetbot.yaml", "slos[0].window", "or a calendar period: week, month or quarter")


def test_two_calendar_months_are_refused_with_what_to_write(
    problems: Callable[[Files], list[Problem]],
) -> None:
    v1 = OPENSLO_V1.replace("duration: 1M", "duration: 2M")
    found = problems({"budgetbot.yaml": BASE + "include: [v1.yaml]\n", "v1.yaml": v1})
    find(found, "v1.yaml", "spec.timeWindow[0].duration", "a calendar window is 1w, 1M or 1Q")
