"""Incident classification on a real Prometheus: outages at declaration, unknown impact."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.incidents import ImpactState, IncidentDraft, IncidentSeverity
from bot.domain.slo import SLO
from bot.domain.status import Reading
from bot.metrics.errors import PrometheusUnreachable
from bot.metrics.prometheus import PrometheusSource
from bot.metrics.source import EventCounts, Progress
from bot.services.incidents import Incidents
from storage.db import make_engine
from storage.migrate import upgrade
from storage.unit_of_work import UnitOfWork
from tests.support.catalogs import alerting_catalog


class Flaky:
    """A source that is unreachable until switched on."""

    def __init__(self, real: PrometheusSource) -> None:
        self.real = real
        self.up = False

    def read(
        self,
        slos: Sequence[SLO],
        at: datetime,
        windows: Sequence[int],
        progress: Progress | None = None,
    ) -> dict[str, Reading]:
        if not self.up:
            raise PrometheusUnreachable("http://prom:9090", "connection refused")
        return self.real.read(slos, at, windows, progress)

    def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
        if not self.up:
            raise PrometheusUnreachable("http://prom:9090", "connection refused")
        return self.real.event_counts(slo, start, end)


@pytest.fixture
def setup(prom: Any, tmp_path: Path) -> tuple[Incidents, Flaky]:
    from bot.catalog import load_catalog

    catalog = load_catalog(alerting_catalog(tmp_path, prom.url, ("incident", "quiet")))
    engine = make_engine(f"sqlite:///{tmp_path / 'incidents.db'}")
    upgrade(engine)
    source = Flaky(PrometheusSource(prom.url, reuse_hours=False))
    return Incidents(catalog, source, UnitOfWork(engine), lambda: prom.end), source


def draft(service: str, start: datetime, end: datetime | None) -> IncidentDraft:
    return IncidentDraft("t", (service,), start, end, "", "U1", "C1")


def test_declared_while_prometheus_is_down_it_is_saved_pending_then_filled_in(
    setup: tuple[Incidents, Flaky], prom: Any
) -> None:
    incidents, source = setup
    start = prom.end - timedelta(days=5)
    declared = incidents.declare(draft("incident", start, start + timedelta(hours=2)))
    assert declared is not None
    assert declared.impact_state is ImpactState.PENDING and declared.severity is None
    assert [i.id for i in incidents.refresh()] == [declared.id]  # still down: still pending
    assert incidents.get(declared.id).impact_state is ImpactState.PENDING  # type: ignore[union-attr]
    source.up = True
    (filled,) = incidents.refresh()
    assert filled.impact_state is ImpactState.KNOWN and filled.severity is IncidentSeverity.SEV1
    assert incidents.refresh() == []  # resolved-by-end and known: nothing left to refresh


def test_a_window_without_traffic_is_unknown_impact_never_sev4(
    setup: tuple[Incidents, Flaky], prom: Any
) -> None:
    incidents, source = setup
    source.up = True
    start = prom.end - timedelta(hours=3)  # the quiet service has no traffic in its last 4 h
    declared = incidents.declare(draft("quiet", start, start + timedelta(hours=1)))
    assert declared is not None
    assert declared.impact_state is ImpactState.UNKNOWN and declared.severity is None
    assert "no traffic" in declared.impacts[0].note
