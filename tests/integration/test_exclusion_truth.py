"""Budget exclusions on a real Prometheus and a real VictoriaMetrics (DESIGN 9.3): every
figure equals the ground truth with the excluded minutes left out, and SLOs outside the
filter are unaffected."""

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.catalog import load_catalog
from bot.charts import budget_chart
from bot.domain.burn import burn_windows
from bot.domain.exclusions import excluded
from bot.metrics.prometheus import PrometheusSource
from bot.services.digest_data import DigestData
from bot.slack.messages.digests import DigestMessages
from bot.slack.rendering import Renderer
from storage.db import make_engine
from storage.migrate import upgrade
from storage.unit_of_work import UnitOfWork
from tests.integration.test_timeslice_truth import ratio_slo, slices
from tests.support.catalogs import events_slo, write_catalog
from tests.support.cli import budgetbot
from tests.support.scenarios import END

BURST = END - timedelta(days=5)  # incident: 25 % errors for 2 h from here
EXCLUSIONS = f"""
exclusions:
  - name: incident-drill
    start: '{(BURST - timedelta(minutes=30)).isoformat()}'
    end: '{(BURST + timedelta(hours=1)).isoformat()}'
    slos: [incident-availability]
    reason: agreed load test
  - name: nightly-backup
    start: '{(END - timedelta(days=40)).replace(hour=1).isoformat()}'
    duration: 90m
    recurrence: FREQ=WEEKLY;BYDAY=SU,WE
    timezone: Europe/Berlin
    services: [steady, incident]
    reason: planned backups
"""


def _catalog(directory: Path, url: str, function: str) -> Path:
    services = ("steady", "incident", "overspent")
    return write_catalog(
        directory,
        url,
        teams={"sre": {"channel": "C0SRE"}},
        services=dict.fromkeys(services, "sre"),
        slos=[events_slo(s, function=function) for s in services],  # type: ignore[arg-type]
        extra=EXCLUSIONS,
    )


def _truth(store: Any, slo: Any, at: datetime, seconds: int) -> tuple[float, float]:
    """(bad, total) of the SLO's window with the excluded stretches left out."""
    start = at - timedelta(seconds=seconds)
    bad, total = store.truth.counts(slo.service, start, at)
    for a, b in excluded(slo.exclusions, slo.name, slo.service, slo.team, start, at):
        out_bad, out_total = store.truth.counts(slo.service, a, b)
        bad, total = bad - out_bad, total - out_total
    return bad, total


@pytest.mark.parametrize("function", ["rate", "increase"])
# 30-day windows ending up to 2 days before END see only real samples (tests.support.scenarios)
@pytest.mark.parametrize("before_end", [timedelta(0), timedelta(days=2, minutes=-10)])
def test_figures_leave_the_excluded_minutes_out(
    store: Any, tmp_path: Path, function: str, before_end: timedelta
) -> None:
    slos = load_catalog(str(_catalog(tmp_path, store.url, function))).slos
    at = store.end - before_end
    by_name = {s.name: s for s in slos}
    assert [e.name for e in by_name["incident-availability"].exclusions] == [
        "incident-drill", "nightly-backup"
    ]  # fmt: skip
    assert by_name["overspent-availability"].exclusions == ()  # outside both filters
    for source in (PrometheusSource(store.url), PrometheusSource(store.url, reuse_hours=False)):
        readings = source.read(slos, at, burn_windows())
        for slo in slos:
            reading = readings[slo.name]
            spans = [(slo.window, reading.period), *reading.windows.items()]
            for seconds, rates in spans:
                assert rates is not None, (slo.name, seconds)
                expected = _truth(store, slo, at, seconds)
                assert (rates.bad, rates.total) == pytest.approx(expected, rel=1e-9, abs=1e-6), (
                    slo.name,
                    seconds,
                )


def test_incident_impact_leaves_the_excluded_minutes_out(store: Any, tmp_path: Path) -> None:
    slos = load_catalog(str(_catalog(tmp_path, store.url, "increase"))).slos
    incident = next(s for s in slos if s.name == "incident-availability")
    start, end = BURST - timedelta(hours=1), BURST + 2 * timedelta(hours=1)
    counts = PrometheusSource(store.url).event_counts(incident, start, end)
    assert (counts.bad, counts.total) == pytest.approx(
        _truth(store, incident, end, int((end - start).total_seconds())), rel=1e-9
    )
    # The 30 days before this incident start before the first sample: Prometheus
    # extrapolates by half a sample interval there (about 1e-5 relative).
    assert (counts.window_bad, counts.window_total) == pytest.approx(
        _truth(store, incident, end, incident.window), rel=1e-4
    )


