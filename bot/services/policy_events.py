"""Policy events (DESIGN 9.5): the alerting cycle's statuses compared with each service's
recorded state; every change claimed once, with one event per policy that asks for it.

Called by the alerting cycle with the statuses it already has (never a query of its own).
Within one transaction each changed service's state is advanced by a conditional update
on its change number, so of two replicas observing the same change only one records it
and claims its events; the events' ids are derived from (policy, service, change number,
event), so even a retried claim inserts nothing twice.
"""

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.policies import carried, service_states, transitions
from bot.domain.policy_actions import PolicyAction, PolicyEvent, fill, ordinal
from bot.domain.slo import Catalog, Service
from bot.domain.status import SLOStatus
from bot.times import format_time
from storage.policies import NewEvent, RecordedState
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("budgetbot.policies")

_IDS = uuid.UUID("6f0d2c59-5b7e-4d6e-9a0e-6a1f3b2c9d10")  # budgetbot's event-id namespace


def event_id(policy: str, service: str, seq: int, event: str) -> str:
    """The event's id: the same for the same change, on every replica and every retry."""
    return str(uuid.uuid5(_IDS, f"{policy}/{service}/{seq}/{event}"))


class PolicyEvents:
    def __init__(self, catalog: Catalog, uow: UnitOfWork) -> None:
        self._catalog = catalog
        self._uow = uow

    def observe(
        self, at: datetime, statuses: Sequence[SLOStatus], paging: frozenset[str] = frozenset()
    ) -> list[str]:
        """Record each service's state at `at` (paging: the SLOs whose page-level burn alert
        is open after this cycle); the ids of the events claimed."""
        if not self._catalog.policies:
            return []
        states = service_states(statuses, paging)
        mine: dict[str, list[SLOStatus]] = {}
        for status in statuses:
            mine.setdefault(status.slo.service, []).append(status)
        claimed: list[str] = []
        with self._uow.begin() as store:
            repo = store.policies
            recorded = repo.states()
            unchanged = []
            for service in sorted(states):
                observed = states[service]
                if observed is None:  # no data: no event, and the recorded state stays
                    continue
                before = recorded.get(service)
                if before is None:
                    repo.record_first(service, observed, at)
                    continue
                if at <= before.observed_at:
                    continue  # an older observation (a replay, a late replica) changes nothing
                after = carried(before.state, observed)
                if after == before.state:
                    unchanged.append(service)
                    continue
                since = at if after.gate is not before.state.gate else before.since
                if not repo.advance(service, before.seq, after, since, at):
                    continue  # another replica recorded this change, or a later observation
                for event in transitions(before.state, after):
                    for policy in self._policies(event, service):
                        new = self._event(policy, event, before, since, at, mine[service])
                        if repo.claim_event(new):
                            claimed.append(new.id)
            repo.observed(unchanged, at)
        if claimed:
            log.info("policy events claimed: %d", len(claimed))
        return claimed

    def _policies(self, event: PolicyEvent, service: str) -> list[PolicyAction]:
        known = self._catalog.services.get(service)
        if known is None:
            return []
        return [
            p
            for p in self._catalog.policies
            if p.on is event and p.applies(service, known.team, str(known.tier))
        ]

    def _event(
        self,
        policy: PolicyAction,
        event: PolicyEvent,
        before: RecordedState,
        since: datetime,
        at: datetime,
        statuses: Sequence[SLOStatus],
    ) -> NewEvent:
        seq = before.seq + 1
        service = self._catalog.services[statuses[0].slo.service]
        ident = event_id(policy.name, service.name, seq, event)
        previous = str(before.state.gate)
        body = payload(ident, policy.name, event, previous, service, at, statuses)
        message = None
        if policy.slack is not None:
            values = {
                "service": service.name,
                "team": service.team,
                "tier": str(service.tier),
                "event": str(event),
                "previous": previous,
                "policy": policy.name,
                "day": ordinal(int((at - since).total_seconds() // 86400) + 1),
                "slos": ", ".join(_slo_line(s) for s in statuses),
            }
            message = fill(policy.slack.text, values)
        target = policy.webhook.url if policy.webhook is not None else ""
        if policy.slack is not None:
            target = policy.slack.channel
        return NewEvent(
            id=ident,
            policy=policy.name,
            service=service.name,
            event=str(event),
            previous=previous,
            seq=seq,
            kind=policy.kind,
            target=target,
            body=json.dumps(body, separators=(",", ":")),
            message=message,
            created_at=at,
        )


def payload(
    ident: str,
    policy: str,
    event: str,
    previous: str,
    service: Service,
    at: datetime,
    statuses: Sequence[SLOStatus],
) -> dict[str, Any]:
    """The webhook's JSON (DESIGN 9.5); budget_remaining a ratio (1.0 = the whole budget)."""
    return {
        "id": ident,
        "policy": policy,
        "event": event,
        "previous": previous,
        "service": service.name,
        "team": service.team,
        "tier": str(service.tier),
        "at": format_time(at),
        "slos": [
            {
                "slo": s.slo.name,
                "budget_remaining": s.budget_remaining,
                "gate": str(s.gate.gate) if s.gate else None,
            }
            for s in statuses
        ],
    }


def _slo_line(status: SLOStatus) -> str:
    left = status.budget_remaining
    shown = f"{left:.0%} left" if left is not None else "no data"
    return f"{status.slo.name} ({shown})"
