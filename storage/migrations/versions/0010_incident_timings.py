"""Incident timings (detected, acknowledged, mitigated), the one escalation per incident, and
when each burn alert's post arrived (what detected an incident).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIMINGS = ("detected", "acknowledged", "mitigated")


def upgrade() -> None:
    """Add the timing columns to incident (NULL on older incidents) and alert_episode; create
    incident_escalation."""
    with op.batch_alter_table("incident") as batch:
        for name in _TIMINGS:
            batch.add_column(sa.Column(f"{name}_at", sa.DateTime(timezone=True), nullable=True))
            batch.add_column(sa.Column(f"{name}_by", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("respond_from", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("alert_episode") as batch:
        batch.add_column(sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "incident_escalation",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=255), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ts", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_escalation_incident_id_incident"),
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_escalation")),
    )


def downgrade() -> None:
    """Drop incident_escalation and the timing columns."""
    op.drop_table("incident_escalation")
    with op.batch_alter_table("alert_episode") as batch:
        batch.drop_column("posted_at")
    with op.batch_alter_table("incident") as batch:
        batch.drop_column("respond_from")
        for name in reversed(_TIMINGS):
            batch.drop_column(f"{name}_by")
            batch.drop_column(f"{name}_at")
