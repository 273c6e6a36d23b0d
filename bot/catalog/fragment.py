"""What one catalog file contributes, before the files are combined and cross-checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.domain.slo import SLI, AlertPolicy, GatePolicy, Service, SeverityThresholds, Team, Tier

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
    window: int  # seconds
    sli: SLI | None  # None while indicatorRef is unresolved
    description: str
    file: str
    path: str  # of the SLO entry, e.g. "slos[2]"
    name_path: str  # where a duplicate name is reported
    service_path: str
    team: str | None = None  # the team the file names (Sloth/OpenSLO labels.team), if any
    team_path: str = ""
    sli_ref: str | None = None  # OpenSLO indicatorRef
    sli_ref_path: str = ""
    needs_declared_service: bool = True  # native SLOs; Sloth/OpenSLO may declare it implicitly


@dataclass
class Fragment:
    """Everything one file defines; several fragments combine into one Catalog."""

    file: str
    teams: list[Located[Team]] = field(default_factory=list)
    services: list[Located[Service]] = field(default_factory=list)
    slos: list[SLODraft] = field(default_factory=list)
    slis: list[Located[tuple[str, SLI | None]]] = field(default_factory=list)  # OpenSLO kind SLI
    includes: list[Located[str]] = field(default_factory=list)
    prometheus_url: Located[str] | None = None
    severity: Located[SeverityThresholds] | None = None
    gate: Located[dict[Tier, GatePolicy]] | None = None
    alerts: Located[dict[Tier, AlertPolicy]] | None = None
    admins: Located[frozenset[str]] | None = None
    escalate_after: Located[int] | None = None
    platform: Located[Team] | None = None  # the platform-wide digest's channel and schedule
    broken_services: set[str] = field(default_factory=set)  # defined, but invalid: no cascades
    broken_slis: set[str] = field(default_factory=set)
