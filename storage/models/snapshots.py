"""Budget snapshots (one evaluation of one SLO) and the Slack events handled once."""

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.domain.status import DataState
from storage.models.conventions import UTCDateTime

DATA_STATES = tuple(state.value for state in DataState)


class BudgetSnapshot(SQLModel, table=True):
    """One evaluation of one SLO; fractions of the budget, 1.0 = all of it."""

    __tablename__ = "budget_snapshot"
    __table_args__ = (
        UniqueConstraint("slo", "evaluated_at"),
        CheckConstraint(f"data IN {DATA_STATES!r}", name="data"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slo: str = Field(index=True, max_length=255)
    evaluated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    error_ratio: float | None = None
    budget_consumed: float | None = None
    budget_remaining: float | None = None
    data: str = Field(max_length=16)


class HandledEvent(SQLModel, table=True):
    """A Slack event_id that has been handled (claimed) once."""

    __tablename__ = "handled_event"

    event_id: str = Field(primary_key=True, max_length=255)
    handled_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
