"""assess(): from what Prometheus saw to budget, burn, alert and gate."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.budget import Rates
from bot.domain.burn import DAY, HOUR, burn_windows
from bot.domain.exclusions import Exclusion
from bot.domain.slo import SLO, EventsSLI, Gate, Severity, Tier
from bot.domain.status import DataState, Reading, assess, exclusion_reading
from bot.domain.windows import Calendar

SLO_999 = SLO(
    name="checkout-availability",
    service="checkout",
    team="payments",
    tier=Tier.PRODUCTION,
    objective=99.9,
    window=30 * DAY,
    sli=EventsSLI("err[{{.window}}]", "total[{{.window}}]"),
)


def reading(period: Rates | None, **windows: Rates | None) -> Reading:
    base: dict[int, Rates | None] = dict.fromkeys(burn_windows(), Rates(0.0, 100.0))
    base.update({int(k[1:]): v for k, v in windows.items()})
    return Reading(period=period, windows=base)


def test_healthy_slo() -> None:
    status = assess(SLO_999, reading(Rates(0.02, 100.0)))
    assert status.data is DataState.OK
    assert status.error_ratio == pytest.approx(0.0002)
    assert status.budget_consumed == pytest.approx(0.2)
    assert status.budget_remaining == pytest.approx(0.8)
    assert status.alert is None
    assert status.gate is not None and status.gate.gate is Gate.OPEN


def test_fast_burn_pages_and_cautions() -> None:
    burning = reading(Rates(0.01, 100.0), w300=Rates(20.0, 100.0), w3600=Rates(2.0, 100.0))
    status = assess(SLO_999, burning)
    assert status.alert is Severity.PAGE
    assert status.burn_rates[HOUR] == pytest.approx(20.0)
    assert status.gate is not None and status.gate.gate is Gate.CAUTION


def test_overspent_is_frozen_with_negative_remaining() -> None:
    status = assess(SLO_999, reading(Rates(0.3, 100.0)))
    assert status.budget_remaining == pytest.approx(-2.0)
    assert status.gate is not None and status.gate.gate is Gate.FROZEN


def test_query_error_is_reported_not_guessed() -> None:
    status = assess(SLO_999, Reading(period=None, error="parse error"))
    assert status.data is DataState.ERROR
    assert status.message == "parse error"
    assert status.gate is None and status.budget_remaining is None


@pytest.mark.parametrize(("period", "why"), [(None, "no series"), (Rates(0.0, 0.0), "no traffic")])
def test_no_data_has_no_budget_and_no_gate(period: Rates | None, why: str) -> None:
    status = assess(SLO_999, reading(period))
    assert status.data is DataState.NO_DATA
    assert status.message is not None and why in status.message
    assert status.budget_remaining is None and status.gate is None


def test_json_contract() -> None:
    quiet = reading(Rates(0.05, 100.0), w300=Rates(0.0, 0.0))
    doc = assess(SLO_999, quiet).as_json()
    assert {
        "slo",
        "service",
        "team",
        "tier",
        "objective",
        "window",
        "error_ratio",
        "budget_consumed",
        "budget_remaining",
        "burn_rates",
        "alert",
        "gate",
        "data",
    } <= doc.keys()
    assert doc["window"] == "30d" and doc["tier"] == "production" and doc["data"] == "ok"
    assert doc["burn_rates"]["5m"] is None  # no traffic: null, never 0
    assert doc["burn_rates"]["1h"] == 0.0
    assert list(doc["burn_rates"]) == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    assert doc["gate"] == "open" and doc["alert"] is None
    assert doc["budget_remaining"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("minutes_after_start", "running", "covered"),
    [(30, True, 1800), (90, False, 3600), (-10, False, 0)],
)
def test_an_exclusion_is_told_running_and_counted_in_the_window(
    minutes_after_start: int, running: bool, covered: int
) -> None:
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    drill = Exclusion("drill", start, 3600, "agreed load test")
    slo = replace(SLO_999, exclusions=(drill,))
    at = start + timedelta(minutes=minutes_after_start)
    status = assess(slo, exclusion_reading(slo, reading(Rates(0.0, 100.0)), at), at=at)
    assert (status.excluding, status.excluded_seconds) == (running, covered)
    assert status.as_json()["excluded_seconds"] == covered


def test_an_exclusion_across_a_calendar_period_s_start_counts_from_the_start() -> None:
    month = replace(SLO_999, calendar=Calendar.MONTH, window=Calendar.MONTH.nominal)
    crossing = Exclusion("migration", datetime(2026, 2, 28, 23, tzinfo=UTC), 7200, "agreed")
    slo = replace(month, exclusions=(crossing,))
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    status = assess(slo, exclusion_reading(slo, reading(Rates(0.0, 100.0)), at), at=at)
    assert status.excluded_seconds == 3600  # the hour in March: February's budget is another
