"""Budget snapshots and handled Slack events.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create budget_snapshot and handled_event."""
    op.create_table(
        "budget_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slo", sa.String(length=255), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error_ratio", sa.Float(), nullable=True),
        sa.Column("budget_consumed", sa.Float(), nullable=True),
        sa.Column("budget_remaining", sa.Float(), nullable=True),
        sa.Column("data", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "data IN ('ok', 'no_data', 'error')", name=op.f("ck_budget_snapshot_data")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_snapshot")),
        sa.UniqueConstraint(
            "slo", "evaluated_at", name=op.f("uq_budget_snapshot_slo_evaluated_at")
        ),
    )
    op.create_index(op.f("ix_budget_snapshot_slo"), "budget_snapshot", ["slo"])
    op.create_table(
        "handled_event",
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_handled_event")),
    )


def downgrade() -> None:
    """Drop budget_snapshot and handled_event."""
    op.drop_table("handled_event")
    op.drop_index(op.f("ix_budget_snapshot_slo"), table_name="budget_snapshot")
    op.drop_table("budget_snapshot")
