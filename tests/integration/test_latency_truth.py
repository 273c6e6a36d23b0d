"""Latency SLIs on a real Prometheus against a histogram of exact counts: good = the
bucket at the threshold, total = the count; `le` matched however the client wrote it; a
threshold that is no boundary is an error naming the boundaries, in `status` and in
`check-config --live`, never "all good"."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.catalog import load_catalog
from bot.domain.burn import burn_windows
from bot.domain.durations import format_duration
from bot.metrics.errors import QueryRejected
from bot.metrics.prometheus import PrometheusSource
from tests.support.cli import budgetbot
from tests.support.histograms import BOUNDARIES, Histogram

SLOS = {"api-fast": (0.25, "0.25"), "api-second": (1, "1.0"), "api-wrong": (0.3, None)}


def catalog(directory: Path, url: str) -> Path:
    slos = "".join(
        f"""
  - name: {name}
    service: api
    objective: 95
    window: 1d
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{{service="api"}}'
        threshold: {threshold}
"""
        for name, (threshold, _) in SLOS.items()
    )
    path = directory / "budgetbot.yaml"
    path.write_text(
        f"prometheus: {{url: {url}}}\nteams:\n  web: {{channel: C0WEB}}\n"
        f"services:\n  api: {{team: web}}\nslos:{slos}",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def config(histogram: Histogram, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return catalog(tmp_path_factory.mktemp("latency"), histogram.url)


@pytest.fixture(scope="module")
def status(histogram: Histogram, config: Path) -> dict[str, dict[str, Any]]:
    at = histogram.end.isoformat()
    run = budgetbot("status", "--config", str(config), "--at", at, "--format", "json")
    assert run.returncode == 3, run.stderr  # one SLO has no usable data: api-wrong
    return {doc["slo"]: doc for doc in json.loads(run.stdout)}


@pytest.mark.parametrize("name", ["api-fast", "api-second"])
def test_the_figures_are_the_histograms(
    status: dict[str, dict[str, Any]],
    histogram: Histogram,
    name: str,
) -> None:
    doc, le = status[name], SLOS[name][1]
    assert le is not None and doc["data"] == "ok"
    end = histogram.end
    for seconds, got in [(86400, doc["error_ratio"])] + [
        (w, doc["burn_rates"][format_duration(w)] * 0.05) for w in burn_windows() if w <= 86400
    ]:
        start = end - timedelta(seconds=seconds)
        truth = 1 - histogram.good(le, start, end) / histogram.total(start, end)
        assert got == pytest.approx(truth, rel=1e-3, abs=1e-6), format_duration(seconds)


def test_the_slow_hours_burn(status: dict[str, dict[str, Any]]) -> None:
    """The last 6 hours: 30 % slower than 0.25 s against a 5 % budget: 6x."""
    assert status["api-fast"]["burn_rates"]["1h"] == pytest.approx(6.0, rel=1e-3)
    assert status["api-fast"]["alert"] == "page"


def test_a_threshold_that_is_no_boundary_is_an_error_naming_them(
    status: dict[str, dict[str, Any]],
) -> None:
    doc = status["api-wrong"]
    assert doc["data"] == "error" and doc["budget_remaining"] is None
    assert doc["message"] == (
        "no histogram bucket at the threshold 0.3 in "
        'http_request_duration_seconds_bucket{service="api"}; '
        f"its boundaries: {', '.join(BOUNDARIES)}"
    )


def test_check_config_live_finds_it_before_any_evaluation(
    config: Path,
    histogram: Histogram,
) -> None:
    at = histogram.end.isoformat()
    run = budgetbot("check-config", "--config", str(config), "--live", "--at", at)
    assert run.returncode == 3, run.stdout + run.stderr
    assert (
        "bucket: error (no bucket at the threshold 0.3; boundaries: 0.1, 0.25, 0.5, 1.0, +Inf)"
        in run.stdout
    )
    assert run.stdout.count("bucket: one") == 2


def test_incident_impact_never_reads_a_missing_bucket_as_no_errors(
    config: Path, histogram: Histogram
) -> None:
    wrong = next(s for s in load_catalog(str(config)).slos if s.name == "api-wrong")
    source = PrometheusSource(histogram.url, reuse_hours=False)
    with pytest.raises(QueryRejected, match=r"no histogram bucket at the threshold 0\.3"):
        source.event_counts(wrong, histogram.end - timedelta(hours=2), histogram.end)
