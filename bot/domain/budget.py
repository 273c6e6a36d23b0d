"""Error-budget arithmetic (docs/architecture.md, Budget math). Ratios: 1.0 = 100 %."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Rates:
    """Bad and total events over one window (a ratio SLI: its ratio over 1)."""

    bad: float
    total: float

    @property
    def error_ratio(self) -> float | None:
        """bad / total, or None when the window saw no traffic."""
        if self.total <= 0 or math.isnan(self.total) or math.isnan(self.bad):
            return None
        return min(max(self.bad / self.total, 0.0), 1.0)


def burn_rate(error_ratio: float | None, budget: float) -> float | None:
    """How many times faster than sustainable the budget burns: e / B (None: no traffic)."""
    if error_ratio is None:
        return None
    if budget <= 0:
        return 0.0 if error_ratio == 0 else math.inf
    return error_ratio / budget


def consumed(error_ratio: float, budget: float) -> float:
    """Share of the window's budget spent: e(window) / B (1.0 = all of it, may exceed 1)."""
    rate = burn_rate(error_ratio, budget)
    assert rate is not None
    return rate


def remaining(error_ratio: float, budget: float) -> float:
    """Share of the budget left: 1 - consumed (negative when overspent)."""
    return 1.0 - consumed(error_ratio, budget)


def seconds_to_exhaustion(remaining_share: float, burn: float | None, window: int) -> float | None:
    """Seconds until the budget is gone at a steady burn rate (None: never; 0: already gone).

    At burn rate 1 the whole budget lasts exactly one window, so the remaining share
    lasts remaining * window / burn seconds.
    """
    if remaining_share <= 0:
        return 0.0
    if burn is None or burn <= 0:
        return None
    return remaining_share * window / burn


def period_exhaustion(
    remaining_share: float, burn: float | None, elapsed: int, left: int
) -> float | None:
    """Seconds until a calendar period's budget is gone at a steady burn rate and traffic
    (None: not before the period ends and the budget resets; 0: already gone).

    The period's budget grows with its events: after t more seconds at burn rate b, the
    share spent is (consumed x elapsed + b x t) / (elapsed + t), which reaches 1 at
    t = remaining x elapsed / (b - 1); at b <= 1 it never does.
    """
    if remaining_share <= 0:
        return 0.0
    if burn is None or burn <= 1:
        return None
    seconds = remaining_share * elapsed / (burn - 1)
    return seconds if seconds < left else None
