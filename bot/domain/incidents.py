"""Incident impact on an SLO's budget and its severity class (DESIGN.md section 5)."""

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.slo import SeverityThresholds


class IncidentSeverity(StrEnum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


@dataclass(frozen=True)
class IncidentImpact:
    """Budget consumed by an incident, as a ratio of the SLO window's budget in events."""

    bad_events: float
    total_events: float  # during the incident
    window_events: float  # total events over the SLO window ending at the incident's end
    budget: float  # B, the allowed error ratio

    @property
    def error_ratio(self) -> float | None:
        """Bad / total events during the incident (None without traffic)."""
        return self.bad_events / self.total_events if self.total_events > 0 else None

    @property
    def budget_consumed(self) -> float | None:
        """bad events / (B x window events); None when the window saw no traffic."""
        allowed = self.budget * self.window_events
        if allowed <= 0:
            return None
        return self.bad_events / allowed


def classify(
    consumed: float, thresholds: SeverityThresholds = SeverityThresholds()
) -> IncidentSeverity:
    """SEV1..SEV4 from the share of the budget consumed (ratio; 0.2 = 20 %)."""
    if consumed >= thresholds.sev1:
        return IncidentSeverity.SEV1
    if consumed >= thresholds.sev2:
        return IncidentSeverity.SEV2
    if consumed >= thresholds.sev3:
        return IncidentSeverity.SEV3
    return IncidentSeverity.SEV4
