"""Keeping each evaluation's budgets (budget_snapshot), for trends and charts."""

from datetime import datetime

from bot.domain.status import SLOStatus
from storage.repositories import Snapshot
from storage.unit_of_work import UnitOfWork


def keep_snapshots(uow: UnitOfWork, at: datetime, statuses: list[SLOStatus]) -> None:
    """Store one row per SLO of the evaluation at `at`."""
    snapshots = [
        Snapshot(
            slo=s.slo.name,
            evaluated_at=at,
            error_ratio=s.error_ratio,
            budget_consumed=s.budget_consumed,
            budget_remaining=s.budget_remaining,
            data=s.data.value,
        )
        for s in statuses
    ]
    with uow.begin() as store:
        store.snapshots.add_many(snapshots)
