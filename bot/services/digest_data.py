"""What goes into a team's weekly digest: its SLOs' week from Prometheus, its incidents,
action items and held deploys from the database, and the chart's budget history."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.charts import BudgetChart, BudgetSeries
from bot.domain.burn import burn_windows
from bot.domain.digest import (
    NOW_WINDOW,
    WEEK,
    ActionDue,
    IncidentWeek,
    SLOWeek,
    TeamDigest,
    actions_due,
    exclusions_between,
    week_key,
    week_start,
    weeks_back,
)
from bot.domain.digest_incidents import incident_times
from bot.domain.durations import format_duration
from bot.domain.incidents import Incident, owning_team, owning_teams
from bot.domain.slo import SLO, Catalog, Tier
from bot.domain.status import DataState, SLOStatus
from bot.metrics.errors import PrometheusError
from bot.metrics.source import MetricsSource
from bot.services.exclusions import with_stored
from bot.services.ownership import open_actions
from bot.services.status import evaluate_status
from storage.unit_of_work import Store, UnitOfWork

CHART_POINTS = 60  # budget readings per chart line (plus the final one at the digest's instant)
_INCIDENT_LIMIT = 500
_HISTORY_LIMIT = 5000  # incidents of all teams over the five weeks of the incident times
SHOWN_EXCLUSIONS = 20  # occurrences listed in one digest


class DigestData:
    """Reads a team's week; raises PrometheusError when Prometheus cannot be read at all."""

    def __init__(self, catalog: Catalog, source: MetricsSource, uow: UnitOfWork) -> None:
        self._catalog = catalog
        self._source = source
        self._uow = uow

    def slos(self, team: str) -> list[SLO]:
        return [s for s in self._catalog.slos if s.team == team]

    def digest(self, team: str, at: datetime) -> TeamDigest:
        slos = self.slos(team)
        windows = (*burn_windows(), WEEK)  # the gate needs the alert windows, as in `status`
        now = evaluate_status(self._catalog, self._source, at, slos, windows=windows)
        failed = [s for s in now if s.data is DataState.ERROR]
        if slos and len(failed) == len(slos):  # nothing was read: no digest, try again later
            raise PrometheusError(f"no SLO of team {team} could be read: {failed[0].message}")
        before = evaluate_status(self._catalog, self._source, week_start(at), slos, windows=())
        lines = tuple(_slo_week(n, b) for n, b in zip(now, before, strict=True))
        zone = self._catalog.teams[team].timezone
        services = {s.name for s in self._catalog.services.values() if s.team == team}
        with self._uow.read() as store:
            incidents = self._incidents(store, team, week_start(at), at)
            actions, team_of = open_actions(self._catalog, store)
            held = store.gates.held(week_start(at), services, until=at)
            weeks = weeks_back(at)
            history = store.incidents.find(since=weeks[-1][0], until=at, limit=_HISTORY_LIMIT)
        owned = [i for i in history if owning_team(self._catalog, i) == team]
        mine = [
            ActionDue(a.key, a.description, a.owner, a.deadline, 0)
            for a in actions
            if team_of.get(a.id) == team
        ]
        overdue, due = actions_due(mine, at.astimezone(ZoneInfo(zone)).date())
        covered = with_stored(self._uow, slos, at)
        return TeamDigest(
            team=team,
            at=at,
            week=week_key(at, zone),
            slos=lines,
            exclusions=tuple(exclusions_between(covered, week_start(at), at)[:SHOWN_EXCLUSIONS]),
            incidents=tuple(_incident_week(i, {s.name for s in slos}) for i in incidents),
            overdue=overdue,
            due=due,
            held_deploys=held,
            times=incident_times(owned, weeks, at),
        )

    def chart(self, team: str, at: datetime) -> BudgetChart:
        """Each SLO's remaining budget over the longest window, about CHART_POINTS readings
        a whole number of hours apart (so that hourly rates are reused between them); a
        calendar SLO's line starts at its period's start (its budget resets there)."""
        slos = self.slos(team)
        starts = {s.name: s.span(at).start for s in slos}  # a calendar SLO: its period's
        longest = max((at - start for start in starts.values()), default=timedelta(seconds=WEEK))
        window = max(3600, int(longest.total_seconds()))
        step = max(3600, window // CHART_POINTS // 3600 * 3600)
        instants = [at - timedelta(seconds=step * k) for k in range(window // step, -1, -1)]
        points: dict[str, list[tuple[datetime, float | None]]] = {s.name: [] for s in slos}
        for instant in instants:
            # A calendar SLO's line begins after its period's start (at it, nothing of the
            # period is there to read); a rolling one spans its whole window.
            shown = [
                s
                for s in slos
                if instant > starts[s.name] or (instant == starts[s.name] and not s.calendar)
            ]
            if not shown:
                continue
            for s in evaluate_status(self._catalog, self._source, instant, shown, windows=()):
                points[s.slo.name].append((instant, s.budget_remaining))
        with self._uow.read() as store:
            incidents = self._incidents(store, team, at - timedelta(seconds=window), at)
        policy = self._catalog.gate_policy(_strictest_tier(slos))
        excluded = exclusions_between(
            with_stored(self._uow, slos, at), at - timedelta(seconds=window), at
        )
        return BudgetChart(
            title=f"{team}: error budget remaining, last {format_duration(window)}",
            series=tuple(BudgetSeries(name, tuple(p)) for name, p in points.items()),
            caution=policy.caution_below,
            freeze=policy.freeze_below,
            incidents=tuple(
                (i.key, i.draft.started_at, i.draft.ended_at or at) for i in reversed(incidents)
            ),
            timezone=self._catalog.teams[team].timezone,
            exclusions=tuple((e.name, e.start, e.end) for e in excluded),
        )

    def _incidents(self, store: Store, team: str, start: datetime, end: datetime) -> list[Incident]:
        """The incidents touching the team's services at some time in [start, end]."""
        found = store.incidents.find(since=start, until=end, limit=_INCIDENT_LIMIT)
        return [i for i in found if team in owning_teams(self._catalog, i)]


def _slo_week(now: SLOStatus, before: SLOStatus) -> SLOWeek:
    return SLOWeek(
        slo=now.slo.name,
        service=now.slo.service,
        window=now.slo.window,
        data=str(now.data),
        message=now.message,
        remaining=now.budget_remaining,
        remaining_week_ago=before.budget_remaining,
        burn_now=now.burn_rates.get(NOW_WINDOW),
        burn_week=now.burn_rates.get(WEEK),
        gate=now.gate.gate if now.gate else None,
        period=now.period_note,
        period_elapsed=now.span.elapsed if now.slo.calendar and now.span else None,
        period_left=now.span.left if now.slo.calendar and now.span else None,
    )


def _incident_week(incident: Incident, own: set[str]) -> IncidentWeek:
    """The incident as one team sees it: the budget it took from the team's own SLOs."""
    return IncidentWeek(
        key=incident.key,
        title=incident.draft.title,
        severity=str(incident.severity) if incident.severity else None,
        started_at=incident.draft.started_at,
        ended_at=incident.draft.ended_at,
        consumed=tuple((i.slo, i.budget_consumed) for i in incident.impacts if i.slo in own),
    )


def _strictest_tier(slos: Sequence[SLO]) -> Tier:
    """The chart draws one pair of thresholds: those of the team's most important tier."""
    tiers = {s.tier for s in slos}
    return next((t for t in Tier if t in tiers), Tier.PRODUCTION)
