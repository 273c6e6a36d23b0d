"""Release gate decisions per SLO and per service (docs/architecture.md, Budget math)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.slo import Gate, GatePolicy, Severity

_ORDER = {Gate.OPEN: 0, Gate.CAUTION: 1, Gate.FROZEN: 2}


@dataclass(frozen=True)
class GateDecision:
    gate: Gate
    reason: str


def decide_gate(
    remaining: float, alert: Severity | None, policy: GatePolicy = GatePolicy()
) -> GateDecision:
    """Gate for one SLO from its remaining budget (ratio) and its firing burn alert."""
    if remaining <= policy.freeze_below:
        if policy.may_freeze:
            return GateDecision(
                Gate.FROZEN,
                f"error budget exhausted ({remaining:.0%} left): only P0 and security fixes ship",
            )
        return GateDecision(Gate.CAUTION, f"error budget exhausted ({remaining:.0%} left)")
    if remaining <= policy.caution_below:
        return GateDecision(
            Gate.CAUTION,
            f"{remaining:.0%} of the error budget left (caution at {policy.caution_below:.0%})",
        )
    if alert is Severity.PAGE and policy.caution_on_page:
        return GateDecision(Gate.CAUTION, "a page-level burn is firing")
    return GateDecision(Gate.OPEN, f"{remaining:.0%} of the error budget left")


def worst_gate(decisions: Iterable[tuple[str, GateDecision]]) -> tuple[str, GateDecision] | None:
    """The most restrictive (name, decision) pair: a service's gate is its worst SLO's."""
    worst: tuple[str, GateDecision] | None = None
    for name, decision in decisions:
        if worst is None or _ORDER[decision.gate] > _ORDER[worst[1].gate]:
            worst = (name, decision)
    return worst


class Decision(StrEnum):
    """A service's gate: an SLO's gate, or unknown when one of its SLOs has no data."""

    OPEN = "open"
    CAUTION = "caution"
    FROZEN = "frozen"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    """A service's answer to "may we deploy?"."""

    decision: Decision
    allowed: bool
    reason: str


def service_verdict(
    slos: Sequence[tuple[str, GateDecision | None, str]], override: str | None = None
) -> Verdict:
    """The verdict from each SLO's (name, gate or None without data, why no data).

    The worst SLO decides. Without usable data for an SLO the answer is "unknown" and not
    allowed: a blind gate is neither open nor frozen. `override` (its description) lets a
    frozen or unknown service deploy until it expires.
    """
    if not slos:
        return Verdict(Decision.OPEN, True, "the service has no SLOs")
    blind = [(name, why) for name, gate, why in slos if gate is None]
    if blind:
        names = ", ".join(f"{name} ({why})" for name, why in blind)
        verdict = Verdict(Decision.UNKNOWN, False, f"no usable data for {names}")
    else:
        found = worst_gate((name, gate) for name, gate, _ in slos if gate is not None)
        assert found is not None
        name, gate = found
        allowed = gate.gate is not Gate.FROZEN
        verdict = Verdict(Decision(gate.gate.value), allowed, f"{name}: {gate.reason}")
    if not verdict.allowed and override:
        return Verdict(verdict.decision, True, f"{verdict.reason}; allowed by {override}")
    return verdict
