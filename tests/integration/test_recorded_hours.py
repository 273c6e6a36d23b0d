"""Recorded hours (DESIGN 9.6) on a real Prometheus: `budgetbot rules` checked by promtool,
hours backfilled with `budgetbot rules --backfill` and promtool, more hours at a live rule
group's offset, Prometheus restarted with the rules. Every figure equals the ground truth
and the raw reading; a stretch before the rules, a missing hour and an SLO without rules
are read raw."""

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.demo.prometheus import LocalPrometheus
from bot.demo.synthetic import Truth, generate, write_openmetrics
from bot.domain.burn import burn_windows
from bot.domain.slo import SLO
from bot.metrics.prometheus import PrometheusSource
from bot.metrics.rules_file import openmetrics_day, recordings
from bot.services.digest_data import DigestData
from storage.db import make_engine
from storage.migrate import upgrade
from storage.unit_of_work import UnitOfWork
from tests.support.catalogs import events_slo, write_catalog
from tests.support.cli import budgetbot
from tests.support.scenarios import END, SCENARIOS, START

DAY = 86_400
RECORDED = ("steady", "incident", "slowburn")  # services whose SLOs have rules
ADDED_SINCE = "overspent"  # its SLOs came after the rules were generated
OFFSET = 1043  # seconds: the live rule group's own offset within the hour
LIVE_FROM = END - timedelta(days=2)  # hours before: backfilled clock hours; after: live
GAP = END - timedelta(days=6)  # the hour ending here was never recorded


@dataclass(frozen=True)
class Recorded:
    url: str
    truth: Truth
    slos: list[SLO]
    catalog: Path
    check: str  # promtool check rules' output
    backfill: list[str]  # the --backfill commands' output


def _slos(services: tuple[str, ...]) -> list[dict[str, object]]:
    """Per service a 7-day, a 30-day and a calendar-month SLO (the month is 36 h old at END)."""
    return [events_slo(s, name=f"{s}-{w}", window=w, function="increase")
            for s in services for w in ("7d", "30d", "month")]  # fmt: skip


def _catalog(directory: Path, url: str, services: tuple[str, ...], name: str) -> Path:
    return write_catalog(
        directory,
        url,
        teams={"sre": {"channel": "C0SRE"}},
        services=dict.fromkeys(services, "sre"),
        slos=_slos(services),
        name=name,
    )


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    work = tmp_path_factory.mktemp("recorded")
    services = (*RECORDED, ADDED_SINCE)
    truth = generate([SCENARIOS[s] for s in services], START, END)
    rules = work / "rules.yaml"
    server = LocalPrometheus(work, rule_files=[rules])
    server.backfill(write_openmetrics(truth, work / "raw"))
    shutil.rmtree(work / "raw")
    rules_catalog = _catalog(work, "http://127.0.0.1:9", RECORDED, "rules-catalog.yaml")
    made = budgetbot("rules", "--config", str(rules_catalog), "--output", str(rules))
    assert made.returncode == 0, made.stderr
    check = server.check_rules(rules)
    with server:
        url = server.start()
        rules_catalog = _catalog(work, url, RECORDED, "rules-catalog.yaml")
        outputs = []
        for n, (start, end) in enumerate(
            [(END - timedelta(days=10), GAP - timedelta(hours=1)), (GAP, LIVE_FROM)]
        ):
            run = budgetbot(
                "rules", "--backfill", "--config", str(rules_catalog),
                "--start", start.isoformat(), "--end", end.isoformat(),
                "--output-dir", str(work / f"hours{n}"),
            )  # fmt: skip
            assert run.returncode == 0, run.stderr
            outputs.append(run.stdout)
        live = _live_hours(url, load_catalog(str(rules_catalog)).slos, work / "live")
        server.stop()
        server.backfill([*sorted(work.glob("hours*/*.om")), *live])
        url = server.start()
        catalog = _catalog(work, url, services, "budgetbot.yaml")
        yield Recorded(url, truth, load_catalog(str(catalog)).slos, catalog, check, outputs)


