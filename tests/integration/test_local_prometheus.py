"""The real Prometheus of the `prom` fixture answers with the ground truth of the scenarios.

With samples exactly on the minute, Prometheus 2.x range selectors include both ends, so
at a sample instant t `increase(x[w])` is c(t) - c(t - w) and `rate(x[w])` is that over w:
no extrapolation. The only differences left are float rounding (a few ulps), hence
rel=1e-9. docs/architecture.md, Budget math: e(w) = bad(w) / total(w) at one pinned instant.
"""

import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests

from bot.demo.prometheus import (
    MISSING_MESSAGE,
    LocalPrometheus,
    PrometheusFailed,
    PrometheusMissing,
)
from bot.domain.durations import parse_duration
from tests.support.prometheus import PromData

pytestmark = pytest.mark.integration

RATIO = 'sum(rate(http_requests_total{{service="{s}",code="500"}}[{w}])) / sum(rate(http_requests_total{{service="{s}"}}[{w}]))'  # noqa: E501


def query(
    prom: PromData, expr: str, at: datetime | None = None, keys: tuple[str, ...] = ()
) -> dict[tuple[str, ...], float]:
    """Instant query at `at` (default prom.end); {the values of the labels `keys`: value}."""
    when = prom.end if at is None else at
    response = requests.get(
        f"{prom.url}/api/v1/query",
        params={"query": expr, "time": f"{when.timestamp():.3f}"},
        timeout=30,
    )
    response.raise_for_status()
    body = response.json()
    assert body["status"] == "success", body
    assert body["data"]["resultType"] == "vector", body
    return {
        tuple(r["metric"][k] for k in keys): float(r["value"][1]) for r in body["data"]["result"]
    }


def scalar(prom: PromData, expr: str, at: datetime | None = None) -> float:
    """The single value of an instant query."""
    result = query(prom, expr, at)
    assert len(result) == 1, result
    return next(iter(result.values()))


@pytest.mark.parametrize("service", ["steady", "incident", "fastburn", "slowburn", "overspent"])
@pytest.mark.parametrize("window", ["5m", "1h", "1d", "30d"])
def test_error_ratio_equals_truth(prom: PromData, service: str, window: str) -> None:
    truth = prom.truth.error_ratio(service, prom.end, parse_duration(window))
    assert truth is not None
    assert scalar(prom, RATIO.format(s=service, w=window)) == pytest.approx(truth, rel=1e-9)


@pytest.mark.parametrize("window", ["5m", "1h", "1d", "30d"])
def test_increase_by_code_equals_truth(prom: PromData, window: str) -> None:
    expr = f"sum by (service, code) (increase(http_requests_total[{window}]))"
    result = query(prom, expr, keys=("service", "code"))
    start = prom.end - timedelta(seconds=parse_duration(window))
    for service in ("steady", "incident", "fastburn", "slowburn", "overspent"):
        bad, total = prom.truth.counts(service, start, prom.end)
        assert result[service, "500"] == pytest.approx(bad, rel=1e-9, abs=1e-9)
        assert result[service, "200"] == pytest.approx(total - bad, rel=1e-9)


def test_raw_counters_equal_truth(prom: PromData) -> None:
    result = query(prom, "http_requests_total", keys=("service", "code"))
    assert len(result) == 2 * len(prom.scenarios)
    for service in prom.scenarios:
        for code in ("200", "500"):
            assert result[service, code] == prom.truth.counter(service, code, prom.end)


def test_scenarios_look_as_described(prom: PromData) -> None:
    burn = {w: scalar(prom, RATIO.format(s="fastburn", w=w)) for w in ("5m", "30m", "1h")}
    assert burn["5m"] == pytest.approx(0.30, abs=0.005)
    assert burn["30m"] == pytest.approx(0.30, abs=0.005)
    assert burn["1h"] > 14.4 * 0.001  # a 1h/5m page for a 99.9 % SLO (docs/architecture.md)
    slow = scalar(prom, RATIO.format(s="slowburn", w="3d"))
    assert slow == pytest.approx(0.0025, rel=0.01)
    overspent = scalar(prom, RATIO.format(s="overspent", w="30d"))
    assert overspent == pytest.approx(0.002, rel=0.01)


def test_incident_window_equals_truth(prom: PromData) -> None:
    incident_end = prom.end - timedelta(days=5) + timedelta(hours=2)
    ratio = scalar(prom, RATIO.format(s="incident", w="2h"), at=incident_end)
    assert ratio == pytest.approx(0.25, abs=0.001)
    truth = prom.truth.error_ratio("incident", incident_end, 7200)
    assert ratio == pytest.approx(truth, rel=1e-9)


def test_thirty_days_at_an_earlier_instant_equals_truth(prom: PromData) -> None:
    at = prom.end - timedelta(days=2)  # 32 days of data: the window still starts on a sample
    truth = prom.truth.error_ratio("incident", at, 30 * 86_400)
    assert scalar(prom, RATIO.format(s="incident", w="30d"), at=at) == pytest.approx(
        truth, rel=1e-9
    )


def test_short_service_with_its_28_day_window(prom: PromData) -> None:
    truth = prom.truth.error_ratio("short", prom.end, 28 * 86_400)
    assert scalar(prom, RATIO.format(s="short", w="28d")) == pytest.approx(truth, rel=1e-9)
    _, total = prom.truth.counts("short", prom.start, prom.end)
    # a 30d window reaches past its first sample: Prometheus extrapolates by half a step
    increase = scalar(prom, 'sum(increase(http_requests_total{service="short"}[30d]))')
    assert increase != total
    assert increase == pytest.approx(total * (28 * 86_400 + 30) / (28 * 86_400), rel=1e-9)


def test_quiet_has_no_traffic_in_its_last_hour(prom: PromData) -> None:
    assert scalar(prom, 'sum(rate(http_requests_total{service="quiet"}[1h]))') == 0.0
    assert math.isnan(scalar(prom, RATIO.format(s="quiet", w="1h")))  # 0/0
    assert prom.truth.error_ratio("quiet", prom.end, 3600) is None
    assert prom.truth.error_ratio("quiet", prom.end, 86_400) == pytest.approx(
        scalar(prom, RATIO.format(s="quiet", w="1d")), rel=1e-9
    )


def test_missing_binaries_raise_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PrometheusMissing) as raised:
        LocalPrometheus(tmp_path, prometheus="no-such-prometheus-binary")
    assert str(raised.value) == MISSING_MESSAGE
    assert "sudo apt-get install prometheus" in MISSING_MESSAGE


def test_bad_backfill_input_fails_with_promtool_output(tmp_path: Path) -> None:
    broken = tmp_path / "broken.om"
    broken.write_text("this is not openmetrics\n", encoding="ascii")
    with LocalPrometheus(tmp_path / "p") as server, pytest.raises(PrometheusFailed) as raised:
        server.backfill([broken])
    assert "broken.om" in str(raised.value)


def test_a_server_that_dies_reports_its_log(tmp_path: Path) -> None:
    with LocalPrometheus(tmp_path, retention="forever") as server:
        with pytest.raises(PrometheusFailed) as raised:
            server.start(ready_timeout=30)
        assert "exited" in str(raised.value)
        assert "not a valid duration" in str(raised.value)  # the line that says why
        assert not server.running
