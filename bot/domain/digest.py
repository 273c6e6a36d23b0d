"""The weekly budget digest as plain data: per-SLO lines, the team's verdict, the ranking.

Pure: every figure comes in as data and `at` is passed in (docs/architecture.md).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.budget import period_exhaustion, seconds_to_exhaustion
from bot.domain.digest_incidents import IncidentTimes, TeamTTR, pooled_ttr
from bot.domain.exclusions import Exclusion
from bot.domain.slo import SLO, Gate

WEEK = 7 * 86400  # seconds: "this week" is the 7 days ending at the digest's instant
NOW_WINDOW = 3600  # the current burn rate is the 1-hour window's
DUE_DAYS = 7  # action items due within this many days are listed as due
WEEKS_BEFORE = 4  # incident times: this week's medians beside those of the 4 weeks before


def week_key(at: datetime, timezone: str) -> str:
    """The ISO week of `at` in the team's time zone ("2026-W48"): one digest per key."""
    year, week, _ = at.astimezone(ZoneInfo(timezone)).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class SLOWeek:
    """One SLO's line in the digest; budget figures are ratios (1.0 = the whole budget)."""

    slo: str
    service: str
    window: int  # seconds of the SLO's rolling window
    data: str  # "ok" | "no_data" | "error"
    message: str | None = None  # why there is no data
    remaining: float | None = None
    remaining_week_ago: float | None = None
    burn_now: float | None = None  # 1-hour burn rate
    burn_week: float | None = None  # 7-day burn rate
    gate: Gate | None = None
    period: str | None = None  # a calendar SLO's period: "Nov 2026, 11 days to go"
    period_elapsed: int | None = None  # and its seconds so far and to go
    period_left: int | None = None

    @property
    def new_period(self) -> bool:
        """A calendar SLO whose period began within the week: its budget was reset since."""
        return self.period_elapsed is not None and self.period_elapsed < WEEK

    @property
    def change(self) -> float | None:
        """Remaining now minus remaining a week ago (negative: the budget shrank); None
        without both figures or across a period's reset (they are different budgets)."""
        if self.remaining is None or self.remaining_week_ago is None or self.new_period:
            return None
        return self.remaining - self.remaining_week_ago

    @property
    def exhaustion(self) -> float | None:
        """Seconds until the budget is gone at this week's burn rate; 0 when it is gone.

        None when it never runs out at this rate: over a rolling window, a steady burn
        rate b spends b budgets per window, so at b <= 1 the budget lasts. Above 1 the
        estimate assumes nothing rolls out of the window (remaining x window / b).
        """
        if self.remaining is None:
            return None
        if self.remaining > 0 and (self.burn_week is None or self.burn_week <= 1):
            return None
        if self.period_elapsed is not None and self.period_left is not None:
            return period_exhaustion(
                self.remaining, self.burn_week, self.period_elapsed, self.period_left
            )
        return seconds_to_exhaustion(self.remaining, self.burn_week, self.window)


@dataclass(frozen=True)
class IncidentWeek:
    """An incident that was going on during the week, with the budget it consumed."""

    key: str
    title: str
    severity: str | None  # "SEV1".."SEV4", None while unknown or pending
    started_at: datetime
    ended_at: datetime | None
    consumed: tuple[tuple[str, float | None], ...]  # (slo, share of its budget), None: unknown


@dataclass(frozen=True)
class ActionDue:
    key: str
    description: str
    owner: str  # Slack user id
    deadline: date
    days_overdue: int  # 0 when not overdue


@dataclass(frozen=True)
class ExclusionWeek:
    """One occurrence of an exclusion of the team's SLOs during the week."""

    name: str
    reason: str
    start: datetime
    end: datetime
    slos: tuple[str, ...]