def _live_hours(url: str, slos: list[SLO], directory: Path) -> list[Path]:
    """What a live rule group would have recorded after LIVE_FROM, at its own offset."""
    directory.mkdir()
    first = int(LIVE_FROM.timestamp()) + OFFSET
    stamps = range(first, int(END.timestamp()) + 1, 3600)
    wanted = recordings(slos)
    source = PrometheusSource(url, recorded_hours=False)
    from bot.metrics.promql import Term

    values = source.evaluate_range([Term(i, r.expr) for i, r in enumerate(wanted)], stamps)
    series = []
    for i, recording in enumerate(wanted):
        got = values[i]
        assert isinstance(got, list)
        series.append((recording, {t: v for t, v in zip(stamps, got, strict=True) if v == v}))
    paths = []
    for day in sorted({datetime.fromtimestamp(t, END.tzinfo).date() for t in stamps}):
        text = openmetrics_day(day, series)
        assert text is not None
        path = directory / f"live-{day}.om"
        path.write_text(text)
        paths.append(path)
    return paths


def test_the_rule_file_passes_promtool(recorded: Recorded) -> None:
    assert "SUCCESS: 18 rules found" in recorded.check, recorded.check  # 3 services x 3 SLOs x 2
    assert all("wrote" in out for out in recorded.backfill)


def _tolerance(count: float, at: datetime, seconds: int) -> float:
    """How far recorded figures may lie from the truth: a live rule group records at its own
    offset, so Prometheus extrapolates each of its hours to the hour's edges (as in every
    recording rule): each edge may differ by a fraction of a scrape interval's events (15 of
    its 60 s here, at the window's mean rate; a lost or doubled hour is 3,600 s). Without
    live hours in the window (clock hours on whole-minute samples) the figures are exact."""
    live = (at - max(LIVE_FROM, at - timedelta(seconds=seconds))).total_seconds()
    edges = live / 3600 + 1 if live > 0 else 0
    return edges * count / seconds * 15 + count * 1e-9 + 1e-6


@pytest.mark.parametrize(
    "at",
    [LIVE_FROM, END, END - timedelta(hours=5, minutes=17)],
    ids=["clock-hours", "end", "5h17m"],
)
def test_recorded_figures_equal_the_truth_and_the_raw_ones(
    recorded: Recorded, at: datetime
) -> None:
    read = PrometheusSource(recorded.url).read(recorded.slos, at, burn_windows())
    raw = PrometheusSource(recorded.url, reuse_hours=False, recorded_hours=False)
    plain = raw.read(recorded.slos, at, burn_windows())
    for slo in recorded.slos:
        reading = read[slo.name]
        assert reading.recorded is (slo.service in RECORDED), slo.name
        spans = [(slo.period_seconds(at), reading.period, plain[slo.name].period)]
        spans += [(w, r, plain[slo.name].windows[w]) for w, r in reading.windows.items()]
        for seconds, rates, raw_rates in spans:
            truth = recorded.truth.counts(slo.service, at - timedelta(seconds=seconds), at)
            assert rates is not None and raw_rates is not None
            assert (raw_rates.bad, raw_rates.total) == pytest.approx(truth, rel=1e-9)
            for got, count in ((rates.bad, truth[0]), (rates.total, truth[1])):
                assert abs(got - count) <= _tolerance(count, at, seconds), (slo.name, seconds)


def test_incident_impact_from_recorded_hours_equals_the_truth(recorded: Recorded) -> None:
    source = PrometheusSource(recorded.url)
    incident = next(s for s in recorded.slos if s.name == "incident-30d")
    start, end = END - timedelta(days=5, hours=1), END - timedelta(days=3)  # the burst inside
    counts = source.event_counts(incident, start, end)
    bad, total = recorded.truth.counts("incident", start, end)
    assert (counts.bad, counts.total) == pytest.approx((bad, total), rel=1e-9)
    window = recorded.truth.counts("incident", end - timedelta(days=30), end)
    # The 30 days before start before the first sample: the raw stretch before the rules is
    # extrapolated by Prometheus by half a sample interval there (about 1e-5 relative).
    assert (counts.window_bad, counts.window_total) == pytest.approx(window, rel=1e-4)


