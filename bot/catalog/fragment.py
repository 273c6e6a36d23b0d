"""What one catalog file contributes, before the files are combined and cross-checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.domain.exclusions import Exclusion
from bot.domain.policy_actions import PolicyAction
from bot.domain.slo import SLI, AlertPolicy, GatePolicy, Service, SeverityThresholds, Team, Tier
from bot.domain.windows import Calendar

T = TypeVar("T")


@dataclass(frozen=True)
class Located(Generic[T]):
    """A value with the file and path it was read from (for problems that name both files)."""

    value: T
    file: str
    path: str

    @property
    def where(self) -> str:
        """The location as problems print it: "file: path"."""
        return f"{self.file}: {self.path}" if self.path else self.file


@dataclass
class SLODraft:
    """An SLO whose service, team and tier are not resolved yet; objective in percent."""

    name: str
    service: str
    objective: float  # percent
    window: int  # seconds (a calendar period: its longest length)
    sli: SLI | None  # None while indicatorRef is unresolved
    description: str
    file: str
    path: str  # of the SLO entry, e.g. "slos[2]"
    name_path: str  # where a duplicate name is reported
    service_path: str
    team: str | None = None  # the SLO's own team label, else its file's, else its include's
    team_path: str = ""
    team_file: str = ""  # where team_path is, when not this file (an include's team)
    explicit_team: bool = False  # native slos[].team: wins over the service's team
    sli_ref: str | None = None  # OpenSLO indicatorRef
    sli_ref_path: str = ""
    needs_declared_service: bool = True  # native SLOs; imported files may declare it implicitly
    window_from_include: bool = False  # the format carries no period (Sloth): include's window
    tier: Tier | None = None  # the include's tier, for a service this SLO introduces
    calendar: Calendar | None = None  # window is a calendar period (week, month, quarter)
    min_events: float | None = None  # burn rules need this many events (None: the catalog's)
    slice_size: int | None = None  # timeslice budgeting: seconds of a slice
    slice_target: float | None = None  # and, over events, the good share a slice needs
    slice_mean: bool = False  # or: the mean of the slices' ratios (RatioTimeslices)
    slice_objective: SliceObjective | None = None  # over an indicatorRef: judged when resolved
    notes: list[str] = field(default_factory=list)  # assumed or ignored: check-config shows


@dataclass(frozen=True)
class Gauge:
    """An OpenSLO SLI kind with a thresholdMetric: its PromQL, sliced by the SLO that names it."""

    query: str


@dataclass(frozen=True)
class SliceObjective:
    """A Timeslices objective over an indicatorRef, judged once the SLI is known: a ratio SLI
    needs its timeSliceTarget, a thresholdMetric SLI its op and value."""

    path: str
    target: float | None
    op: str | None
    value: float | None


@dataclass(frozen=True)
class Include:
    """One include: entry: a path or glob, and defaults for the SLOs of the files it names."""

    pattern: str
    team: str | None = None  # owns the SLOs of those files that name no team
    team_at: tuple[str, str] = ("", "")  # (file, path) where that team is written
    tier: Tier | None = None  # the tier of services those files introduce
    window: int | None = None  # seconds: the period for formats that carry none (Sloth)
    calendar: Calendar | None = None  # that period is a calendar one (week, month, quarter)


@dataclass
class Fragment:
    """Everything one file defines; several fragments combine into one Catalog."""

    file: str
    teams: list[Located[Team]] = field(default_factory=list)
    services: list[Located[Service]] = field(default_factory=list)
    slos: list[SLODraft] = field(default_factory=list)
    slis: list[Located[tuple[str, SLI | Gauge | None]]] = field(default_factory=list)  # OpenSLO
    includes: list[Located[Include]] = field(default_factory=list)
    prometheus_url: Located[str] | None = None
    prometheus_flavor: Located[str] | None = None
    severity: Located[SeverityThresholds] | None = None
    respond: Located[dict[Tier, dict[str, int]]] | None = None
    gate: Located[dict[Tier, GatePolicy]] | None = None
    alerts: Located[dict[Tier, AlertPolicy]] | None = None
    admins: Located[frozenset[str]] | None = None
    escalate_after: Located[int] | None = None
    platform: Located[Team] | None = None  # the platform-wide digest's channel and schedule
    exclusions: list[Located[Exclusion]] = field(default_factory=list)
    policies: list[Located[PolicyAction]] = field(default_factory=list)  # policy_actions
    broken_services: set[str] = field(default_factory=set)  # defined, but invalid: no cascades
    broken_slis: set[str] = field(default_factory=set)
