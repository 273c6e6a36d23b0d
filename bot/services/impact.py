"""How much of an SLO's error budget an incident window consumed."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.budget import Rates, remaining
from bot.domain.incidents import IncidentImpact, IncidentSeverity, classify
from bot.domain.slo import SLO, Catalog
from bot.metrics.source import MetricsSource
from bot.times import format_time


@dataclass(frozen=True)
class ImpactReport:
    slo: SLO
    start: datetime
    end: datetime
    impact: IncidentImpact
    severity: IncidentSeverity | None  # None: no traffic in the window, impact unknown
    budget_remaining_after: float | None  # ratio of the budget left at the incident's end

    def as_json(self) -> dict[str, Any]:
        """The `incident-impact --format json` contract."""
        return {
            "slo": self.slo.name,
            "start": format_time(self.start),
            "end": format_time(self.end),
            "bad_events": self.impact.bad_events,
            "total_events": self.impact.total_events,
            "error_ratio": self.impact.error_ratio,
            "budget_consumed": self.impact.budget_consumed,
            "severity": str(self.severity) if self.severity else None,
            "budget_remaining_after": self.budget_remaining_after,
        }


def incident_impact(
    catalog: Catalog, source: MetricsSource, slo: SLO, start: datetime, end: datetime
) -> ImpactReport:
    """Bad events in [start, end] over the budget in events of the window ending at `end`."""
    counts = source.event_counts(slo, start, end)
    impact = IncidentImpact(counts.bad, counts.total, counts.window_total, slo.budget)
    consumed = impact.budget_consumed
    severity = classify(consumed, catalog.severity) if consumed is not None else None
    window_ratio = Rates(counts.window_bad, counts.window_total).error_ratio
    after = remaining(window_ratio, slo.budget) if window_ratio is not None else None
    return ImpactReport(slo, start, end, impact, severity, after)
