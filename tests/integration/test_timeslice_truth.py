"""Timeslice budgets on a real Prometheus and a real VictoriaMetrics against the ground
truth, minute by minute: a minute is bad when less than the target of its requests
succeeded (the `fastburn` scenario's last 30 minutes), a minute without requests does not
count (`quiet`'s last 4 hours), and a threshold on a gauge counts the same minutes the
ratio form does."""

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.catalog import load_catalog
from bot.domain.burn import burn_windows
from bot.domain.durations import format_duration
from bot.metrics.prometheus import PrometheusSource
from bot.services.status import evaluate_status
from tests.support.cli import budgetbot

TARGET = 0.99
BUDGET = 0.01  # objective 99: one minute in a hundred may be bad
RATE = 'sum(rate(http_requests_total{{service="{s}"{code}}}[{{{{.window}}}}]))'
ERRORS = ',code="500"'


def ratio_slo(service: str) -> str:
    return f"""
  - name: {service}-minutes
    service: {service}
    objective: 99
    window: 1d
    budgeting: timeslices
    timeslice: {{size: 1m, target: {TARGET}}}
    sli:
      events:
        error_query: '{RATE.format(s=service, code=ERRORS)}'
        total_query: '{RATE.format(s=service, code="")}'
"""


def threshold_slo(service: str) -> str:
    share = f"{RATE.format(s=service, code=ERRORS)} / {RATE.format(s=service, code='')}"
    return f"""
  - name: {service}-gauge
    service: {service}
    objective: 99
    window: 1d
    budgeting: timeslices
    timeslice: {{size: 1m}}
    sli:
      threshold: {{query: '{share}', op: '<=', value: {1 - TARGET!r}}}
"""


def ratio_timeslices(service: str) -> str:
    """OpenSLO's RatioTimeslices: the mean of the minutes' success ratios."""
    bad = f'http_requests_total{{service="{service}"{ERRORS}}}'
    total = f'http_requests_total{{service="{service}"}}'
    return f"""---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: {service}-mean, labels: {{team: ops}}}}
spec:
  service: {service}
  budgetingMethod: RatioTimeslices
  timeWindow: [{{duration: 1d, isRolling: true}}]
  indicator:
    metadata: {{name: {service}-ratio}}
    spec:
      ratioMetric:
        counter: true
        bad: {{metricSource: {{type: Prometheus, spec: {{query: '{bad}'}}}}}}
        total: {{metricSource: {{type: Prometheus, spec: {{query: '{total}'}}}}}}
  objectives: [{{target: 0.99, timeSliceWindow: 1m}}]
"""


@pytest.fixture(scope="module")
def catalog(store: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    services = ("fastburn", "quiet")
    directory = tmp_path_factory.mktemp("slices")
    (directory / "openslo.yaml").write_text("".join(ratio_timeslices(s) for s in services))
    path: Path = directory / "budgetbot.yaml"
    path.write_text(
        f"prometheus: {{url: {store.url}}}\ninclude: [openslo.yaml]\n"
        "teams:\n  ops: {channel: C0OPS}\nservices:\n"
        + "".join(f"  {s}: {{team: ops}}\n" for s in services)
        + "slos:"
        + "".join(ratio_slo(s) + threshold_slo(s) for s in services),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def status(store: Any, catalog: Path) -> dict[str, dict[str, Any]]:
    at = store.end.isoformat()
    run = budgetbot("status", "--config", str(catalog), "--at", at, "--format", "json")
    assert run.returncode == 0, run.stderr
    return {doc["slo"]: doc for doc in json.loads(run.stdout)}


def slices(store: Any, service: str, end: datetime, seconds: int) -> tuple[int, int]:
    """(bad, with traffic) of the minutes ending in (end - seconds, end], from the truth."""
    bad = counted = 0
    for k in range(seconds // 60):
        t = end - timedelta(minutes=k)
        errors, total = store.truth.counts(service, t - timedelta(minutes=1), t)
        if total:
            counted += 1
            bad += (total - errors) / total < TARGET
    return bad, counted


@pytest.mark.parametrize("service", ["fastburn", "quiet"])
@pytest.mark.parametrize("form", ["minutes", "gauge"])
def test_the_budget_counts_bad_minutes_among_minutes_with_traffic(
    status: dict[str, dict[str, Any]], store: Any, service: str, form: str
) -> None:
    doc = status[f"{service}-{form}"]
    bad, counted = slices(store, service, store.end, 86400)
    assert doc["data"] == "ok"
    assert doc["error_ratio"] == pytest.approx(bad / counted, abs=1e-12)
    assert doc["budget_remaining"] == pytest.approx(1 - bad / counted / BUDGET, abs=1e-9)
    for seconds in burn_windows():
        if seconds > 86400:
            continue
        bad_w, counted_w = slices(store, service, store.end, seconds)
        got = doc["burn_rates"][format_duration(seconds)]
        if counted_w == 0:
            assert got is None
        else:
            assert got == pytest.approx(bad_w / counted_w / BUDGET, abs=1e-9)


def test_the_truth_has_bad_minutes_and_minutes_without_traffic(store: Any) -> None:
    bad, counted = slices(store, "fastburn", store.end, 86400)
    assert bad == 30 and counted == 1440  # the last 30 minutes are at 30 % errors
    _, quiet = slices(store, "quiet", store.end, 86400)
    assert quiet == 1440 - 4 * 60  # no requests in the last 4 hours


def test_thirty_bad_minutes_page(status: dict[str, dict[str, Any]]) -> None:
    assert status["fastburn-minutes"]["alert"] == "page"
    assert status["quiet-minutes"]["alert"] is None


def test_hours_reused_by_a_running_serve_give_the_same_slices(
    status: dict[str, dict[str, Any]], store: Any, catalog: Path
) -> None:
    """serve composes long windows from hourly pieces: the slices add up the same."""
    loaded = load_catalog(str(catalog))
    source = PrometheusSource(store.url, reuse_hours=True)
    for at in (store.end - timedelta(minutes=7), store.end):  # cold, then hours reused
        got = {s.slo.name: s for s in evaluate_status(loaded, source, at)}
    assert source.hourly is not None
    hours = [e for e in source.hourly._series if "sum_over_time" in e]
    assert hours, "the slices were not composed from hours"
    for name, doc in status.items():
        assert got[name].error_ratio == pytest.approx(doc["error_ratio"], abs=1e-12), name


@pytest.mark.parametrize("service", ["fastburn", "quiet"])
def test_ratio_timeslices_average_the_minutes_error_ratios(
    status: dict[str, dict[str, Any]], store: Any, service: str
) -> None:
    ratios = []
    for k in range(1440):
        t = store.end - timedelta(minutes=k)
        errors, total = store.truth.counts(service, t - timedelta(minutes=1), t)
        if total:
            ratios.append(errors / total)
    doc = status[f"{service}-mean"]
    assert doc["data"] == "ok"
    assert doc["error_ratio"] == pytest.approx(sum(ratios) / len(ratios), rel=1e-9)
