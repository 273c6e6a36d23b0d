"""Calendar windows on a real Prometheus and a real VictoriaMetrics against the ground
truth: a month, a week and a quarter, aligned in UTC and in Tokyo, over the `calendar`
scenario (an error burst just before the UTC month's start, another just after), so a
rolling window or a period of the wrong time zone would read other figures."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.domain.burn import DEFAULT_RULES, burn_windows
from bot.domain.durations import format_duration
from bot.domain.windows import Calendar, calendar_span
from tests.support.cli import budgetbot

QUERY = 'sum(rate(http_requests_total{{service="calendar"{code}}}[{{{{.window}}}}]))'
ZONES = {"utc": "UTC", "tokyo": "Asia/Tokyo"}
WINDOWS = ("month", "week", "quarter", "30d")


def catalog(directory: Path, url: str) -> Path:
    slos = "".join(
        f"""
  - name: {team}-{window}
    service: calendar
    team: {team}
    objective: 99.5
    window: {window}
    sli:
      events:
        error_query: '{QUERY.format(code=',code="500"')}'
        total_query: '{QUERY.format(code="")}'
"""
        for team in ZONES
        for window in WINDOWS
    )
    teams = "".join(f"  {t}: {{channel: C0{t.upper()}, timezone: {z}}}\n" for t, z in ZONES.items())
    path = directory / "budgetbot.yaml"
    path.write_text(
        f"prometheus: {{url: {url}}}\nteams:\n{teams}services:\n  calendar: {{team: utc}}\n"
        f"slos:{slos}",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def status(store: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    path = catalog(tmp_path_factory.mktemp("calendar"), store.url)
    run = budgetbot(
        "status", "--config", str(path), "--at", store.end.isoformat(), "--format", "json"
    )
    assert run.returncode == 0, run.stderr
    return {doc["slo"]: doc for doc in json.loads(run.stdout)}


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.mark.parametrize("team", sorted(ZONES))
@pytest.mark.parametrize("period", ["month", "week", "quarter"])
def test_a_calendar_budget_counts_from_the_period_start(
    status: dict[str, dict[str, Any]], store: Any, team: str, period: str
) -> None:
    doc = status[f"{team}-{period}"]
    span = calendar_span(Calendar(period), store.end, ZONES[team])
    assert (stamp(doc["window_start"]), stamp(doc["window_end"])) == (span.start, span.end)
    assert doc["window"] == period and doc["data"] == "ok"
    bad, total = store.truth.counts("calendar", max(span.start, store.start), store.end)
    assert doc["error_ratio"] == pytest.approx(bad / total, rel=1e-3)
    assert doc["budget_remaining"] == pytest.approx(1 - bad / total / 0.005, rel=1e-3, abs=1e-4)


def test_the_periods_read_differ_where_the_bursts_lie(status: dict[str, dict[str, Any]]) -> None:
    """The UTC month holds only the burst after its start; Tokyo's month both; the UTC
    week (from Monday Mar 2) neither; a rolling 30 days both."""
    ratio = {name: doc["error_ratio"] for name, doc in status.items()}
    assert ratio["utc-week"] < 0.001 < ratio["utc-month"] < ratio["tokyo-month"]
    assert ratio["utc-month"] != pytest.approx(ratio["utc-30d"], rel=0.05)


@pytest.mark.parametrize("period", ["month", "quarter"])
def test_burn_rates_are_the_windows_own_and_factors_use_the_whole_period(
    status: dict[str, dict[str, Any]], store: Any, period: str
) -> None:
    doc = status[f"utc-{period}"]
    for seconds in burn_windows():
        expected = store.truth.error_ratio("calendar", store.end, seconds)
        got = doc["burn_rates"][format_duration(seconds)]
        assert got == pytest.approx((expected or 0.0) / 0.005, rel=1e-3, abs=1e-6)
    # A page needs the 1 h burn above 2 % of the whole period's budget in that hour.
    span = calendar_span(Calendar(period), store.end, "UTC")
    assert DEFAULT_RULES[0].factor(span.length, 0.005) == pytest.approx(0.02 * span.length / 3600)


def test_a_rolling_window_reports_its_span_too(
    status: dict[str, dict[str, Any]], store: Any
) -> None:
    doc = status["utc-30d"]
    assert stamp(doc["window_end"]) == store.end
    assert (store.end - stamp(doc["window_start"])).days == 30
