"""Budget events from transitions (DESIGN 9.5): each service's state, compared with the last
recorded one. Pure.

A service's state is its gate (its worst SLO's) and whether a page-level burn fires on one
of its SLOs. The first observation records the state and makes no event; a service with any
SLO without usable data makes no event and keeps its recorded state.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.gate import worst_gate
from bot.domain.policy_actions import PolicyEvent
from bot.domain.slo import Gate
from bot.domain.status import DataState, SLOStatus


@dataclass(frozen=True)
class ServiceState:
    gate: Gate
    paging: bool = False
    frozen: bool = False  # frozen since it was last open (it may be in caution on the way back)


def carried(before: ServiceState, after: ServiceState) -> ServiceState:
    """The state to record after `before` when `after` is observed: whether the service
    was frozen since it was last open is carried across caution."""
    frozen = after.gate is Gate.FROZEN or (before.frozen and after.gate is not Gate.OPEN)
    return ServiceState(after.gate, after.paging, frozen)


def service_states(
    statuses: Iterable[SLOStatus], paging: frozenset[str] = frozenset()
) -> dict[str, ServiceState | None]:
    """Each service's state from its SLOs' statuses; None when one of them has no data.

    paging: the SLOs whose page-level burn alert is open (the alerting cycle's episodes:
    with their hysteresis, capped by the tier, held while an exclusion runs), so a burn that
    flaps within one alert is one `page`.
    """
    by_service: dict[str, list[SLOStatus]] = {}
    for status in statuses:
        by_service.setdefault(status.slo.service, []).append(status)
    states: dict[str, ServiceState | None] = {}
    for service, mine in by_service.items():
        if any(s.data is not DataState.OK or s.gate is None for s in mine):
            states[service] = None
            continue
        worst = worst_gate((s.slo.name, s.gate) for s in mine if s.gate is not None)
        assert worst is not None
        gate = worst[1].gate
        pages = any(s.slo.name in paging for s in mine)
        states[service] = ServiceState(gate, pages, gate is Gate.FROZEN)
    return states


def transitions(before: ServiceState | None, after: ServiceState | None) -> Sequence[PolicyEvent]:
    """The events between the recorded state and the observed one.

    before None: the first observation (no event); after None: no data (no event, and the
    caller keeps `before`). A gate change is an event named after the new gate; open again
    after a freeze (directly, or by way of caution) is also `recovered`; a page-level burn
    that was not firing is `page`.
    """
    if before is None or after is None:
        return ()
    events: list[PolicyEvent] = []
    if after.gate is not before.gate:
        events.append(PolicyEvent(after.gate.value))
        was_frozen = before.frozen or before.gate is Gate.FROZEN
        if was_frozen and after.gate is Gate.OPEN:
            events.append(PolicyEvent.RECOVERED)
    if after.paging and not before.paging:
        events.append(PolicyEvent.PAGE)
    return events


FIRST_RETRY_S = 10.0  # seconds before the second attempt
MAX_RETRY_S = 600.0  # seconds: the longest wait between two attempts
GIVE_UP_AFTER_S = 3600.0  # no attempt starts later than this after the event


def retry_delay(attempts: int, jitter: float) -> float:
    """Seconds before the next attempt after `attempts` failed ones: doubling from 10 s, at
    most 10 minutes, and `jitter` (0 to 1) spreads it over its upper half."""
    base = min(MAX_RETRY_S, FIRST_RETRY_S * float(2 ** max(0, attempts - 1)))
    return base / 2 + base / 2 * min(1.0, max(0.0, jitter))
