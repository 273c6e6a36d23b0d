"""One SLO's budget status at one instant: the decision step of `status` and `evaluate`."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain import budget as b
from bot.domain.burn import (
    DEFAULT_RULES,
    BurnRule,
    FiringRule,
    alert_severity,
    firing_rules,
    hold_low_traffic,
)
from bot.domain.durations import format_duration
from bot.domain.exclusions import excluded, seconds
from bot.domain.gate import GateDecision, decide_gate
from bot.domain.slo import SLO, GatePolicy, Severity
from bot.domain.windows import Span, period_note


class DataState(StrEnum):
    OK = "ok"
    NO_DATA = "no_data"
    ERROR = "error"


@dataclass(frozen=True)
class Reading:
    """What the metrics source saw for one SLO at one instant.

    `period` covers the SLO window; `windows` maps burn windows (seconds) to rates.
    None means the query returned no series at all; Rates with total 0 means no traffic.
    """

    period: b.Rates | None
    windows: Mapping[int, b.Rates | None] = field(default_factory=dict)
    error: str | None = None
    recorded: bool = False  # its long windows were read from recorded hours (budgetbot rules)
    excluded_seconds: int = 0  # of its window so far, covered by its exclusions (merged)
    excluding: bool = False  # one of its exclusions runs at the instant


@dataclass(frozen=True)
class SLOStatus:
    slo: SLO
    data: DataState
    message: str | None = None
    error_ratio: float | None = None
    budget_consumed: float | None = None
    budget_remaining: float | None = None
    burn_rates: Mapping[int, float | None] = field(default_factory=dict)
    firing: tuple[FiringRule, ...] = ()
    gate: GateDecision | None = None
    span: Span | None = None  # what the budget covers: the rolling window or the period
    held: tuple[FiringRule, ...] = ()  # rules that burn but were held back for low traffic
    min_events: float = 0.0
    totals: Mapping[int, float | None] = field(default_factory=dict)  # events per burn window
    recorded: bool = False  # read from recorded hours (Reading.recorded)
    excluded_seconds: int = 0  # of its window so far, covered by exclusions (merged)
    excluding: bool = False  # an exclusion of it runs at the instant (alerts hold)

    @property
    def alert(self) -> Severity | None:
        return alert_severity(self.firing)

    @property
    def held_back(self) -> str | None:
        """Why an alert was not raised, or raised less urgent, although the budget burns:
        too few events in the rule's long window."""
        urgent = [
            f
            for f in self.held
            if self.alert is None
            or (f.rule.severity is Severity.PAGE and self.alert is Severity.TICKET)
        ]
        if not urgent:
            return None
        worst = max(urgent, key=lambda f: (f.rule.severity == Severity.PAGE, -f.rule.long_window))
        window = worst.rule.long_window
        events = self.totals.get(window) or 0.0
        return (
            f"{worst.rule.severity} held back for low traffic: {events:g} {self.slo.counted} in "
            f"{format_duration(window)}, fewer than min_events {self.min_events:g}"
        )

    def exhaustion(self, burn: float | None) -> float | None:
        """Seconds until the budget is gone at `burn` (None: never, or a calendar
        period's reset comes first; 0: gone). bot.domain.budget has the two formulas."""
        left = self.budget_remaining
        if left is None:
            return None
        if self.slo.calendar is not None and self.span is not None:
            return b.period_exhaustion(left, burn, self.span.elapsed, self.span.left)
        return b.seconds_to_exhaustion(left, burn, self.slo.window)

    @property
    def objective_label(self) -> str:
        """ "99.9% over 30d", or with a calendar period "99.9% over month (Nov 2026, 11 days
        to go)"."""
        label = f"{self.slo.objective:g}% over {self.slo.window_label}"
        return f"{label} ({self.period_note})" if self.period_note else label

    @property
    def period_note(self) -> str | None:
        """A calendar SLO's period and what is left of it ("Nov 2026, 11 days to go")."""
        if self.slo.calendar is None or self.span is None:
            return None
        return period_note(self.slo.calendar, self.span, self.slo.timezone)

    def as_json(self) -> dict[str, Any]:
        """The `status --format json` contract of README.md, Configuration; docs/catalog.md."""
        slo = self.slo
        return {
            "slo": slo.name,
            "service": slo.service,
            "team": slo.team,
            "tier": str(slo.tier),
            "objective": slo.objective,
            "window": slo.window_label,
            "window_start": _rfc3339(self.span.start) if self.span else None,
            "window_end": _rfc3339(self.span.end) if self.span else None,
            "error_ratio": self.error_ratio,
            "budget_consumed": self.budget_consumed,
            "budget_remaining": self.budget_remaining,
            "burn_rates": {format_duration(w): r for w, r in sorted(self.burn_rates.items())},
            "alert": str(self.alert) if self.alert else None,
            "gate": str(self.gate.gate) if self.gate else None,
            "gate_reason": self.gate.reason if self.gate else None,
            "data": str(self.data),
            "message": self.message,
            "held_back": self.held_back,
            "excluded_seconds": self.excluded_seconds,
        }


def assess(
    slo: SLO,
    reading: Reading,
    policy: GatePolicy = GatePolicy(),
    rules: tuple[BurnRule, ...] = DEFAULT_RULES,
    at: datetime | None = None,
    min_events: float = 0.0,
) -> SLOStatus:
    """Budget, burn rates, burn alert and gate of one SLO from what Prometheus saw at `at`.

    The burn-rate factors scale with the whole window: a calendar period's full length,
    however much of it has passed.
    """
    span = slo.span(at) if at is not None else None
    covered, running = reading.excluded_seconds, reading.excluding
    if reading.error is not None:
        return SLOStatus(
            slo,
            DataState.ERROR,
            reading.error,
            span=span,
            excluded_seconds=covered,
            excluding=running,
        )
    burn_rates = {
        w: b.burn_rate(r.error_ratio if r else None, slo.budget) for w, r in reading.windows.items()
    }
    totals = {w: r.total if r else None for w, r in reading.windows.items()}
    fired = firing_rules(burn_rates, span.length if span else slo.window, slo.budget, rules)
    fired, held = hold_low_traffic(fired, totals, min_events)
    period_ratio = reading.period.error_ratio if reading.period else None
    if period_ratio is None:
        why = "no series" if reading.period is None else "no traffic"
        message = f"{why} in the {slo.window_label} window"
        return SLOStatus(
            slo,
            DataState.NO_DATA,
            message,
            burn_rates=burn_rates,
            firing=fired,
            span=span,
            held=held,
            min_events=min_events,
            totals=totals,
            recorded=reading.recorded,
            excluded_seconds=covered,
            excluding=running,
        )
    spent = b.consumed(period_ratio, slo.budget)
    left = 1.0 - spent
    return SLOStatus(
        slo,
        DataState.OK,
        error_ratio=period_ratio,
        budget_consumed=spent,
        budget_remaining=left,
        burn_rates=burn_rates,
        firing=fired,
        gate=decide_gate(left, alert_severity(fired), policy),
        span=span,
        held=held,
        min_events=min_events,
        totals=totals,
        recorded=reading.recorded,
        excluded_seconds=covered,
        excluding=running,
    )


def exclusion_reading(slo: SLO, reading: Reading, at: datetime) -> Reading:
    """The reading with how much of the SLO's window so far its exclusions cover, and
    whether one runs at `at`."""
    if not slo.exclusions:
        return reading
    found = excluded(slo.exclusions, slo.name, slo.service, slo.team, slo.span(at).start, at)
    running = bool(found) and found[-1][1] >= at
    return replace(reading, excluded_seconds=seconds(found), excluding=running)


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