@dataclass(frozen=True)
class TeamDigest:
    team: str
    at: datetime
    week: str  # week_key(at, team timezone)
    slos: tuple[SLOWeek, ...]
    incidents: tuple[IncidentWeek, ...] = ()
    overdue: tuple[ActionDue, ...] = ()
    due: tuple[ActionDue, ...] = ()
    held_deploys: int = 0
    exclusions: tuple[ExclusionWeek, ...] = ()
    times: tuple[IncidentTimes, ...] = ()  # the team's own incidents: this week, then before

    @property
    def ttr(self) -> TeamTTR:
        """The team's median time to resolve for the platform's ranking."""
        return pooled_ttr(self.team, self.times)

    @property
    def verdict(self) -> str:
        return team_verdict(self.slos)

    @property
    def standing(self) -> int:
        """0 on track, 1 without data, 2 slow down, 3 frozen: the platform ranking's key."""
        gates = {s.gate for s in self.slos}
        if Gate.FROZEN in gates:
            return 3
        if Gate.CAUTION in gates:
            return 2
        return 1 if any(s.data != "ok" for s in self.slos) else 0

    @property
    def worst_remaining(self) -> float | None:
        known = [s.remaining for s in self.slos if s.remaining is not None]
        return min(known) if known else None


def worst_first(slos: Sequence[SLOWeek]) -> list[SLOWeek]:
    """Least budget left first, SLOs without figures last, then by name."""
    return sorted(slos, key=lambda s: (s.remaining is None, s.remaining or 0.0, s.slo))


def team_verdict(slos: Sequence[SLOWeek]) -> str:
    """One line: frozen beats slow down beats missing data beats on track."""
    if not slos:
        return "no SLOs in the catalog"
    frozen = [s.slo for s in slos if s.gate is Gate.FROZEN]
    if frozen:
        verb = "has" if len(frozen) == 1 else "have"
        return f"frozen: {_names(frozen)} {verb} overspent"
    caution = [s.slo for s in slos if s.gate is Gate.CAUTION]
    if caution:
        return f"slow down: {_count(len(caution), 'SLO')} in caution"
    blind = [s.slo for s in slos if s.data != "ok"]
    if blind:
        return f"unknown: {_count(len(blind), 'SLO')} without data ({_names(blind)})"
    return "on track"


def rank_teams(digests: Sequence[TeamDigest]) -> list[TeamDigest]:
    """Worst first: by standing, then by the lowest remaining budget, then by name."""

    def key(d: TeamDigest) -> tuple[int, float, str]:
        worst = d.worst_remaining
        return (-d.standing, worst if worst is not None else float("inf"), d.team)

    return sorted(digests, key=key)


def week_start(at: datetime) -> datetime:
    return at - timedelta(seconds=WEEK)


def weeks_back(at: datetime, before: int = WEEKS_BEFORE) -> tuple[tuple[datetime, datetime], ...]:
    """(start, end] of the digest's week (the 7 days ending at `at`), then of each of the
    `before` weeks before it, latest first."""
    return tuple(
        (at - timedelta(seconds=WEEK * (k + 1)), at - timedelta(seconds=WEEK * k))
        for k in range(before + 1)
    )


def actions_due(
    actions: Sequence[ActionDue], today: date, days: int = DUE_DAYS
) -> tuple[tuple[ActionDue, ...], tuple[ActionDue, ...]]:
    """(overdue, due within `days`) with days_overdue filled in, each by deadline."""
    ordered = sorted(actions, key=lambda a: (a.deadline, a.key))
    overdue = tuple(
        ActionDue(a.key, a.description, a.owner, a.deadline, (today - a.deadline).days)
        for a in ordered
        if a.deadline < today
    )
    due = tuple(a for a in ordered if today <= a.deadline <= today + timedelta(days=days))
    return overdue, due


def _names(names: Sequence[str], shown: int = 2) -> str:
    listed = ", ".join(names[:shown])
    more = len(names) - shown
    return f"{listed} and {more} more" if more > 0 else listed


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def exclusions_between(slos: Sequence[SLO], start: datetime, end: datetime) -> list[ExclusionWeek]:
    """Each occurrence in [start, end) of the SLOs' exclusions, soonest first, with the SLOs
    of `slos` it covers."""
    found: dict[tuple[Exclusion, datetime], list[str]] = {}  # one Slack and one catalog
    for slo in slos:  # exclusion of the same name are two
        for exclusion in slo.exclusions:
            for a, _ in exclusion.occurrences(start, end):
                found.setdefault((exclusion, a), []).append(slo.name)
    return [
        ExclusionWeek(e.name, e.reason, a, a + timedelta(seconds=e.duration), tuple(names))
        for (e, a), names in sorted(found.items(), key=lambda kv: (kv[0][1], kv[0][0].name))
    ]