def test_the_status_table_names_the_slos_read_raw_and_json_is_unchanged(
    recorded: Recorded,
) -> None:
    at = ("--at", END.isoformat())
    table = budgetbot("status", "--config", str(recorded.catalog), *at)
    assert table.returncode == 0, table.stderr
    footer = " ".join(table.stdout.split())
    assert (
        "Read raw, without recorded hours: overspent-7d, overspent-30d, overspent-month." in footer
    )
    docs = json.loads(
        budgetbot("status", "--config", str(recorded.catalog), *at, "--format", "json").stdout
    )
    assert {d["slo"] for d in docs} == {s.name for s in recorded.slos}
    assert not any("recorded" in key for d in docs for key in d)


def test_check_config_live_says_how_far_back_the_recorded_hours_go(recorded: Recorded) -> None:
    at = ("--at", END.isoformat())
    run = budgetbot(
        "check-config", "--live", "--config", str(recorded.catalog), *at, "--format", "json"
    )
    assert run.returncode == 0, run.stderr
    since = {e["name"]: e["recorded_since"] for e in json.loads(run.stdout)["slos"]}
    first = (END - timedelta(days=10)).isoformat().replace("+00:00", "Z")
    assert since == {
        "steady-7d": (END - timedelta(days=7)).isoformat().replace("+00:00", "Z"),
        "incident-7d": (END - timedelta(days=7)).isoformat().replace("+00:00", "Z"),
        "slowburn-7d": (END - timedelta(days=7)).isoformat().replace("+00:00", "Z"),
        "steady-30d": first, "incident-30d": first, "slowburn-30d": first,
        # the month began with live hours, the first whole one at the group's offset
        "steady-month": "2026-03-01T00:17:23Z", "incident-month": "2026-03-01T00:17:23Z",
        "slowburn-month": "2026-03-01T00:17:23Z",
        "overspent-7d": None, "overspent-30d": None, "overspent-month": None,
    }  # fmt: skip
    table = budgetbot("check-config", "--live", "--config", str(recorded.catalog), *at)
    assert "Recorded hours: 9 of 12 SLOs, the earliest since" in " ".join(table.stdout.split())
    assert "recorded hours: none (read raw)" in table.stdout


def test_what_healthz_says_of_recorded_hours(recorded: Recorded) -> None:
    source = PrometheusSource(recorded.url)
    assert source.recorded is not None and source.recorded.summary()["present"] is None
    source.read(recorded.slos, END, burn_windows())
    summary = source.recorded.summary()
    assert summary == {"present": True, "slos": 9, "since": "2026-02-20T12:00:00Z"}


def test_digest_figures_from_recorded_hours_equal_the_truth(
    recorded: Recorded, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'digest.db'}")
    upgrade(engine)
    catalog = load_catalog(str(recorded.catalog))
    digest = DigestData(catalog, PrometheusSource(recorded.url), UnitOfWork(engine)).digest(
        "sre", END
    )
    lines = {line.slo: line for line in digest.slos}
    assert set(lines) == {s.name for s in recorded.slos}
    for slo in recorded.slos:
        line, budget = lines[slo.name], slo.budget
        for at, got in ((END, line.remaining), (END - timedelta(days=7), line.remaining_week_ago)):
            seconds = slo.period_seconds(at)
            bad, total = recorded.truth.counts(slo.service, at - timedelta(seconds=seconds), at)
            slack = _tolerance(bad, at, seconds) / total / budget + 1e-9
            assert got is not None and abs(got - (1 - bad / total / budget)) <= slack, slo.name
