"""`budgetbot digest`: post each chosen team's weekly digest, or print it and its chart."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text

from bot.charts import budget_chart
from bot.cli.console_digest import print_digest, print_ranking
from bot.domain.digest import rank_teams
from bot.services.digest_data import DigestData
from bot.services.digests import PLATFORM, DigestOutcome, Digests
from bot.times import format_time


@dataclass(frozen=True)
class DigestRequest:
    at: datetime
    teams: list[str]
    platform: bool
    force: bool
    print_only: bool
    chart_dir: str


def run_digest(
    request: DigestRequest, data: DigestData, digests: Digests | None, console: Console
) -> list[DigestOutcome]:
    """Post the digests with `digests`, saying how each went as it goes, or print them
    (`request.print_only`, or no `digests`). Printing raises PrometheusError; posting
    reports it per team ("postponed")."""
    if request.print_only or digests is None:
        print_digests(console, data, request)
        return []
    outcomes = []
    for name in [PLATFORM] if request.platform else request.teams:
        if name == PLATFORM:
            outcome = digests.post_platform(request.at, force=request.force)
        else:
            outcome = digests.post(name, request.at, force=request.force)
        console.print(Text(_line(outcome)))
        outcomes.append(outcome)
    return outcomes


def _line(o: DigestOutcome) -> str:
    name = "platform ranking" if o.team == PLATFORM else o.team
    detail = f": {o.detail}" if o.detail else ""
    hint = " (--force posts it again)" if o.state == "already posted" else ""
    return f"{name} {o.week}: {o.state}{detail}{hint}"


def print_digests(console: Console, data: DigestData, request: DigestRequest) -> list[Path]:
    """Print the digests and write each team's chart; returns the chart files written."""
    label = format_time(request.at)
    if request.platform:
        ranked = rank_teams([data.digest(t, request.at) for t in request.teams])
        print_ranking(console, ranked, label)
        return []
    written = []
    for team in request.teams:
        digest = data.digest(team, request.at)
        print_digest(console, digest, label)
        path = Path(request.chart_dir) / f"budget-{team}-{digest.week}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(budget_chart(data.chart(team, request.at)))
        console.print(Text(f"Chart: {path}\n"))
        written.append(path)
    return written
