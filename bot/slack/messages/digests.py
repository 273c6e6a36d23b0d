"""The weekly digest as Slack messages: template context from the digest's plain data."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.digest import (
    ActionDue,
    ExclusionWeek,
    IncidentWeek,
    SLOWeek,
    TeamDigest,
    worst_first,
)
from bot.domain.digest_incidents import RANKING_WEEKS, STAGES, IncidentTimes, rank_by_ttr
from bot.slack.limits import SECTION_TEXT, cut
from bot.slack.messages.figures import GATE_EMOJI, bar, percent
from bot.slack.messages.incident_timeline import span
from bot.slack.rendering import Renderer, escape_mrkdwn

MAX_SLOS = 38  # SLO sections per message; the rest are counted (the message stays within 50 blocks)
MAX_LINES = 10  # incidents, and action items of each kind, listed by name
MAX_TTR = 20  # teams listed by time to resolve in the platform digest
NONE = "—"  # a week without a figure
VERDICT_EMOJI = {
    "frozen": ":red_circle:",
    "slow down": ":large_yellow_circle:",
    "unknown": ":white_circle:",
    "on track": ":large_green_circle:",
}


class DigestMessages:
    def __init__(self, renderer: Renderer) -> None:
        self._render = renderer.render

    def team(self, digest: TeamDigest, timezone: str) -> tuple[str, list[dict[str, Any]]]:
        """(fallback text, blocks) of one team's weekly digest."""
        text = f"Weekly error budget digest for {digest.team}: {digest.verdict}"
        ordered = worst_first(digest.slos)
        blocks = self._render(
            "digest.json.j2",
            title=f"Error budgets this week: {digest.team}",
            verdict=f"{_verdict_emoji(digest.verdict)} *{escape_mrkdwn(digest.verdict)}*",
            context=f"Week {digest.week} · {_local(digest.at, timezone)} · "
            f"{len(digest.slos)} SLO(s)",
            slos=[slo_text(s) for s in ordered[:MAX_SLOS]],
            more_slos=max(0, len(ordered) - MAX_SLOS),
            incidents=_lines([incident_text(i) for i in digest.incidents], "incident(s)"),
            exclusions=_lines([exclusion_text(e) for e in digest.exclusions], "exclusion(s)"),
            overdue=_lines([action_text(a) for a in digest.overdue], "item(s)"),
            due=_lines([action_text(a) for a in digest.due], "item(s)"),
            held=f"{digest.held_deploys} deploy(s) held by the release gate this week",
            times=times_text(digest.times),
        )
        return text, blocks

    def platform(
        self, ranked: Sequence[TeamDigest], at: datetime, timezone: str
    ) -> tuple[str, list[dict[str, Any]]]:
        """(fallback text, blocks) of the platform-wide ranking, worst team first."""
        lines = [
            f"{n}. {_verdict_emoji(d.verdict)} *{escape_mrkdwn(d.team)}*: "
            f"{escape_mrkdwn(d.verdict)} · lowest budget {percent(d.worst_remaining)} · "
            f"{len(d.incidents)} incident(s) · {d.held_deploys} deploy(s) held"
            for n, d in enumerate(ranked, start=1)
        ]
        text = f"Weekly error budget ranking of {len(ranked)} team(s)"
        blocks = self._render(
            "digest_platform.json.j2",
            title="Error budgets this week: all teams",
            context=f"{_local(at, timezone)} · worst first",
            lines=lines[:MAX_SLOS],
            more=max(0, len(lines) - MAX_SLOS),
            ttr=ttr_text(ranked),
        )
        return text, blocks


def times_lines(times: Sequence[IncidentTimes]) -> list[str]:
    """The incident count and each stage's median, this week first, then the weeks before
    ("incidents 2 · 1, 0, 3, 0", "detect 7 min · 12 min, —, ..."); [] when no week had
    an incident."""
    if not any(w.incidents for w in times):
        return []
    this, before = times[0], times[1:]
    lines = [f"incidents {this.incidents} · {', '.join(str(w.incidents) for w in before)}"]
    for stage in STAGES:
        weeks = [NONE if (m := w.median(stage)) is None else span(m) for w in times]
        lines.append(f"{stage} {weeks[0]} · {', '.join(weeks[1:])}")
    return lines


def times_title(times: Sequence[IncidentTimes]) -> str:
    return f"Incident times (median) · this week · {len(times) - 1} weeks before"


def times_text(times: Sequence[IncidentTimes]) -> str:
    """The team digest's incident times section in mrkdwn; "" when it is left out."""
    lines = times_lines(times)
    return f"*{times_title(times)}*\n" + "\n".join(lines) if lines else ""


