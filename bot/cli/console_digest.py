"""The weekly digest in the terminal: the same content as the Slack message, as rich text."""

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.cli.console import GATE_STYLE, bar, percent, rate
from bot.domain.digest import ActionDue, TeamDigest, worst_first
from bot.domain.digest_incidents import RANKING_WEEKS, rank_by_ttr
from bot.slack.messages.digests import (
    due_words,
    exhaustion_text,
    points,
    times_lines,
    times_title,
)
from bot.slack.messages.incident_timeline import span


def print_digest(console: Console, digest: TeamDigest, at_label: str) -> None:
    console.print(Text(f"Weekly digest of {digest.team} ({digest.week}, {at_label})", style="bold"))
    console.print(Text(f"Verdict: {digest.verdict}", style=_verdict_style(digest.standing)))
    table = Table(title_justify="left")
    for column in ("SLO", "Budget left", "This week", "Burn 1h", "Burn 7d", "Gate", "Outlook"):
        table.add_column(column, justify="left" if column in ("SLO", "Outlook") else "right")
    for s in worst_first(digest.slos):
        style = GATE_STYLE.get(s.gate, "") if s.gate else "dim"
        if s.remaining is None:
            left = Text(f"{s.data}: {s.message}", style="magenta")
            table.add_row(s.slo, left, "", "", "", Text("unknown", style="dim"), "")
            continue
        change = "new period" if s.new_period else "—" if s.change is None else points(s.change)
        table.add_row(
            s.slo,
            Text(f"{bar(s.remaining, 8)} {percent(s.remaining)}", style=style),
            change,
            rate(s.burn_now),
            rate(s.burn_week),
            Text(str(s.gate), style=style),
            exhaustion_text(s),
        )
    console.print(table)
    console.print(Text("Incidents this week:", style="bold"))
    for i in digest.incidents:
        spent = ", ".join(f"{slo} {percent(share)}" for slo, share in i.consumed)
        ongoing = " (ongoing)" if i.ended_at is None else ""
        console.print(Text(f"  {i.key} {i.severity or 'unclassified'}{ongoing}: {i.title}"))
        if spent:
            console.print(Text(f"    budget spent: {spent}"))
    if not digest.incidents:
        console.print("  none")
    if lines := times_lines(digest.times):
        console.print(Text(f"{times_title(digest.times)}:", style="bold"))
        for line in lines:
            console.print(Text(f"  {line}"))
    if digest.exclusions:
        console.print(Text("Excluded from the budget this week:", style="bold"))
    for e in digest.exclusions:
        when = f"{e.start:%a %d %b %H:%M}-{e.end:%H:%M} UTC"
        console.print(Text(f"  {e.name} {when}: {', '.join(e.slos)}: {e.reason}"))
    _actions(console, "Action items overdue:", digest.overdue)
    _actions(console, "Action items due in the next 7 days:", digest.due)
    console.print(f"Deploys held by the release gate this week: {digest.held_deploys}")


def _actions(console: Console, title: str, actions: tuple[ActionDue, ...]) -> None:
    console.print(Text(title, style="bold"))
    for a in actions:
        console.print(Text(f"  {a.key} {a.owner}: {due_words(a)}: {a.description}"))
    if not actions:
        console.print("  none")


def _verdict_style(standing: int) -> str:
    return ("green", "magenta", "yellow", "bold red")[standing]


def print_ranking(console: Console, ranked: Sequence[TeamDigest], at_label: str) -> None:
    table = Table(title=f"Teams by error budget, worst first ({at_label})", title_justify="left")
    for column in ("#", "Team", "Verdict", "Lowest budget", "Incidents", "Deploys held"):
        table.add_column(column)
    for n, d in enumerate(ranked, start=1):
        verdict = Text(d.verdict, style=_verdict_style(d.standing))
        table.add_row(
            str(n),
            d.team,
            verdict,
            percent(d.worst_remaining),
            str(len(d.incidents)),
            str(d.held_deploys),
        )
    console.print(table)
    ranked_ttr = rank_by_ttr(d.ttr for d in ranked)
    if not any(t.median is not None for t in ranked_ttr):
        return
    title = f"Teams by time to resolve (median, last {RANKING_WEEKS} weeks), fastest first"
    by_ttr = Table(title=title, title_justify="left")
    for column in ("#", "Team", "Median TTR", "Resolved"):
        by_ttr.add_column(column)
    for n, t in enumerate(ranked_ttr, start=1):
        median = "—" if t.median is None else span(t.median)
        by_ttr.add_row(str(n) if t.median is not None else "", t.team, median, str(t.resolved))
    console.print(by_ttr)
