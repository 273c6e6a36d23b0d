"""Postmortems, action items, their history and claimed reminders.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create postmortem, action_item, action_change and reminder_sent."""
    op.create_table(
        "postmortem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("root_cause", sa.Text(), nullable=False),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("went_badly", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("written_by", sa.String(length=255), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_postmortem_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postmortem")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_postmortem_incident_id")),
    )
    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_by", sa.String(length=255), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("priority IN ('P0', 'P1', 'P2')", name=op.f("ck_action_item_priority")),
        sa.CheckConstraint(
            "kind IN ('prevent', 'detect', 'mitigate', 'process')",
            name=op.f("ck_action_item_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'dropped')", name=op.f("ck_action_item_status")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_action_item_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item")),
    )
    op.create_index(op.f("ix_action_item_incident_id"), "action_item", ["incident_id"])
    op.create_index(op.f("ix_action_item_owner"), "action_item", ["owner"])
    op.create_index(op.f("ix_action_item_status"), "action_item", ["status"])
    op.create_table(
        "action_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action_item.id"],
            name=op.f("fk_action_change_action_id_action_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_change")),
    )
    op.create_index(op.f("ix_action_change_action_id"), "action_change", ["action_id"])
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('owner_daily', 'team_weekly')", name=op.f("ck_reminder_sent_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sent")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_reminder_sent_kind_key")),
    )


def downgrade() -> None:
    """Drop reminder_sent, action_change, action_item and postmortem."""
    op.drop_table("reminder_sent")
    op.drop_index(op.f("ix_action_change_action_id"), table_name="action_change")
    op.drop_table("action_change")
    op.drop_index(op.f("ix_action_item_status"), table_name="action_item")
    op.drop_index(op.f("ix_action_item_owner"), table_name="action_item")
    op.drop_index(op.f("ix_action_item_incident_id"), table_name="action_item")
    op.drop_table("action_item")
    op.drop_table("postmortem")
