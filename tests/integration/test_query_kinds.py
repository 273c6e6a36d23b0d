"""The same SLI written as per-second rates and as event counts gives the same, true figures.

On a real Prometheus with synthetic counters whose exact counts are known (the budget
math of docs/architecture.md): `status`, burn rates, incident impact and the hour-reuse
composition of a long-running source all agree between `rate()` and `increase()` forms
and with the truth.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.catalog import load_catalog
from bot.domain.burn import burn_windows
from bot.domain.durations import format_duration
from bot.domain.slo import EventsSLI, QueryKind
from bot.metrics.prometheus import PrometheusSource
from tests.support.catalogs import FORM_SERVICES as SERVICES
from tests.support.catalogs import both_forms_catalog
from tests.support.cli import budgetbot


@pytest.fixture(scope="module")
def catalog_file(prom: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return both_forms_catalog(tmp_path_factory.mktemp("kinds"), prom.url)


@pytest.fixture(scope="module")
def status(prom: Any, catalog_file: Path) -> dict[str, dict[str, Any]]:
    run = budgetbot(
        "status", "--config", str(catalog_file), "--at", prom.end.isoformat(), "--format", "json"
    )
    assert run.returncode == 0, run.stderr
    return {doc["slo"]: doc for doc in json.loads(run.stdout)}


def test_the_catalog_knows_each_query_kind(catalog_file: Path) -> None:
    catalog = load_catalog(catalog_file)
    kinds = {s.name: s.sli for s in catalog.slos}
    counted = kinds["incident-counted"]
    assert isinstance(counted, EventsSLI) and counted.error_kind is QueryKind.COUNT
    rated = kinds["incident-rate"]
    assert isinstance(rated, EventsSLI) and rated.total_kind is QueryKind.RATE
    sloth = catalog.slo("incident-counted")
    assert sloth is not None and sloth.window == 28 * 86400  # the include's window


@pytest.mark.parametrize("service", SERVICES)
def test_rates_and_counts_give_the_same_true_status(
    status: dict[str, dict[str, Any]], prom: Any, service: str
) -> None:
    rate, count = status[f"{service}-rate"], status[f"{service}-count"]
    truth = prom.truth.error_ratio(service, prom.end, 30 * 86400)
    for doc in (rate, count):
        assert doc["data"] == "ok"
        assert doc["error_ratio"] == pytest.approx(truth, rel=1e-6)
        assert doc["budget_remaining"] == pytest.approx(1 - truth / 0.001, rel=1e-6)
    assert count["gate"] == rate["gate"] and count["alert"] == rate["alert"]
    for seconds in burn_windows():
        label = format_duration(seconds)
        expected = prom.truth.error_ratio(service, prom.end, seconds)
        if expected is None:
            assert rate["burn_rates"][label] is None and count["burn_rates"][label] is None
        else:
            assert count["burn_rates"][label] == pytest.approx(expected / 0.001, rel=1e-6)
            assert count["burn_rates"][label] == pytest.approx(rate["burn_rates"][label], rel=1e-9)


@pytest.mark.parametrize("slo", ["incident-rate", "incident-count", "incident-counted"])
def test_incident_impact_of_counted_queries_is_true(
    prom: Any, catalog_file: Path, slo: str
) -> None:
    """The issue's case: 2 h that spent most of the budget must not read as SEV4."""
    end = prom.end.timestamp() - 5 * 86400 + 2 * 3600
    run = budgetbot(
        "incident-impact", "--config", str(catalog_file), "--slo", slo,
        "--start", str(int(end - 7200)), "--end", str(int(end)), "--format", "json",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    t_end = datetime.fromtimestamp(end, UTC)
    window = timedelta(days=28 if slo.endswith("counted") else 30)
    bad, total = prom.truth.counts("incident", t_end - timedelta(hours=2), t_end)
    _, window_total = prom.truth.counts("incident", t_end - window, t_end)
    assert doc["bad_events"] == pytest.approx(bad, rel=1e-6)
    assert doc["total_events"] == pytest.approx(total, rel=1e-6)
    assert doc["budget_consumed"] == pytest.approx(bad / (0.001 * window_total), rel=1e-4)
    assert doc["severity"] == "SEV1"


@pytest.mark.parametrize("minutes_before_end", [3 * 60 + 17, 17])
def test_hour_reuse_composes_counts_as_truly_as_rates(
    prom: Any, catalog_file: Path, minutes_before_end: int
) -> None:
    """A long-running source composes long windows from hours for both kinds, twice."""
    slos = [s for s in load_catalog(catalog_file).slos if s.source.endswith("budgetbot.yaml")]
    source = PrometheusSource(prom.url)  # reuses hours
    warm = prom.end - timedelta(minutes=minutes_before_end + 120)
    source.read(slos, warm, burn_windows())  # fills the cache; the next read reuses it
    at = prom.end - timedelta(minutes=minutes_before_end)
    readings = source.read(slos, at, burn_windows())
    for slo in slos:
        reading = readings[slo.name]
        for seconds, got in [(slo.window, reading.period), *reading.windows.items()]:
            expected = prom.truth.error_ratio(slo.service, at, seconds)
            ratio = got.error_ratio if got else None
            if expected is None:
                assert ratio is None, (slo.name, seconds)  # no traffic: no ratio, never 0
            else:
                assert ratio == pytest.approx(expected, rel=1e-9), (slo.name, seconds)
        period = reading.period
        assert period is not None
        _, total = prom.truth.counts(slo.service, at - timedelta(seconds=slo.window), at)
        assert period.total == pytest.approx(total, rel=1e-6)  # events, whatever the kind
