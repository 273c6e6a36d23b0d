"""A team's digest figures on a real Prometheus against the ground truth (docs/digest.md):
only its own SLOs, last week's budget, this week's burn, incidents, actions, held deploys."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from bot.catalog import load_catalog
from bot.domain.actions import ActionKind, NewAction, Priority
from bot.domain.digest import WEEK
from bot.domain.incidents import IncidentDraft
from bot.metrics.errors import PrometheusUnreachable
from bot.metrics.prometheus import PrometheusSource
from bot.services.digest_data import DigestData
from bot.services.incidents import Incidents
from storage.db import make_engine
from storage.gates import GateRecord, GateRepository
from storage.migrate import upgrade
from storage.postmortems import PostmortemRepository
from storage.unit_of_work import UnitOfWork
from tests.support.catalogs import digest_catalog
from tests.support.scenarios import END, HOUR


@pytest.fixture(params=["prometheus", "victoriametrics"])
def prom(prom: Any, request: pytest.FixtureRequest) -> Any:
    """The digest's figures and chart are checked on both stores (the name is kept: each
    test reads `prom.url`, `prom.end` and `prom.truth` of the store in use)."""
    return prom if request.param == "prometheus" else request.getfixturevalue("victoria")


@pytest.fixture(params=["rate", "increase"])
def setup(prom: Any, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[DigestData, Any, Any]:
    """The digest's figures must be true whether the SLIs are rates or counts of events."""
    path = digest_catalog(tmp_path, prom.url, function=request.param)
    catalog = load_catalog(path)
    engine = make_engine(f"sqlite:///{tmp_path / 'digest.db'}")
    upgrade(engine)
    return DigestData(catalog, PrometheusSource(prom.url), UnitOfWork(engine)), catalog, engine


def test_each_slo_line_matches_the_ground_truth(prom: Any, setup: Any) -> None:
    data, _, _ = setup
    digest = data.digest("search", prom.end)
    assert digest.week == "2026-W10"  # Monday 2 March 2026
    assert [s.slo for s in digest.slos] == ["slowburn-availability", "overspent-availability"]
    month, budget = 30 * 86400, 0.001
    for line in digest.slos:
        service = line.service
        now = prom.truth.error_ratio(service, prom.end, month)
        before = prom.truth.error_ratio(service, prom.end - timedelta(days=7), month)
        assert line.remaining == pytest.approx(1 - now / budget, rel=1e-6)
        assert line.remaining_week_ago == pytest.approx(1 - before / budget, rel=1e-6)
        hour = prom.truth.error_ratio(service, prom.end, HOUR)
        week = prom.truth.error_ratio(service, prom.end, WEEK)
        assert line.burn_now == pytest.approx(hour / budget, rel=1e-6)
        assert line.burn_week == pytest.approx(week / budget, rel=1e-6)
    slow, over = digest.slos
    assert slow.change is not None and slow.change < 0  # the slow burn spent budget this week
    assert (
        str(over.gate) == "frozen"
        and digest.verdict == "frozen: overspent-availability has overspent"
    )
    assert slow.exhaustion == pytest.approx(slow.remaining * month / slow.burn_week)


def test_incidents_actions_and_held_deploys_are_the_team_s_own(prom: Any, setup: Any) -> None:
    data, catalog, engine = setup
    end = prom.end
    incidents = Incidents(catalog, PrometheusSource(prom.url), UnitOfWork(engine), lambda: end)
    episode = prom.scenarios["incident"].episodes[0]
    start = prom.start + timedelta(seconds=episode.offset)

    def declare(title: str, services: tuple[str, ...], begin: datetime) -> int:
        draft = IncidentDraft(title, services, begin, begin + timedelta(hours=2), "", "U1", "C0PAY")
        found = incidents.declare(draft)
        assert found is not None
        return found.id

    this_week = declare("Checkout errors", ("incident",), start)  # 5 days ago
    declare("Old one", ("steady",), end - timedelta(days=12))  # before the week: not listed
    declare("Search slow", ("slowburn",), end - timedelta(days=2))  # another team's
    declare("Shared", ("slowburn", "steady"), end - timedelta(days=1))  # both teams'
    with Session(engine) as session, session.begin():
        actions = PostmortemRepository(session)
        today = end.date()
        for deadline, who in (
            (today - timedelta(days=3), "U1"),
            (today + timedelta(days=3), "U2"),
            (today + timedelta(days=20), "U3"),
        ):
            action = NewAction("fix it", who, deadline, Priority.P1, ActionKind.PREVENT)
            actions.add_action(this_week, action, "U1", end)
        gates = GateRepository(session)
        for service, allowed, days_ago in (
            ("incident", False, 1),
            ("steady", False, 6),
            ("steady", False, 9),
            ("slowburn", False, 1),
            ("steady", True, 1),
        ):
            at = end - timedelta(days=days_ago)
            gates.record(GateRecord(service, "frozen", allowed, "r", "ci", at))

    digest = data.digest("payments", end)
    assert [i.title for i in digest.incidents] == ["Shared", "Checkout errors"]
    # a shared incident shows each team the budget it took from that team's own SLOs
    assert [slo for slo, _ in digest.incidents[0].consumed] == ["steady-availability"]
    incident = digest.incidents[1]
    truth_bad, _ = prom.truth.counts("incident", start, start + timedelta(hours=2))
    _, window_total = prom.truth.counts(
        "incident", start + timedelta(hours=2) - timedelta(days=30), start + timedelta(hours=2)
    )
    [(slo, share)] = incident.consumed
    assert slo == "incident-availability"
    assert share == pytest.approx(truth_bad / (0.001 * window_total), rel=1e-3)
    assert incident.severity == "SEV1"
    assert [(a.owner, a.days_overdue) for a in digest.overdue] == [("U1", 3)]
    assert [a.owner for a in digest.due] == ["U2"]
    assert digest.held_deploys == 2  # two held in the week for its services; not search's
    search = data.digest("search", end).incidents
    assert [i.title for i in search] == ["Shared", "Search slow"]
    assert [slo for slo, _ in search[0].consumed] == ["slowburn-availability"]


def test_the_chart_follows_the_budget_over_the_window(prom: Any, setup: Any) -> None:
    data, _, _ = setup
    chart = data.chart("search", prom.end)
    assert [s.slo for s in chart.series] == ["slowburn-availability", "overspent-availability"]
    assert (chart.caution, chart.freeze) == (0.25, 0.0) and chart.timezone == "UTC"
    for series in chart.series:
        service = series.slo.removesuffix("-availability")
        assert series.points[-1][0] == prom.end
        assert series.points[0][0] == prom.end - timedelta(days=30)
        assert len(series.points) == 61
        for at, remaining in series.points[::10]:
            truth = prom.truth.error_ratio(service, at, 30 * 86400)
            assert remaining == pytest.approx(1 - truth / 0.001, rel=1e-6)


def test_an_unreachable_prometheus_is_an_error_never_a_digest(setup: Any, tmp_path: Path) -> None:
    _, catalog, engine = setup
    down = DigestData(
        catalog, PrometheusSource("http://127.0.0.1:9", timeout=2), UnitOfWork(engine)
    )
    with pytest.raises(PrometheusUnreachable):
        down.digest("payments", END)
