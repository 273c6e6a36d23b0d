"""The weekly digest's incident times: the medians of a team's incident durations week by
week, and the platform's ranking of teams by time to resolve (DESIGN 9.4, docs/digest.md).

Pure: incidents, week boundaries and the digest's instant come in as data.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.incident_timings import durations, spread
from bot.domain.incidents import Incident

# the four durations of DESIGN 9.4, by the names the digest shows them under
STAGES = ("detect", "acknowledge", "mitigate", "resolve")
_NAMES = {
    "detect": "time_to_detect_s",
    "acknowledge": "time_to_acknowledge_s",
    "mitigate": "time_to_mitigate_s",
    "resolve": "time_to_resolve_s",
}
RANKING_WEEKS = 4  # the platform ranks teams by their TTR over the latest 4 weeks, pooled


@dataclass(frozen=True)
class IncidentTimes:
    """The durations (seconds) of a team's incidents that started in (start, end]; each
    tuple holds the known ones only, so it may be shorter than `incidents`."""

    start: datetime
    end: datetime
    incidents: int = 0
    detect: tuple[float, ...] = ()
    acknowledge: tuple[float, ...] = ()
    mitigate: tuple[float, ...] = ()
    resolve: tuple[float, ...] = ()

    def values(self, stage: str) -> tuple[float, ...]:
        found: tuple[float, ...] = getattr(self, stage)
        return found

    def median(self, stage: str) -> float | None:
        """The median of a stage's known durations; None when none is known."""
        s = spread(self.values(stage))
        return None if s is None else s.median


def _ends(incident: Incident) -> dict[str, datetime | None]:
    return {
        "detect": incident.detected_at,
        "acknowledge": incident.acknowledged_at,
        "mitigate": incident.mitigated_at,
        "resolve": incident.draft.ended_at,
    }


def incident_times(
    incidents: Iterable[Incident], weeks: Sequence[tuple[datetime, datetime]], at: datetime
) -> tuple[IncidentTimes, ...]:
    """One IncidentTimes per (start, end] of `weeks`, in their order.

    An incident counts in the week it started in (a week is the 7 days ending at its end,
    like the digest's: an incident started on a boundary belongs to the earlier week). A
    duration counts once both its ends are known and the later is at or before `at`: a
    digest replayed with `--at` sees only what was known then.
    """
    chosen = list(incidents)
    found: list[IncidentTimes] = []
    for start, end in weeks:
        started = [i for i in chosen if start < i.draft.started_at <= end]
        known: dict[str, list[float]] = {stage: [] for stage in STAGES}
        for incident in started:
            seconds = durations(incident)
            ends = _ends(incident)
            for stage in STAGES:
                value, ended = seconds[_NAMES[stage]], ends[stage]
                if value is not None and ended is not None and ended <= at:
                    known[stage].append(value)
        found.append(
            IncidentTimes(
                start,
                end,
                len(started),
                detect=tuple(known["detect"]),
                acknowledge=tuple(known["acknowledge"]),
                mitigate=tuple(known["mitigate"]),
                resolve=tuple(known["resolve"]),
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class TeamTTR:
    """A team's median time to resolve over the ranking's weeks; None: nothing resolved."""

    team: str
    median: float | None
    resolved: int  # incidents resolved, of those started in the weeks


def pooled_ttr(team: str, times: Sequence[IncidentTimes], weeks: int = RANKING_WEEKS) -> TeamTTR:
    """The median TTR of all the incidents resolved of the first `weeks` weeks together
    (not a median of weekly medians: a week of one incident weighs as much as one)."""
    values = [v for week in times[:weeks] for v in week.resolve]
    s = spread(values)
    return TeamTTR(team, None if s is None else s.median, len(values))


def rank_by_ttr(teams: Iterable[TeamTTR]) -> list[TeamTTR]:
    """Fastest first, then by name; teams without a resolved incident last, by name."""
    return sorted(teams, key=lambda t: (t.median is None, t.median or 0.0, t.team))
