"""Budget exclusions: planned maintenance and agreed exceptions that cost no budget. Pure.

An exclusion covers [start, start + duration) once, or at every occurrence of an RFC 5545
RRULE whose first occurrence is `start` (python-dateutil's rrule). A recurring one is
repeated on the wall clock of its time zone, so "Sundays 02:00 Europe/Berlin" stays at
02:00 across daylight-saving changes. No filter means every SLO.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from bot.domain.durations import parse_duration

MAX_DURATION = 7 * 86_400  # seconds: the longest exclusion added from Slack
Interval = tuple[datetime, datetime]  # [start, end), aware


@dataclass(frozen=True)
class Exclusion:
    name: str
    start: datetime  # the first occurrence, aware
    duration: int  # seconds
    reason: str
    recurrence: str | None = None  # an RRULE without its "RRULE:" prefix
    timezone: str = "UTC"  # whose wall clock a recurrence keeps
    slos: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    source: str = "catalog"  # or "slack"
    created_by: str | None = None  # a Slack user id (slack)
    id: int | None = None  # its row (slack)

    def applies_to(self, slo: str, service: str, team: str) -> bool:
        """Whether the exclusion covers the SLO: no filter covers every SLO."""
        if not (self.slos or self.services or self.teams):
            return True
        return slo in self.slos or service in self.services or team in self.teams

    def occurrences(self, start: datetime, end: datetime) -> list[Interval]:
        """Its occurrences that overlap [start, end), in order."""
        span = timedelta(seconds=self.duration)
        if self.recurrence is None:
            once = (self.start, self.start + span)
            return [once] if once[0] < end and once[1] > start else []
        firsts = [s.astimezone(UTC) for s in self.rule().between(start - span, end, inc=True)]
        return [(s, s + span) for s in firsts if s + span > start and s < end]

    def next_start(self, at: datetime) -> datetime | None:
        """The start of the first occurrence that has not ended at `at`; None: none left."""
        span = timedelta(seconds=self.duration)
        if self.recurrence is None:
            return self.start if self.start + span > at else None
        found = self.rule().after(at - span, inc=False)
        return found.astimezone(UTC) if found is not None else None

    def rule(self) -> rrule:
        """The recurrence from `start` on its zone's wall clock (ValueError if it does not
        parse)."""
        assert self.recurrence is not None
        local = self.start.astimezone(ZoneInfo(self.timezone))
        parsed = rrulestr(self.recurrence, dtstart=local)
        if not isinstance(parsed, rrule):
            raise ValueError("give one RRULE, not a set of rules")
        return parsed


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching intervals joined, in order."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def excluded(
    exclusions: Sequence[Exclusion],
    slo: str,
    service: str,
    team: str,
    start: datetime,
    end: datetime,
) -> list[Interval]:
    """The stretches of [start, end) the SLO's exclusions cover, merged and clipped."""
    found = [
        (max(a, start), min(b, end))
        for e in exclusions
        if e.applies_to(slo, service, team)
        for a, b in e.occurrences(start, end)
    ]
    return merged(i for i in found if i[0] < i[1])


def seconds(intervals: Iterable[Interval]) -> int:
    """Whole seconds covered by (merged) intervals."""
    return int(sum((b - a).total_seconds() for a, b in intervals))


@dataclass(frozen=True)
class ExclusionDraft:
    """What the Slack form gave: the SLOs and services, the start, the duration, why."""

    slos: tuple[str, ...]
    services: tuple[str, ...]
    start: datetime | None
    duration: str  # a Prometheus duration as typed ("2h")
    reason: str
    user: str
    name: str = ""  # optional: else made from the first SLO or service and the start


def check_draft(
    draft: ExclusionDraft, slos: Iterable[str], services: Iterable[str]
) -> dict[str, str]:
    """Field errors by block id (what, start, duration, reason); empty when it may be saved."""
    problems: dict[str, str] = {}
    if not draft.slos and not draft.services:
        problems["what"] = "Choose the SLOs or services whose events should cost nothing."
    unknown = (set(draft.slos) - set(slos)) | (set(draft.services) - set(services))
    if unknown:
        problems["what"] = f"Not in the catalog: {', '.join(sorted(unknown))}."
    if draft.start is None:
        problems["start"] = "Choose when it starts."
    try:
        if parse_duration(draft.duration) > MAX_DURATION:
            problems["duration"] = "At most 7 days: longer exceptions belong in the catalog."
    except ValueError:
        problems["duration"] = (
            "The end must come after the start: give a duration such as 2h or 90m."
        )
    if not draft.reason.strip():
        problems["reason"] = "Say why these events cost no budget: it is shown to the team."
    return problems


def from_draft(draft: ExclusionDraft) -> Exclusion:
    """The exclusion a checked draft stands for (one-off, from Slack)."""
    assert draft.start is not None
    first = (draft.slos or draft.services)[0]
    name = draft.name.strip() or f"{first}-{draft.start.astimezone(UTC):%Y%m%d-%H%M}"
    return Exclusion(
        name=name,
        start=draft.start.astimezone(UTC),
        duration=parse_duration(draft.duration),
        reason=draft.reason.strip(),
        slos=frozenset(draft.slos),
        services=frozenset(draft.services),
        source="slack",
        created_by=draft.user,
    )
