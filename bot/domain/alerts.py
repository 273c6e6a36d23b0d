"""Burn-alert lifecycle of one SLO between alerting cycles (docs/alerting.md). Pure.

none -> firing (ticket or page) -> resolved. A ticket that worsens to page escalates the
same episode; an episode never de-escalates. It resolves once no rule has fired for
`hysteresis` seconds. A cycle without usable data changes nothing about the episode (an
outage is neither a burn nor a resolution); after `data_missing_after` seconds without
data, one warning is due per outage.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.domain.slo import AlertPolicy, Severity
from bot.domain.status import DataState, SLOStatus

__all__ = ["Action", "AlertPolicy", "Decision", "OpenAlert", "Watch", "cap", "decide"]


class Action(StrEnum):
    OPEN = "open"  # post a new alert message
    ESCALATE = "escalate"  # ticket -> page: reply in the thread, update the message
    RESOLVE = "resolve"  # update the message to resolved, reply in the thread
    DATA_MISSING = "data_missing"  # one warning per outage to the SLO's team


@dataclass(frozen=True)
class OpenAlert:
    """The firing episode of one SLO."""

    severity: Severity
    started_at: datetime
    remaining_at_start: float | None  # budget left (ratio) when it started
    episode: int = 0  # the database's id; 0 until stored
    below_since: datetime | None = None  # first quiet cycle, for the hysteresis
    acknowledged_by: str | None = None
    silenced_until: datetime | None = None

    def silenced(self, now: datetime) -> bool:
        return self.silenced_until is not None and now < self.silenced_until


@dataclass(frozen=True)
class Watch:
    """What the alerting cycle remembers about one SLO between cycles."""

    alert: OpenAlert | None = None
    missing_since: datetime | None = None  # first cycle without usable data
    missing_warned: bool = False


@dataclass(frozen=True)
class Decision:
    watch: Watch  # the state to store
    actions: tuple[Action, ...] = ()


def cap(severity: Severity | None, highest: Severity) -> Severity | None:
    """The severity, no higher than `highest` (PAGE > TICKET)."""
    if severity is Severity.PAGE and highest is Severity.TICKET:
        return Severity.TICKET
    return severity


def decide(watch: Watch, status: SLOStatus, now: datetime, policy: AlertPolicy) -> Decision:
    """The next state of one SLO's alert and what to post about it."""
    alert = watch.alert
    if status.excluding and status.data is DataState.NO_DATA:  # a window excluded whole
        return Decision(Watch(replace(alert, below_since=None)) if alert else Watch())
    if status.data is not DataState.OK:
        since = watch.missing_since or now
        quiet = replace(alert, below_since=None) if alert else None  # an outage is not quiet
        due = (
            not watch.missing_warned and (now - since).total_seconds() >= policy.data_missing_after
        )
        new = Watch(quiet, since, watch.missing_warned or due)
        return Decision(new, (Action.DATA_MISSING,) if due else ())

    if status.excluding:  # an exclusion runs: nothing opens, escalates or resolves meanwhile
        return Decision(Watch(replace(alert, below_since=None)) if alert else Watch())
    severity = cap(status.alert, policy.max_severity)
    if severity is not None:
        if alert is None:
            opened = OpenAlert(severity, now, status.budget_remaining)
            return Decision(Watch(opened), (Action.OPEN,))
        # While silenced an escalation waits: it is decided (and posted) when the silence ends.
        worse = alert.severity is Severity.TICKET and severity is Severity.PAGE
        if worse and not alert.silenced(now):
            escalated = replace(alert, below_since=None, severity=Severity.PAGE)
            return Decision(Watch(escalated), (Action.ESCALATE,))
        return Decision(Watch(replace(alert, below_since=None)))

    if alert is None:
        return Decision(Watch())
    if any(rate is None for rate in status.burn_rates.values()):
        # A window without traffic cannot fire, but it cannot vouch for quiet either
        # (a service that stopped answering): the episode holds until traffic is back.
        return Decision(Watch(replace(alert, below_since=None)))
    below = alert.below_since or now
    if (now - below).total_seconds() >= policy.hysteresis:
        return Decision(Watch(), (Action.RESOLVE,))
    return Decision(Watch(replace(alert, below_since=below)))