def ttr_text(digests: Sequence[TeamDigest]) -> str:
    """The teams by median time to resolve, fastest first, as one section's mrkdwn; those
    without a resolved incident named last; "" when no team has one."""
    ranked = rank_by_ttr(d.ttr for d in digests)
    timed = [t for t in ranked if t.median is not None]
    if not timed:
        return ""
    lines = [
        f"{n}. *{escape_mrkdwn(cut(t.team, 80))}* {span(t.median)} ({t.resolved} resolved)"
        for n, t in enumerate(timed[:MAX_TTR], start=1)
        if t.median is not None
    ]
    if len(timed) > MAX_TTR:
        lines.append(f"… and {len(timed) - MAX_TTR} more team(s)")
    untimed = [escape_mrkdwn(t.team) for t in ranked if t.median is None]
    if untimed:
        lines.append(f"No resolved incidents: {', '.join(untimed)}")
    title = f"*Time to resolve (median, last {RANKING_WEEKS} weeks), fastest first*"
    return cut(title + "\n" + "\n".join(lines), SECTION_TEXT)


def change_text(s: SLOWeek) -> str:
    """The week's change of the budget left, or why there is none."""
    if s.new_period:
        return "a new period began this week"
    return "no figure a week ago" if s.change is None else f"{points(s.change)} this week"


def slo_text(s: SLOWeek) -> str:
    """One SLO: remaining, change, burn, gate and time to exhaustion, in mrkdwn."""
    name = f"*{escape_mrkdwn(s.slo)}*"
    if s.remaining is None:
        return f":white_circle: {name}: no budget figures ({escape_mrkdwn(s.message or s.data)})"
    gate = GATE_EMOJI[s.gate] + f" {s.gate}" if s.gate else ":white_circle: unknown"
    change = change_text(s)
    burn = "no traffic in the last hour" if s.burn_now is None else f"burning {s.burn_now:.2f}x now"
    return (
        f"{name}  `{bar(s.remaining)}` {percent(s.remaining)} left"
        f"{f' · {s.period}' if s.period else ''} ({change})\n"
        f"{gate} · {burn} · {exhaustion_text(s)}"
    )


def points(change: float) -> str:
    """A change of remaining budget in percentage points, never "-0.0"."""
    return f"{round(change * 100, 1) + 0.0:+.1f} pts"


def exhaustion_text(s: SLOWeek) -> str:
    seconds = s.exhaustion
    if s.remaining is not None and s.remaining <= 0:
        return "budget exhausted"
    if s.burn_week is None:
        return "no traffic this week"
    if seconds is None:  # a calendar period's budget is whole again before it runs out
        return "lasts the period at this week's rate" if s.period else "lasts at this week's rate"
    return f"runs out in {duration_words(seconds)} at this week's rate"


def duration_words(seconds: float) -> str:
    if seconds < 3600:
        return "under an hour"
    if seconds < 2 * 86400:
        return f"about {seconds / 3600:.0f} hours"
    return f"about {seconds / 86400:.0f} days"


def incident_text(i: IncidentWeek) -> str:
    spent = ", ".join(
        f"{escape_mrkdwn(slo)} {'unknown' if share is None else percent(share)}"
        for slo, share in i.consumed
    )
    severity = i.severity or "unclassified"
    ongoing = " (ongoing)" if i.ended_at is None else ""
    return f"*{i.key}* {severity}{ongoing}: {escape_mrkdwn(_clip(i.title))}" + (
        f" · budget spent: {spent}" if spent else ""
    )


def due_words(a: ActionDue) -> str:
    return f"{a.days_overdue} day(s) overdue" if a.days_overdue else f"due {a.deadline:%a %b %d}"


def action_text(a: ActionDue) -> str:
    return f"*{a.key}* <@{a.owner}> · {due_words(a)} · {escape_mrkdwn(_clip(a.description))}"


def exclusion_text(e: ExclusionWeek) -> str:
    """ "*db-failover* Sun 22 Mar 01:00-03:00 UTC: checkout-availability · planned test" """
    when = f"{e.start:%a %d %b %H:%M}-{e.end:%H:%M} UTC"
    slos = escape_mrkdwn(_clip(", ".join(e.slos)))
    return f"*{escape_mrkdwn(e.name)}* {when}: {slos} · {escape_mrkdwn(_clip(e.reason))}"


def _lines(lines: list[str], noun: str) -> str:
    shown = "\n".join(f"• {line}" for line in lines[:MAX_LINES])
    more = len(lines) - MAX_LINES
    return shown + (f"\n… and {more} more {noun}" if more > 0 else "")


def _clip(text: str, limit: int = 150) -> str:
    """User text shortened whole, so that a section never cuts a mention or a *bold*."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _verdict_emoji(verdict: str) -> str:
    return next((e for k, e in VERDICT_EMOJI.items() if verdict.startswith(k)), ":white_circle:")


def _local(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %Y %H:%M %Z")
