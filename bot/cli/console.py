"""Terminal output for people: rich tables coloured by gate, and short summaries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from bot.domain.slo import Gate
from bot.times import format_time

if TYPE_CHECKING:  # each command imports the use case whose results it prints
    from rich.console import Console

    from bot.domain.slo import Catalog
    from bot.domain.status import SLOStatus
    from bot.services.catalog_check import QueryCheck
    from bot.services.impact import ImpactReport

GATE_STYLE = {Gate.OPEN: "green", Gate.CAUTION: "yellow", Gate.FROZEN: "bold red"}
SHOWN_WINDOWS = ((3600, "1h"), (6 * 3600, "6h"), (86400, "1d"), (3 * 86400, "3d"))


def bar(share: float, width: int = 10) -> str:
    """A text bar for a ratio in [0, 1] ("#####-----" for 0.5)."""
    filled = round(min(max(share, 0.0), 1.0) * width)
    return "█" * filled + "░" * (width - filled)


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def status_table(statuses: Sequence[SLOStatus], at_label: str) -> Table:
    table = Table(title=f"Error budgets at {at_label}", title_justify="left")
    table.add_column("SLO")
    table.add_column("Objective", justify="right")
    table.add_column("Budget left", justify="right")
    for _, label in SHOWN_WINDOWS:
        table.add_column(f"Burn {label}", justify="right")
    table.add_column("Alert")
    table.add_column("Gate")
    team = None
    for s in sorted(statuses, key=lambda s: s.slo.team):
        if s.slo.team != team:
            team = s.slo.team
            table.add_row(Text(f"team {team}", style="bold"), end_section=False)
        style = GATE_STYLE.get(s.gate.gate, "") if s.gate else "dim"
        if s.budget_remaining is None:
            left = Text(f"{s.data}: {s.message}", style="magenta")
        else:
            shown = f"{bar(s.budget_remaining, 8)} {percent(s.budget_remaining)}"
            if s.period_note:
                shown += f" · {s.period_note}"
            left = Text(shown, style=style)
        burns = [rate(s.burn_rates.get(w)) for w, _ in SHOWN_WINDOWS]
        alert_style = "bold red" if s.alert == "page" else "yellow"
        alert = Text(str(s.alert), style=alert_style) if s.alert else ""
        if s.held_back:  # a burn rule held back for low traffic: shown, not raised
            alert = Text(f"{s.alert or ''} (low traffic: held)".strip(), style="dim")
        gate = Text(str(s.gate.gate), style=style) if s.gate else Text("unknown", style="dim")
        objective = f"{s.slo.objective:g}%/{s.slo.window_label}"
        table.add_row(f"  {s.slo.name}", objective, left, *burns, alert, gate)
    return table


def print_status(console: Console, statuses: Sequence[SLOStatus], at_label: str) -> None:
    console.print(status_table(statuses, at_label))
    failed = [s for s in statuses if s.data != "ok"]
    if failed:
        console.print(f"[magenta]{len(failed)} SLO(s) without usable data:[/magenta]")
        for s in failed:
            console.print(Text(f"  {s.slo.name}: {s.data}: {s.message}"))
    console.print(Text(recorded_note(statuses)), style="dim", soft_wrap=True)


def recorded_note(statuses: Sequence[SLOStatus], shown: int = 10) -> str:
    """The footer that says which SLOs were read raw, not from recorded hours."""
    usable = [s for s in statuses if s.data != "error"]
    raw = [s.slo.name for s in usable if not s.recorded]
    if not raw:
        return f"Every SLO's long windows read from recorded hours ({len(usable)} SLOs)."
    if len(raw) == len(usable):
        return "No recorded hours: every SLO read raw (see `budgetbot rules`)."
    names = ", ".join(raw[:shown]) + (f" and {len(raw) - shown} more" if len(raw) > shown else "")
    return f"Read raw, without recorded hours: {names}."


def print_catalog_summary(
    console: Console,
    catalog: Catalog,
    live: Mapping[str, Sequence[QueryCheck]] | None = None,
    since: Mapping[str, datetime | None] | None = None,
) -> None:
    """The catalog's teams and every SLO it derived; with `live`, what each query returned,
    and with `since`, how far back its recorded hours go."""
    console.print(
        f"[green]Catalog OK[/green]: {len(catalog.teams)} teams, {len(catalog.services)} "
        f"services, {len(catalog.slos)} SLOs from {len(catalog.files)} file(s)"
    )
    for path in catalog.files:
        console.print(Text(f"  {path}"))
    table = Table("Team", "Channel", "Digest", "Services", "SLOs")
    for team in catalog.teams.values():
        services = [s.name for s in catalog.services.values() if s.team == team.name]
        slos = [s for s in catalog.slos if s.team == team.name]
        table.add_row(
            team.name,
            team.channel,
            f"{team.digest} ({team.timezone})",
            ", ".join(services),
            str(len(slos)),
        )
    console.print(table)
    console.print("SLOs:")
    for slo in catalog.slos:
        facts = (
            f"team {slo.team} · service {slo.service} · {slo.tier} · "
            f"{slo.objective:g} % over {slo.window_label} · {slo.sli.kind_label} · {slo.source}"
        )
        console.print(Text(f"  {slo.name}  ", style="bold") + Text(facts), soft_wrap=True)
        for note in slo.notes:
            console.print(Text(f"    note: {note}"), soft_wrap=True)
        for check in (live or {}).get(slo.name, ()):
            console.print(Text(f"    live: {_live_line(check)}"), soft_wrap=True)
        if since is not None:
            first = since.get(slo.name)
            told = f"since {format_time(first)}" if first else "none (read raw)"
            console.print(Text(f"    recorded hours: {told}"), soft_wrap=True)
    if since is not None:
        found = [t for t in since.values() if t is not None]
        console.print(
            f"Recorded hours: {len(found)} of {len(since)} SLOs"
            + (
                f", the earliest since {format_time(min(found))}"
                if found
                else " (see `budgetbot rules`)"
            )
        )


def _live_line(check: QueryCheck) -> str:
    text = f"{check.role}: {check.outcome}"
    return f"{text} ({check.message})" if check.message and not check.usable else text


def print_impact(console: Console, report: ImpactReport) -> None:
    impact = report.impact
    console.print(
        Text(f"{report.slo.name}", style="bold"),
        f"from {format_time(report.start)} to {format_time(report.end)}",
    )
    console.print(f"  bad events:       {impact.bad_events:,.0f} of {impact.total_events:,.0f}")
    console.print(f"  error ratio:      {percent(impact.error_ratio, 3)}")
    console.print(
        f"  budget consumed:  {percent(impact.budget_consumed, 2)} of the window's budget"
    )
    severity = report.severity or "unknown impact (no traffic in the window)"
    console.print(f"  severity:         [bold]{severity}[/bold]")
    console.print(f"  budget left after: {percent(report.budget_remaining_after)}")


def print_actions(console: Console, rows: Sequence[dict[str, Any]]) -> None:
    table = Table("ID", "Incident", "Action", "Owner", "Deadline", "Priority", "Team")
    for row in rows:
        late = int(row["overdue_days"])
        deadline = Text(
            row["deadline"] + (f" ({late}d late)" if late else ""), style="red" if late else ""
        )
        table.add_row(
            row["id"],
            row["incident"],
            Text(row["description"]),
            row["owner"],
            deadline,
            row["priority"],
            row["team"],
        )
    console.print(table)
