"""The SLO catalog as plain data: teams, services, SLOs and their policies."""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.domain.durations import format_duration
from bot.domain.exclusions import Exclusion
from bot.domain.policy_actions import PolicyAction
from bot.domain.scans import Scan
from bot.domain.windows import Calendar, Span, calendar_span, rolling_span

WINDOW_PLACEHOLDER = "{{.window}}"  # Sloth's: replaced by the range being evaluated
WINDOW_PATTERN = re.compile(r"\{\{\s*\.window\s*\}\}")  # the placeholder, any spacing
# budgetbot's own, in the subqueries of timeslices: the window less one millisecond, so
# that a subquery's steps are the slices that end inside the window on every Prometheus
# version (2.x includes a step at the window's start, 3.x does not).
OPEN_WINDOW = "{{.window_open}}"


class Tier(StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"


class Gate(StrEnum):
    OPEN = "open"
    CAUTION = "caution"
    FROZEN = "frozen"


class Severity(StrEnum):
    """Burn-alert severity; PAGE is the more urgent."""

    TICKET = "ticket"
    PAGE = "page"


@dataclass(frozen=True)
class Team:
    name: str
    channel: str
    digest: str | None = "0 9 * * MON"  # 5-field crontab; None: no scheduled digest
    timezone: str = "UTC"
    alert_channels: Mapping[Severity, str] = field(default_factory=dict)
    owners: frozenset[str] = frozenset()  # Slack user ids who may add exclusions for it
    escalation: tuple[str, ...] = ()  # Slack mentions told of an unacknowledged incident

    def channel_for(self, severity: Severity) -> str:
        """Where burn alerts of this severity go: its own channel, else the team's."""
        return self.alert_channels.get(severity, self.channel)


@dataclass(frozen=True)
class Service:
    name: str
    team: str
    tier: Tier = Tier.PRODUCTION


class QueryKind(StrEnum):
    """What an events query's value is: a per-second rate, or events counted over the window."""

    RATE = "rate"  # sum(rate(x[{{.window}}])): events per second
    COUNT = "count"  # sum(increase(x[{{.window}}])), count_over_time(...): events

    def events(self, value: float, seconds: float) -> float:
        """The events counted over `seconds` that a value of this kind stands for."""
        return value * seconds if self is QueryKind.RATE else value


@dataclass(frozen=True)
class EventsQuery:
    """A query as it is evaluated: its text (with {{.window}}) and what its value is."""

    text: str
    kind: QueryKind
    scan: Scan | None = None  # its shape, when its read can be shared (bot.domain.scans)


@dataclass(frozen=True)
class Bucket:
    """A latency SLI's histogram: good events are those in the bucket at `threshold`.

    `series` selects the histogram's buckets without `le` (such as
    `http_request_duration_seconds_bucket{job="api"}`), so that the boundaries that exist
    can be listed when `threshold` is none of them.
    """

    series: str
    threshold: float

    @property
    def selector(self) -> str:
        """The bucket at the threshold: `series` with an `le` matcher for its value."""
        le = f"le=~{json.dumps(le_pattern(self.threshold))}"
        if not self.series.endswith("}"):
            return f"{self.series}{{{le}}}"
        head = self.series[:-1]
        return f"{head}{'' if head.endswith('{') else ','}{le}}}"


def le_pattern(threshold: float) -> str:
    """A regular expression for the `le` label of `threshold`, as any client writes it
    ("1" or "1.0", "0.3" or "0.30")."""
    text = repr(threshold)
    if "e" in text:
        return re.escape(text)
    if text.endswith(".0"):
        return re.escape(text[:-2]) + r"(\.0*)?"
    return re.escape(text) + "0*"


@dataclass(frozen=True)
class EventsSLI:
    """Bad and total events queries; both contain the placeholder {{.window}}.

    The `*_counted` forms are the same queries rewritten to count events (`rate(` as
    `increase(`), which every store answers exactly; they are what is evaluated.
    """

    error_query: str
    total_query: str
    error_kind: QueryKind = QueryKind.RATE
    total_kind: QueryKind = QueryKind.RATE
    # Derived from the queries by the catalog: not part of what makes two SLIs equal.
    error_counted: str | None = field(default=None, compare=False)
    total_counted: str | None = field(default=None, compare=False)
    bucket: Bucket | None = None  # a latency SLI: its histogram and threshold
    # The planned queries' shapes, where their reads can be shared (set by the catalog).
    error_scan: Scan | None = field(default=None, compare=False)
    total_scan: Scan | None = field(default=None, compare=False)

    @property
    def planned_bad(self) -> EventsQuery:
        """The error query as it is evaluated."""
        if self.error_counted:
            return EventsQuery(self.error_counted, QueryKind.COUNT, self.error_scan)
        return EventsQuery(self.error_query, self.error_kind, self.error_scan)

    @property
    def planned_total(self) -> EventsQuery:
        """The total query as it is evaluated."""
        if self.total_counted:
            return EventsQuery(self.total_counted, QueryKind.COUNT, self.total_scan)
        return EventsQuery(self.total_query, self.total_kind, self.total_scan)

    @property
    def kind_label(self) -> str:
        """ "rate", "count", or "count/rate" when the two queries differ (bad/total)."""
        if self.error_kind is self.total_kind:
            return str(self.error_kind)
        return f"{self.error_kind}/{self.total_kind}"


@dataclass(frozen=True)
class RatioSLI:
    """An error ratio query (Sloth's raw SLI); contains {{.window}}. Has no event counts."""

    error_ratio_query: str

    @property
    def kind_label(self) -> str:
        return "ratio"


SLI = EventsSLI | RatioSLI


@dataclass(frozen=True)
class SLO:
    name: str
    service: str
    team: str
    tier: Tier
    objective: float  # percent, e.g. 99.9
    window: int  # seconds of the rolling window (a calendar period: its longest length)
    sli: SLI
    description: str = ""
    source: str = ""  # the catalog file it came from
    notes: tuple[str, ...] = ()  # what loading it assumed or ignored, shown by check-config
    calendar: Calendar | None = None  # a calendar period (week, month, quarter) instead
    timezone: str = "UTC"  # where a calendar period is aligned: the owning team's zone
    min_events: float | None = None  # burn rules need this many events (None: the catalog's)
    slice_size: int | None = None  # timeslice budgeting: the events counted are slices of this
    # The exclusions that cover it: their events count for nothing (bot.domain.exclusions).
    exclusions: tuple[Exclusion, ...] = field(default=(), compare=False)

    def covered_by(self, exclusions: Sequence[Exclusion]) -> tuple[Exclusion, ...]:
        """Those of `exclusions` that cover this SLO (an error ratio has no events to leave
        out, so none cover it)."""
        if not isinstance(self.sli, EventsSLI):
            return ()
        return tuple(e for e in exclusions if e.applies_to(self.name, self.service, self.team))

    @property
    def counted(self) -> str:
        """What the budget counts: "events", or "slices" under timeslice budgeting."""
        return "events" if self.slice_size is None else "slices"

    @property
    def budget(self) -> float:
        """The error budget B = 1 - objective/100, as a ratio of events."""
        return 1.0 - self.objective / 100.0

    @property
    def window_label(self) -> str:
        return str(self.calendar) if self.calendar else format_duration(self.window)

    def span(self, at: datetime) -> Span:
        """What the budget covers at `at`: the rolling window, or the calendar period."""
        if self.calendar is None:
            return rolling_span(self.window, at)
        return calendar_span(self.calendar, at, self.timezone)

    def period_seconds(self, at: datetime | None) -> int:
        """The seconds the budget's events are counted over at `at` (a calendar period:
        from its start); a rolling window needs no instant."""
        if self.calendar is None:
            return self.window
        if at is None:
            raise ValueError(f"SLO {self.name}: a calendar window is read at an instant")
        return self.span(at).elapsed


@dataclass(frozen=True)
class SeverityThresholds:
    """Incident classes by budget share consumed (ratios: 0.2 = 20 % of the budget)."""

    sev1: float = 0.20
    sev2: float = 0.05
    sev3: float = 0.01


@dataclass(frozen=True)
class GatePolicy:
    """Release gate thresholds on remaining budget (ratios: 0.25 = 25 % left)."""

    caution_below: float = 0.25  # caution when remaining <= this
    freeze_below: float = 0.0  # frozen when remaining <= this
    caution_on_page: bool = True  # a firing page-level burn means caution
    may_freeze: bool = True  # False: the worst this tier gets is caution


@dataclass(frozen=True)
class AlertPolicy:
    """How burn alerts behave for one tier; durations in seconds."""

    hysteresis: int = 600  # every rule must stay quiet this long before an episode resolves
    data_missing_after: int = 900  # seconds without usable data before one warning
    max_severity: Severity = Severity.PAGE
    min_events: float = 0.0  # a burn rule fires only with this many events in its long window


DEFAULT_ALERT_POLICIES: Mapping[Tier, AlertPolicy] = {
    Tier.PRODUCTION: AlertPolicy(),
    Tier.STAGING: AlertPolicy(max_severity=Severity.TICKET),
    Tier.DEVELOPMENT: AlertPolicy(max_severity=Severity.TICKET),
}


@dataclass(frozen=True)
class Catalog:
    teams: Mapping[str, Team]
    services: Mapping[str, Service]
    slos: tuple[SLO, ...]
    prometheus_url: str | None = None
    prometheus_flavor: str | None = None  # the store: detected when None
    severity: SeverityThresholds = field(default_factory=SeverityThresholds)
    gate_policies: Mapping[Tier, GatePolicy] = field(default_factory=dict)
    alert_policies: Mapping[Tier, AlertPolicy] = field(default_factory=dict)
    admins: frozenset[str] = frozenset()  # Slack user ids allowed to reassign any action
    policies: tuple[PolicyAction, ...] = ()  # policy actions (DESIGN 9.5)
    escalate_overdue_after: int = 7  # days overdue before an action is named in its team channel
    platform: Team | None = None  # where and when the platform-wide digest goes, if anywhere
    files: tuple[str, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()  # the catalog's own (Slack's are stored)
    # Response deadlines in seconds after declaration, by tier and class ("SEV1".."SEV4").
    respond: Mapping[Tier, Mapping[str, int]] = field(default_factory=dict)

    def gate_policy(self, tier: Tier) -> GatePolicy:
        return self.gate_policies.get(tier, GatePolicy())

    def alert_policy(self, tier: Tier) -> AlertPolicy:
        return self.alert_policies.get(tier, DEFAULT_ALERT_POLICIES[tier])

    def min_events(self, slo: SLO) -> float:
        """The events a burn rule's long window needs before it fires: the SLO's own
        `min_events`, else the catalog's `alerts.min_events` (events: not for an SLO
        counted in slices); ratio SLIs count no events."""
        if not isinstance(slo.sli, EventsSLI):
            return 0.0
        own = slo.min_events
        if own is not None or slo.slice_size is not None:  # the default counts events
            return own or 0.0
        return self.alert_policy(slo.tier).min_events

    def slo(self, name: str) -> SLO | None:
        return next((s for s in self.slos if s.name == name), None)
