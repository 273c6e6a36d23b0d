"""SQLModel tables. Schema changes need an Alembic revision in storage/migrations/versions."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Dialect, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Named constraints keep Alembic's batch mode on SQLite and later migrations simple.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DATA_STATES = ("ok", "no_data", "error")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC that always loads timezone-aware; naive input is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; SQLite keeps the wall time only, so it must be UTC already."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} (pass an aware UTC time)")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Attach UTC to SQLite's naive values and normalise PostgreSQL's session zone."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


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
