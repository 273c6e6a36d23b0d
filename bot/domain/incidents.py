"""Incident impact on an SLO's budget and its severity class (docs/architecture.md, Budget math)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.slo import Catalog, SeverityThresholds


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
        """bad events / (B x window events); None when the incident saw no traffic.

        No traffic during the incident is "unknown impact", never a silent 0 (SEV4).
        """
        allowed = self.budget * self.window_events
        if allowed <= 0 or self.total_events <= 0:
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


class ImpactState(StrEnum):
    PENDING = "pending"  # not computed yet (Prometheus was down): the next cycle fills it in
    KNOWN = "known"
    UNKNOWN = "unknown"  # no traffic or no data in the window: never a silent SEV4


@dataclass(frozen=True)
class SLOImpact:
    """One affected SLO's share of its budget spent in the incident window."""

    slo: str
    budget_consumed: float | None  # ratio of the SLO window's budget; None: unknown
    remaining_after: float | None  # ratio of the budget left at the window's end
    gate_after: str | None  # "open" | "caution" | "frozen" | None
    bad_events: float = 0.0
    total_events: float = 0.0
    note: str = ""  # why the impact is unknown, if it is


@dataclass(frozen=True)
class IncidentDraft:
    """What the declaration form gives; times aware UTC."""

    title: str
    services: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None  # None: still ongoing
    description: str
    declared_by: str
    declared_in: str  # the channel it was declared from ("" from the CLI)
    severity_override: IncidentSeverity | None = None
    override_reason: str = ""


@dataclass(frozen=True)
class Change:
    """One line of an incident's audit trail."""

    at: datetime
    actor: str
    # declared | classified | reclassified | acknowledged | mitigated | corrected | escalated
    # | resolved | postmortem
    kind: str
    detail: str


@dataclass(frozen=True)
class Incident:
    id: int
    draft: IncidentDraft
    declared_at: datetime
    impact_state: ImpactState = ImpactState.PENDING
    severity_computed: IncidentSeverity | None = None
    severity_override: IncidentSeverity | None = None
    override_reason: str = ""
    resolved_at: datetime | None = None
    impacts: tuple[SLOImpact, ...] = ()
    changes: tuple[Change, ...] = ()
    detected_at: datetime | None = None  # None: declared before timings were kept
    detected_by: str | None = None  # the SLO whose burn alert detected it; None: declared
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    mitigated_at: datetime | None = None
    mitigated_by: str | None = None
    respond_from: datetime | None = None  # the response clock's start if not declared_at

    @property
    def key(self) -> str:
        """The ID people use, e.g. INC-42."""
        return f"INC-{self.id}"

    @property
    def severity(self) -> IncidentSeverity | None:
        """The override when there is one, else the computed class."""
        return self.severity_override or self.severity_computed

    @property
    def ongoing(self) -> bool:
        return self.draft.ended_at is None


def classify_incident(
    impacts: Sequence[SLOImpact], thresholds: SeverityThresholds = SeverityThresholds()
) -> tuple[ImpactState, IncidentSeverity | None, str]:
    """(state, class, reason): the class of the largest share any affected SLO lost."""
    known = [i for i in impacts if i.budget_consumed is not None]
    if not known:
        return ImpactState.UNKNOWN, None, "no traffic or no data in the incident window"
    worst = max(known, key=lambda i: i.budget_consumed or 0.0)
    share = worst.budget_consumed or 0.0
    severity = classify(share, thresholds)
    return ImpactState.KNOWN, severity, f"{worst.slo} lost {share:.1%} of its error budget"


def overage(impact: SLOImpact) -> bool:
    """True when the SLO had no budget left at the incident's end."""
    return impact.remaining_after is not None and impact.remaining_after <= 0


TITLE_LIMIT = 150  # characters


MAX_INCIDENT_AGE = timedelta(days=366)  # older is a typo (1900), and no store keeps the data


def check_draft(
    draft: IncidentDraft, now: datetime, known_services: Iterable[str]
) -> dict[str, str]:
    """Problems with a declared incident, by form field; empty when it may be saved."""
    problems: dict[str, str] = {}
    if not draft.title.strip():
        problems["title"] = "Give the incident a title."
    elif len(draft.title) > TITLE_LIMIT:
        problems["title"] = (
            f"Keep the title under {TITLE_LIMIT} characters ({len(draft.title)} now)."
        )
    if not draft.services:
        problems["services"] = "Choose at least one affected service."
    else:
        unknown = sorted(set(draft.services) - set(known_services))
        if unknown:
            problems["services"] = f"Not in the catalog: {', '.join(unknown)}."
    if draft.started_at > now:
        problems["start"] = "The start cannot be in the future."
    elif now - draft.started_at > MAX_INCIDENT_AGE:
        problems["start"] = "The start must be within the last year."
    if draft.ended_at is not None:
        if draft.ended_at <= draft.started_at:
            problems["end"] = "The end must come after the start."
        elif draft.ended_at > now:
            problems["end"] = "The end cannot be in the future; leave it empty while ongoing."
    return problems


def owning_teams(catalog: Catalog, incident: Incident | None) -> list[str]:
    """Every team owning one of the incident's services, in the order of its services (the
    first one owns its action items)."""
    services = incident.draft.services if incident else ()
    teams = [catalog.services[s].team for s in services if s in catalog.services]
    return [t for t in dict.fromkeys(teams) if t in catalog.teams]


def owning_team(catalog: Catalog, incident: Incident | None) -> str | None:
    """The team owning the incident's action items: its first service's; None when none of
    its services is in the catalog any more."""
    teams = owning_teams(catalog, incident)
    return teams[0] if teams else None
