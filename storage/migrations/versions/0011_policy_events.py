"""Policy actions: each service's recorded state, the events claimed, their attempts.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create policy_state, policy_event and policy_attempt."""
    op.create_table(
        "policy_state",
        sa.Column("service", sa.String(length=255), nullable=False),
        sa.Column("gate", sa.String(length=16), nullable=False),
        sa.Column("paging", sa.Boolean(), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "gate IN ('open', 'caution', 'frozen')", name=op.f("ck_policy_state_gate")
        ),
        sa.PrimaryKeyConstraint("service", name=op.f("pk_policy_state")),
    )
    op.create_table(
        "policy_event",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("policy", sa.String(length=255), nullable=False),
        sa.Column("service", sa.String(length=255), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("previous", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'delivered', 'failed')", name=op.f("ck_policy_event_state")
        ),
        sa.CheckConstraint("kind IN ('webhook', 'slack')", name=op.f("ck_policy_event_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_event")),
    )
    op.create_index(op.f("ix_policy_event_created_at"), "policy_event", ["created_at"])
    op.create_index("ix_policy_event_state_due_at", "policy_event", ["state", "due_at"])
    op.create_table(
        "policy_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["policy_event.id"], name=op.f("fk_policy_attempt_event_id_policy_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_attempt")),
    )
    op.create_index(op.f("ix_policy_attempt_event_id"), "policy_attempt", ["event_id"])


def downgrade() -> None:
    """Drop policy_attempt, policy_event and policy_state."""
    op.drop_index(op.f("ix_policy_attempt_event_id"), table_name="policy_attempt")
    op.drop_table("policy_attempt")
    op.drop_index("ix_policy_event_state_due_at", table_name="policy_event")
    op.drop_index(op.f("ix_policy_event_created_at"), table_name="policy_event")
    op.drop_table("policy_event")
    op.drop_table("policy_state")
