"""The release gate: may a service deploy? Answered from its SLOs, recorded every time."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain.gate import Verdict, service_verdict
from bot.domain.status import SLOStatus
from bot.times import format_time
from storage.gates import GateRecord, Override
from storage.unit_of_work import UnitOfWork

Statuses = Callable[[], tuple[datetime, list[SLOStatus]]]  # (instant, every SLO's status)


@dataclass(frozen=True)
class GateAnswer:
    service: str
    at: datetime
    verdict: Verdict
    statuses: list[SLOStatus]

    def as_json(self) -> dict[str, Any]:
        """The contract of `budgetbot gate --format json` and GET /api/v1/gate."""
        return {
            "service": self.service,
            "decision": self.verdict.decision,
            "allowed": self.verdict.allowed,
            "reason": self.verdict.reason,
            "at": format_time(self.at),
            "slos": [
                {
                    "slo": s.slo.name,
                    "budget_remaining": s.budget_remaining,
                    "gate": str(s.gate.gate) if s.gate else None,
                    "data": str(s.data),
                    "window": s.slo.window_label,
                    "period": s.period_note,
                }
                for s in self.statuses
            ],
        }


class GateService:
    def __init__(self, statuses: Statuses, uow: UnitOfWork, now: Callable[[], datetime]) -> None:
        self._statuses = statuses
        self._uow = uow
        self._now = now

    def ask(self, service: str, asked_by: str) -> GateAnswer:
        """Evaluate and record the verdict (raises PrometheusError when Prometheus is down)."""
        at, statuses = self._statuses()
        mine = [s for s in statuses if s.slo.service == service]
        now = self._now()
        with self._uow.begin() as store:
            repo = store.gates
            override = repo.active_override(service, now)
            note = (
                f"an override by {override.created_by} until {format_time(override.until)}: "
                f"{override.reason}"
                if override
                else None
            )
            verdict = service_verdict(
                [(s.slo.name, s.gate, s.message or str(s.data)) for s in mine], note
            )
            repo.record(
                GateRecord(
                    service, verdict.decision, verdict.allowed, verdict.reason, asked_by, now
                )
            )
        return GateAnswer(service, at, verdict, mine)

    def override(self, service: str, hours: float, reason: str, by: str) -> Override:
        """Let `service` deploy whatever its gate says, for `hours` hours."""
        now = self._now()
        entry = Override(service, now + timedelta(hours=hours), reason, by, now)
        with self._uow.begin() as store:
            store.gates.add_override(entry)
        return entry
