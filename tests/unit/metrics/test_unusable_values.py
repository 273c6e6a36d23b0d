"""One rule for numbers: a value that is not a finite, non-negative count (or a ratio in
[0, 1]) is data "error" with what came back; it never makes a budget, gate or alert."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.burn import burn_windows
from bot.domain.slo import SLO, EventsSLI, RatioSLI, Tier
from bot.domain.status import DataState, assess
from bot.metrics.source import NOISE, PERIOD, assemble, fold_event_counts, plan_terms

EVENTS = SLO(
    "e", "svc", "team", Tier.PRODUCTION, 99.9, 30 * 86400,
    EventsSLI("sum(rate(bad[{{.window}}]))", "sum(rate(all[{{.window}}]))"),
)  # fmt: skip
RATIO = SLO("r", "svc", "team", Tier.PRODUCTION, 99.0, 30 * 86400, RatioSLI("ratio[{{.window}}]"))
WINDOWS = burn_windows()


def good_values(slo: SLO) -> dict[object, float | None]:
    return {t.key: (0.001 if t.key[2] != "total" else 10.0) for t in plan_terms([slo], WINDOWS)}  # type: ignore[index]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, -1.0])
@pytest.mark.parametrize("role", ["bad", "total"])
@pytest.mark.parametrize("span", [PERIOD, 300])
def test_events_garbage_is_an_error(value: float, role: str, span: object) -> None:
    values = good_values(EVENTS)
    values[("e", span, role)] = value
    reading = assemble([EVENTS], WINDOWS, values)["e"]
    status = assess(EVENTS, reading)
    assert status.data is DataState.ERROR
    shown = "NaN" if math.isnan(value) else f"{value:g}"
    assert f"returned {shown}" in (status.message or "")
    assert status.gate is None and status.budget_remaining is None and status.alert is None


@pytest.mark.parametrize("value", [math.nan, math.inf, -0.5, 1.5])
def test_ratio_garbage_in_the_period_is_an_error(value: float) -> None:
    values = good_values(RATIO)
    values[("r", PERIOD, "ratio")] = value
    status = assess(RATIO, assemble([RATIO], WINDOWS, values)["r"])
    assert status.data is DataState.ERROR and status.gate is None


def test_a_ratio_nan_in_a_burn_window_is_no_traffic() -> None:
    """Sloth's recorded ratios are 0/0 = NaN without requests: no burn rate, not an error."""
    values = good_values(RATIO)
    values[("r", 300, "ratio")] = math.nan
    status = assess(RATIO, assemble([RATIO], WINDOWS, values)["r"])
    assert status.data is DataState.OK and status.burn_rates[300] is None


def test_incident_counts_refuse_garbage() -> None:
    values: dict[object, object] = {"bad": math.nan, "total": 5.0, "window_bad": 1.0}
    values["window_total"] = 9.0
    assert "returned NaN" in str(fold_event_counts(EVENTS, 600, EVENTS.window, values))  # type: ignore[arg-type]
    values["bad"] = 1.0
    values["window_total"] = math.inf
    assert "returned inf" in str(fold_event_counts(EVENTS, 600, EVENTS.window, values))  # type: ignore[arg-type]


ANY_FLOAT = st.one_of(
    st.none(), st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0])
)


@given(st.lists(ANY_FLOAT, min_size=16, max_size=16), st.lists(ANY_FLOAT, min_size=8, max_size=8))
def test_whatever_comes_back_the_json_is_valid_and_garbage_never_decides(
    events: list[float | None], ratios: list[float | None]
) -> None:
    """Any value from Prometheus, through assemble, assess, gate and JSON."""
    for slo, drawn in ((EVENTS, events), (RATIO, ratios)):
        terms = plan_terms([slo], WINDOWS)
        values = {t.key: v for t, v in zip(terms, drawn, strict=False)}
        status = assess(slo, assemble([slo], WINDOWS, values)[slo.name])
        doc = json.loads(json.dumps(status.as_json(), allow_nan=False))  # valid JSON
        garbage = [
            v for k, v in values.items()
            if v is not None and (not math.isfinite(v) or v < -NOISE) and not (
                k[2] == "ratio" and k[1] != PERIOD and math.isnan(v)  # type: ignore[index]
            )
        ]  # fmt: skip
        if garbage:
            assert doc["data"] == "error" and doc["gate"] is None and doc["alert"] is None
        if doc["budget_remaining"] is not None:
            assert math.isfinite(doc["budget_remaining"]) and doc["budget_remaining"] <= 1.0


def test_float_noise_below_zero_reads_as_zero() -> None:
    """total - good can come back as -1e-12: that is no error, and no negative count."""
    values = good_values(EVENTS)
    values[("e", PERIOD, "bad")] = -1e-12
    status = assess(EVENTS, assemble([EVENTS], WINDOWS, values)["e"])
    assert status.data is DataState.OK and status.error_ratio == 0.0


def test_more_bad_events_than_events_is_an_error() -> None:
    values = good_values(EVENTS)
    values[("e", 300, "bad")] = 50.0  # total is 10
    status = assess(EVENTS, assemble([EVENTS], WINDOWS, values)["e"])
    assert status.data is DataState.ERROR and status.gate is None
    assert "more events" in (status.message or "")
