"""Incident timings: when it was detected, and how long detection, response and recovery
took (DESIGN 9.4, docs/incidents.md). Every time is the bot's clock."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median, quantiles

from bot.domain.incidents import Incident
from bot.domain.slo import Catalog

DURATIONS = ("time_to_detect_s", "time_to_acknowledge_s", "time_to_mitigate_s", "time_to_resolve_s")


@dataclass(frozen=True)
class AlertSeen:
    """A burn alert's opening post: the alerting cycle's time, and when it resolved."""

    slo: str
    posted_at: datetime
    resolved_at: datetime | None


def detection(
    start: datetime, declared_at: datetime, alerts: Iterable[AlertSeen]
) -> tuple[datetime, str | None]:
    """(detected_at, SLO): the first burn alert of an affected SLO firing between the start of
    the impact and the declaration; (declared_at, None) when none was.

    An alert posted before the start and still firing at it detected the impact as it began
    (detected at the start); one posted after the declaration detected nothing.
    """
    found: list[tuple[datetime, str]] = []
    for alert in alerts:
        if start <= alert.posted_at <= declared_at:
            found.append((alert.posted_at, alert.slo))
        elif alert.posted_at < start and (alert.resolved_at is None or alert.resolved_at > start):
            found.append((start, alert.slo))
    if not found:
        return declared_at, None
    return min(found)


def _seconds(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds()


def durations(incident: Incident) -> dict[str, float | None]:
    """The four durations in seconds (DESIGN 9.4); None until both ends are known."""
    start = incident.draft.started_at
    return {
        "time_to_detect_s": _seconds(incident.detected_at, start),
        "time_to_acknowledge_s": _seconds(incident.acknowledged_at, incident.detected_at),
        "time_to_mitigate_s": _seconds(incident.mitigated_at, start),
        "time_to_resolve_s": _seconds(incident.draft.ended_at, start),
    }


def response_deadline(catalog: Catalog, incident: Incident) -> int | None:
    """Seconds to acknowledge it after declaration: the shortest deadline of its class over
    the tiers of its services; None without a class or a deadline for it."""
    severity = incident.severity
    if severity is None:
        return None
    tiers = {catalog.services[s].tier for s in incident.draft.services if s in catalog.services}
    found = [catalog.respond.get(t, {}).get(severity.value) for t in tiers]
    known = [seconds for seconds in found if seconds is not None]
    return min(known) if known else None


def escalation_due(catalog: Catalog, incident: Incident) -> datetime | None:
    """When an unacknowledged incident is escalated: its deadline after the declaration, or
    after the change that gave it its present class. None: never (acknowledged, resolved,
    no class or no deadline)."""
    if incident.acknowledged_at is not None or incident.resolved_at is not None:
        return None
    deadline = response_deadline(catalog, incident)
    if deadline is None:
        return None
    return (incident.respond_from or incident.declared_at) + timedelta(seconds=deadline)


@dataclass(frozen=True)
class Spread:
    median: float
    p90: float


def spread(values: Sequence[float]) -> Spread | None:
    """Median and 90th percentile (linear between the closest ranks); None without values."""
    if not values:
        return None
    if len(values) == 1:
        return Spread(values[0], values[0])
    return Spread(median(values), quantiles(values, n=10, method="inclusive")[-1])


@dataclass(frozen=True)
class IncidentStats:
    by_class: Mapping[str, int]  # "SEV1".."SEV4", and "unknown" for those without a class
    budget_consumed: float  # each incident's largest share, summed (1.0 = one whole budget)
    times: Mapping[str, Spread | None]  # by duration name

    def as_json(self) -> dict[str, object]:
        return {
            "by_class": dict(self.by_class),
            "budget_consumed": self.budget_consumed,
            "times": {
                name: None if s is None else {"median": s.median, "p90": s.p90}
                for name, s in self.times.items()
            },
        }


def stats(incidents: Iterable[Incident]) -> IncidentStats:
    """Counts by class, budget spent in all and the spread of each duration."""
    by_class = {"SEV1": 0, "SEV2": 0, "SEV3": 0, "SEV4": 0}
    spent = 0.0
    times: dict[str, list[float]] = {name: [] for name in DURATIONS}
    for incident in incidents:
        key = incident.severity.value if incident.severity else "unknown"
        by_class[key] = by_class.get(key, 0) + 1
        shares = [i.budget_consumed for i in incident.impacts if i.budget_consumed is not None]
        spent += max(shares, default=0.0)
        for name, seconds in durations(incident).items():
            if seconds is not None:
                times[name].append(seconds)
    return IncidentStats(by_class, spent, {name: spread(v) for name, v in times.items()})
