"""One SLO's budget status at one instant: the decision step of `status` and `evaluate`."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain import budget as b
from bot.domain.burn import DEFAULT_RULES, BurnRule, FiringRule, alert_severity, firing_rules
from bot.domain.durations import format_duration
from bot.domain.gate import GateDecision, decide_gate
from bot.domain.slo import SLO, GatePolicy, Severity


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

    @property
    def alert(self) -> Severity | None:
        return alert_severity(self.firing)

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
            "error_ratio": self.error_ratio,
            "budget_consumed": self.budget_consumed,
            "budget_remaining": self.budget_remaining,
            "burn_rates": {format_duration(w): r for w, r in sorted(self.burn_rates.items())},
            "alert": str(self.alert) if self.alert else None,
            "gate": str(self.gate.gate) if self.gate else None,
            "gate_reason": self.gate.reason if self.gate else None,
            "data": str(self.data),
            "message": self.message,
        }


def assess(
    slo: SLO,
    reading: Reading,
    policy: GatePolicy = GatePolicy(),
    rules: tuple[BurnRule, ...] = DEFAULT_RULES,
) -> SLOStatus:
    """Budget, burn rates, burn alert and gate of one SLO from what Prometheus saw."""
    if reading.error is not None:
        return SLOStatus(slo, DataState.ERROR, reading.error)
    burn_rates = {
        w: b.burn_rate(r.error_ratio if r else None, slo.budget) for w, r in reading.windows.items()
    }
    fired = firing_rules(burn_rates, slo.window, slo.budget, rules)
    period_ratio = reading.period.error_ratio if reading.period else None
    if period_ratio is None:
        why = "no series" if reading.period is None else "no traffic"
        message = f"{why} in the {slo.window_label} window"
        return SLOStatus(slo, DataState.NO_DATA, message, burn_rates=burn_rates, firing=fired)
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
    )
