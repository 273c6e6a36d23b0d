"""Incidents, each affected SLO's impact, the audit trail and claimed incident cards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEVERITIES = "('SEV1', 'SEV2', 'SEV3', 'SEV4')"


def upgrade() -> None:
    """Create incident, incident_slo, incident_change and incident_card."""
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declared_by", sa.String(length=255), nullable=False),
        sa.Column("declared_in", sa.String(length=255), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submission_key", sa.String(length=255), nullable=True),
        sa.Column("impact_state", sa.String(length=16), nullable=False),
        sa.Column("severity_computed", sa.String(length=8), nullable=True),
        sa.Column("severity_override", sa.String(length=8), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "impact_state IN ('pending', 'known', 'unknown')",
            name=op.f("ck_incident_impact_state"),
        ),
        sa.CheckConstraint(
            f"severity_computed IN {_SEVERITIES}", name=op.f("ck_incident_severity_computed")
        ),
        sa.CheckConstraint(
            f"severity_override IN {_SEVERITIES}", name=op.f("ck_incident_severity_override")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_incident_submission_key")),
    )
    op.create_index(op.f("ix_incident_started_at"), "incident", ["started_at"])
    op.create_table(
        "incident_slo",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("slo", sa.String(length=255), nullable=False),
        sa.Column("budget_consumed", sa.Float(), nullable=True),
        sa.Column("remaining_after", sa.Float(), nullable=True),
        sa.Column("gate_after", sa.String(length=16), nullable=True),
        sa.Column("bad_events", sa.Float(), nullable=False),
        sa.Column("total_events", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "gate_after IN ('open', 'caution', 'frozen')",
            name=op.f("ck_incident_slo_gate_after"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_slo_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("incident_id", "slo", name=op.f("pk_incident_slo")),
    )
    op.create_table(
        "incident_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_change_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_change")),
    )
    op.create_index(op.f("ix_incident_change_incident_id"), "incident_change", ["incident_id"])
    op.create_table(
        "incident_card",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=255), nullable=False),
        sa.Column("ts", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_card_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("incident_id", "channel", name=op.f("pk_incident_card")),
    )


def downgrade() -> None:
    """Drop incident_card, incident_change, incident_slo and incident."""
    op.drop_table("incident_card")
    op.drop_index(op.f("ix_incident_change_incident_id"), table_name="incident_change")
    op.drop_table("incident_change")
    op.drop_table("incident_slo")
    op.drop_index(op.f("ix_incident_started_at"), table_name="incident")
    op.drop_table("incident")
