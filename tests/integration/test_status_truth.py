"""`budgetbot status` on a real Prometheus against the ground truth (docs/architecture.md).

The catalog mixes a native file, a Sloth prometheus/v1 file (events and raw SLIs) and
an OpenSLO file; every figure is checked against the exact counts behind the data.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from bot.domain.burn import burn_windows
from bot.domain.durations import format_duration
from tests.support.catalogs import NATIVE_SLOS, mixed_catalog
from tests.support.cli import budgetbot


@pytest.fixture(scope="module")
def status(prom: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    catalog = mixed_catalog(tmp_path_factory.mktemp("catalog"), prom.url)
    run = budgetbot(
        "status", "--config", str(catalog), "--at", prom.end.isoformat(), "--format", "json"
    )
    assert run.returncode == 0, run.stderr
    return {doc["slo"]: doc for doc in json.loads(run.stdout)}


SERVICE_OF = {
    **{f"{s}-availability": s for s in NATIVE_SLOS},
    "slowburn-availability": "slowburn",
    "slowburn-ratio": "slowburn",
    "overspent-openslo": "overspent",
}


def test_every_slo_is_reported(status: dict[str, dict[str, Any]]) -> None:
    assert set(status) == set(SERVICE_OF)
    assert all(doc["data"] == "ok" for doc in status.values())
    assert status["slowburn-availability"]["team"] == "search"  # from the Sloth labels


@pytest.mark.parametrize("slo", sorted(SERVICE_OF))
def test_figures_match_ground_truth(status: dict[str, dict[str, Any]], prom: Any, slo: str) -> None:
    doc, service = status[slo], SERVICE_OF[slo]
    window = 28 * 86400 if doc["window"] == "28d" else 30 * 86400
    truth = prom.truth.error_ratio(service, prom.end, window)
    budget = 1 - doc["objective"] / 100
    assert doc["error_ratio"] == pytest.approx(truth, rel=1e-6)
    assert doc["budget_consumed"] == pytest.approx(truth / budget, rel=1e-6)
    assert doc["budget_remaining"] == pytest.approx(1 - truth / budget, rel=1e-6)
    for seconds in burn_windows():
        expected = prom.truth.error_ratio(service, prom.end, seconds)
        got = doc["burn_rates"][format_duration(seconds)]
        if expected is None:
            assert got is None, f"{slo} {format_duration(seconds)} has no traffic"
        else:
            assert got == pytest.approx(expected / budget, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize(
    ("slo", "alert", "gate"),
    [
        ("steady-availability", None, "open"),
        ("incident-availability", None, "frozen"),  # 2 h at 25 % spends more than the budget
        ("fastburn-availability", "page", "caution"),
        ("slowburn-availability", "ticket", "open"),  # 3d/6h fires; 30 % left
        ("slowburn-ratio", "ticket", "open"),
        ("overspent-availability", "ticket", "frozen"),  # burn 2 > 1 on 3d/6h
        ("overspent-openslo", "ticket", "frozen"),
        ("quiet-availability", None, "open"),
        ("short-availability", None, "open"),
    ],
)
def test_alerts_and_gates(
    status: dict[str, dict[str, Any]], slo: str, alert: str | None, gate: str
) -> None:
    assert (status[slo]["alert"], status[slo]["gate"]) == (alert, gate)


def test_quiet_hours_have_no_burn_rate(status: dict[str, dict[str, Any]]) -> None:
    burns = status["quiet-availability"]["burn_rates"]
    assert [burns[w] for w in ("5m", "30m", "1h", "2h")] == [None] * 4
    assert burns["6h"] is not None


def test_incident_impact_matches_ground_truth(prom: Any, tmp_path: Path) -> None:
    catalog = mixed_catalog(tmp_path, prom.url)
    start = prom.end.timestamp() - 5 * 86400
    end = start + 2 * 3600
    run = budgetbot(
        "incident-impact",
        "--config",
        str(catalog),
        "--slo",
        "incident-availability",
        "--start",
        str(int(start)),
        "--end",
        str(int(end)),
        "--format",
        "json",
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    from datetime import UTC, datetime, timedelta

    t_end = datetime.fromtimestamp(end, UTC)
    bad, total = prom.truth.counts("incident", t_end - timedelta(hours=2), t_end)
    _, window_total = prom.truth.counts("incident", t_end - timedelta(days=30), t_end)
    assert doc["bad_events"] == pytest.approx(bad, rel=1e-6)
    assert doc["total_events"] == pytest.approx(total, rel=1e-6)
    consumed = bad / (0.001 * window_total)
    # This 30-day window starts before the first sample, so Prometheus extrapolates by
    # half a sample interval (30 s of ~27 days of traffic): about 1e-5 relative.
    assert doc["budget_consumed"] == pytest.approx(consumed, rel=1e-4)
    assert consumed > 0.2 and doc["severity"] == "SEV1"  # 2 h at 25 % of a 99.9 % SLO
