"""Multi-window, multi-burn-rate alerting (Google SRE Workbook ch. 5)."""

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.slo import Severity

HOUR = 3600
DAY = 86400


@dataclass(frozen=True)
class BurnRule:
    """Fires when both windows burn faster than the factor that spends budget_share."""

    severity: Severity
    long_window: int  # seconds
    short_window: int  # seconds
    budget_share: float  # ratio of the whole budget spent when it fires, e.g. 0.02

    def factor(self, period: int, budget: float) -> float:
        """Burn-rate threshold for an SLO window of `period` seconds, clamped to 1/B."""
        raw = self.budget_share * period / self.long_window
        return min(raw, 1.0 / budget) if budget > 0 else raw


DEFAULT_RULES: tuple[BurnRule, ...] = (
    BurnRule(Severity.PAGE, HOUR, 5 * 60, 0.02),
    BurnRule(Severity.PAGE, 6 * HOUR, 30 * 60, 0.05),
    BurnRule(Severity.TICKET, DAY, 2 * HOUR, 0.10),
    BurnRule(Severity.TICKET, 3 * DAY, 6 * HOUR, 0.10),
)


def burn_windows(rules: tuple[BurnRule, ...] = DEFAULT_RULES) -> tuple[int, ...]:
    """Every window the rules look at, shortest first (seconds)."""
    return tuple(sorted({w for r in rules for w in (r.long_window, r.short_window)}))


@dataclass(frozen=True)
class FiringRule:
    rule: BurnRule
    factor: float
    long_rate: float
    short_rate: float


def firing_rules(
    burn_rates: Mapping[int, float | None],
    period: int,
    budget: float,
    rules: tuple[BurnRule, ...] = DEFAULT_RULES,
) -> tuple[FiringRule, ...]:
    """The rules whose long and short windows both burn above their factor.

    A window without traffic (None, or absent) has no burn rate and cannot fire.
    """
    fired = []
    for rule in rules:
        long_rate = burn_rates.get(rule.long_window)
        short_rate = burn_rates.get(rule.short_window)
        if long_rate is None or short_rate is None:
            continue
        factor = rule.factor(period, budget)
        # A factor clamped to 1/B is the highest burn rate there is: reaching it fires.
        clamped = budget > 0 and factor >= 1.0 / budget
        slowest = min(long_rate, short_rate)
        if slowest > factor or (clamped and slowest >= factor):
            fired.append(FiringRule(rule, factor, long_rate, short_rate))
    return tuple(fired)


def hold_low_traffic(
    fired: tuple[FiringRule, ...], totals: Mapping[int, float | None], min_events: float
) -> tuple[tuple[FiringRule, ...], tuple[FiringRule, ...]]:
    """(kept, held back): a rule fires only when its long window holds at least
    `min_events` events; a handful of failed requests of a quiet service pages nobody."""
    if min_events <= 0:
        return fired, ()
    kept = tuple(f for f in fired if (totals.get(f.rule.long_window) or 0.0) >= min_events)
    return kept, tuple(f for f in fired if f not in kept)


def alert_severity(fired: tuple[FiringRule, ...]) -> Severity | None:
    """The most urgent severity among the firing rules, or None."""
    severities = {f.rule.severity for f in fired}
    if Severity.PAGE in severities:
        return Severity.PAGE
    if Severity.TICKET in severities:
        return Severity.TICKET
    return None
