"""Deploy gate decisions and overrides.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create gate_decision and gate_override."""
    op.create_table(
        "gate_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=255), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(length=255), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('open', 'caution', 'frozen', 'unknown')",
            name=op.f("ck_gate_decision_decision"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_decision")),
    )
    op.create_index(op.f("ix_gate_decision_service"), "gate_decision", ["service"])
    op.create_index(op.f("ix_gate_decision_asked_at"), "gate_decision", ["asked_at"])
    op.create_table(
        "gate_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=255), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_override")),
    )
    op.create_index(op.f("ix_gate_override_service"), "gate_override", ["service"])


def downgrade() -> None:
    """Drop gate_override and gate_decision."""
    op.drop_index(op.f("ix_gate_override_service"), table_name="gate_override")
    op.drop_table("gate_override")
    op.drop_index(op.f("ix_gate_decision_asked_at"), table_name="gate_decision")
    op.drop_index(op.f("ix_gate_decision_service"), table_name="gate_decision")
    op.drop_table("gate_decision")