def test_status_json_says_how_much_of_the_window_was_excluded(store: Any, tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, store.url, "rate")
    at = ("--at", store.end.isoformat())
    run = budgetbot("status", "--config", str(catalog), *at, "--format", "json")
    assert run.returncode == 0, run.stderr
    got = {d["slo"]: d["excluded_seconds"] for d in json.loads(run.stdout)}
    # Sundays and Wednesdays, 90 minutes at 02:00 Berlin (01:00 UTC in winter), in the 30
    # days before END: Feb 1, 4, 8, 11, 15, 18, 22, 25, Mar 1; the drill (90 minutes at
    # 11:30 UTC on Feb 25) overlaps none of them
    assert got == {
        "steady-availability": 9 * 5400,
        "incident-availability": 9 * 5400 + 5400,
        "overspent-availability": 0,
    }


def test_exclusions_list_gives_the_next_occurrences(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, "http://127.0.0.1:9", "rate")  # no Prometheus is asked
    args = ("exclusions", "list", "--config", str(catalog), "--at", END.isoformat())
    run = budgetbot(*args, "--format", "json")
    assert run.returncode == 0, run.stderr
    (nightly,) = json.loads(run.stdout)  # the drill has ended
    assert nightly == {
        "name": "nightly-backup",
        "source": "catalog",
        "slos": ["steady-availability", "incident-availability"],
        "reason": "planned backups",
        "start": "2026-01-21T01:00:00Z",
        "duration_s": 5400,
        "recurrence": "FREQ=WEEKLY;BYDAY=SU,WE",
        "next_start": "2026-03-04T01:00:00Z",  # Wednesday, 02:00 in Berlin
    }
    everything = json.loads(budgetbot(*args, "--all", "--format", "json").stdout)
    assert [(e["name"], e["next_start"]) for e in everything] == [
        ("incident-drill", None), ("nightly-backup", "2026-03-04T01:00:00Z")
    ]  # fmt: skip
    table = budgetbot(*args)
    assert (
        table.returncode == 0 and "nightly-backup" in table.stdout and "drill" not in table.stdout
    )


def test_the_digest_lists_the_week_s_exclusions_and_the_chart_hatches_them(
    prom: Any, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'digest.db'}")
    upgrade(engine)
    loaded = load_catalog(str(_catalog(tmp_path, prom.url, "rate")))
    data = DigestData(loaded, PrometheusSource(prom.url), UnitOfWork(engine))
    digest = data.digest("sre", prom.end)
    names = [(e.name, e.slos) for e in digest.exclusions]
    assert names.count(("nightly-backup", ("steady-availability", "incident-availability"))) == 2
    assert ("incident-drill", ("incident-availability",)) in names  # 5 days ago
    _, blocks = DigestMessages(Renderer()).team(digest, "UTC")
    text = json.dumps(blocks)
    assert "Excluded from the budget this week" in text and "planned backups" in text
    chart = data.chart("sre", prom.end)
    assert len([e for e in chart.exclusions if e[0] == "nightly-backup"]) == 9
    assert budget_chart(chart)[:8] == b"\x89PNG\r\n\x1a\n"


def test_timeslice_budgets_leave_the_excluded_slices_out(store: Any, tmp_path: Path) -> None:
    """fastburn's last 30 minutes are bad minutes; the last 20 of them are excluded."""
    minutes = ratio_slo("fastburn")
    cut = store.end - timedelta(minutes=20)
    extra = f"""
exclusions:
  - name: failover
    start: '{cut.isoformat()}'
    duration: 20m
    slos: [fastburn-minutes]
    reason: planned failover
"""
    path = tmp_path / "budgetbot.yaml"
    path.write_text(
        f"teams:\n  sre: {{channel: C0SRE}}\nservices:\n  fastburn: {{team: sre}}\n"
        f"slos:{minutes}{extra}"
    )
    (slo,) = load_catalog(str(path)).slos
    reading = PrometheusSource(store.url).read([slo], store.end, burn_windows())[slo.name]
    for seconds, rates in [(86400, reading.period), (3600, reading.windows[3600])]:
        bad, counted = slices(store, "fastburn", store.end, seconds)
        out_bad, out_counted = slices(store, "fastburn", store.end, 20 * 60)
        assert out_bad == 20  # all of the excluded minutes were bad ones
        assert rates is not None and (rates.bad, rates.total) == (
            bad - out_bad,
            counted - out_counted,
        )
