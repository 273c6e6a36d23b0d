"""Budget exclusions added from Slack, and their audit trail.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create exclusion and exclusion_event."""
    op.create_table(
        "exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recurrence", sa.Text(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("slos", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("teams", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_by", sa.String(length=255), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("duration_s > 0", name=op.f("ck_exclusion_duration_s")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusion")),
    )
    op.create_index(op.f("ix_exclusion_start"), "exclusion", ["start"])
    op.create_index(op.f("ix_exclusion_ends_at"), "exclusion", ["ends_at"])
    op.create_index(op.f("ix_exclusion_cancelled_at"), "exclusion", ["cancelled_at"])
    op.create_table(
        "exclusion_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exclusion_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "action IN ('added', 'cancelled')", name=op.f("ck_exclusion_event_action")
        ),
        sa.ForeignKeyConstraint(
            ["exclusion_id"],
            ["exclusion.id"],
            name=op.f("fk_exclusion_event_exclusion_id_exclusion"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusion_event")),
    )
    op.create_index(op.f("ix_exclusion_event_exclusion_id"), "exclusion_event", ["exclusion_id"])


def downgrade() -> None:
    """Drop exclusion_event and exclusion."""
    op.drop_index(op.f("ix_exclusion_event_exclusion_id"), table_name="exclusion_event")
    op.drop_table("exclusion_event")
    op.drop_index(op.f("ix_exclusion_cancelled_at"), table_name="exclusion")
    op.drop_index(op.f("ix_exclusion_ends_at"), table_name="exclusion")
    op.drop_index(op.f("ix_exclusion_start"), table_name="exclusion")
    op.drop_table("exclusion")
