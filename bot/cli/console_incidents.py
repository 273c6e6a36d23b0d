"""Incidents on the terminal and as JSON: `budgetbot incidents list|show|stats`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from bot.cli.console import percent
from bot.domain.incident_timings import DURATIONS, IncidentStats, durations
from bot.times import format_time

if TYPE_CHECKING:
    from rich.console import Console

    from bot.domain.incidents import Incident


def _time(moment: datetime | None) -> str | None:
    return format_time(moment) if moment else None


def incident_json(incident: Incident) -> dict[str, Any]:
    """An incident as `budgetbot incidents --format json` prints it."""
    draft = incident.draft
    severity = incident.severity
    return {
        "id": incident.key,
        "title": draft.title,
        "services": list(draft.services),
        "start": format_time(draft.started_at),
        "end": _time(draft.ended_at),
        "severity": str(severity) if severity else None,
        "severity_computed": str(c) if (c := incident.severity_computed) else None,
        "severity_override": str(o) if (o := incident.severity_override) else None,
        "impact": str(incident.impact_state),
        "resolved_at": _time(incident.resolved_at),
        "detected_at": _time(incident.detected_at),
        "detected_by": incident.detected_by,
        "declared_at": format_time(incident.declared_at),
        "acknowledged_at": _time(incident.acknowledged_at),
        "acknowledged_by": incident.acknowledged_by,
        "mitigated_at": _time(incident.mitigated_at),
        "mitigated_by": incident.mitigated_by,
        **durations(incident),
        "slos": [
            {
                "slo": i.slo,
                "budget_consumed": i.budget_consumed,
                "budget_remaining_after": i.remaining_after,
                "gate_after": i.gate_after,
            }
            for i in incident.impacts
        ],
        "history": [
            {"at": format_time(c.at), "by": c.actor, "what": c.kind, "detail": c.detail}
            for c in incident.changes
        ],
    }


def timeline(incident: Incident) -> list[tuple[datetime, str]]:
    """The incident's events in time order: impact began, detected, then its trail."""
    events = [(incident.draft.started_at, "impact began")]
    if incident.detected_at is not None:
        by = incident.detected_by
        events.append(
            (incident.detected_at, f"detected by the burn alert of {by}" if by else "detected")
        )
    for change in incident.changes:
        by = f" by {change.actor}" if change.actor else ""
        detail = f": {change.detail}" if change.detail else ""
        events.append((change.at, f"{change.kind}{by}{detail}"))
    return sorted(events, key=lambda e: e[0])  # stable: the trail's order within a second


def print_incidents(console: Console, incidents: Sequence[Incident]) -> None:
    table = Table("ID", "Title", "Services", "Start", "Severity", "State")
    for i in incidents:
        table.add_row(
            i.key,
            Text(i.draft.title),
            ", ".join(i.draft.services),
            format_time(i.draft.started_at),
            str(i.severity or i.impact_state),
            "resolved" if i.resolved_at else "open",
        )
    console.print(table)


def print_incident(console: Console, incident: Incident) -> None:
    doc = incident_json(incident)
    console.print(Text(f"{doc['id']}: {doc['title']}", style="bold"))
    for key in ("services", "start", "end", "severity", "severity_computed", "impact"):
        console.print(Text(f"  {key}: {doc[key]}"))
    for slo in doc["slos"]:
        console.print(Text(f"  {slo['slo']}: {percent(slo['budget_consumed'])} of its budget"))
    console.print(Text("  times: " + ", ".join(f"{k} {_span(doc[k])}" for k in DURATIONS)))
    console.print(Text("  timeline:"))
    for at, what in timeline(incident):
        console.print(Text(f"    {format_time(at)} {what}"))


def _span(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.0f}s"


def print_stats(console: Console, stats: IncidentStats) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in stats.by_class.items())
    console.print(Text(f"incidents: {counts}"))
    console.print(Text(f"budget consumed in all: {percent(stats.budget_consumed)}"))
    table = Table("Time", "Median", "p90")
    for name, spread in stats.times.items():
        if spread is None:
            table.add_row(name, "—", "—")
        else:
            table.add_row(name, _span(spread.median), _span(spread.p90))
    console.print(table)
