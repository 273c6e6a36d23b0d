"""Alert episodes, claimed alert posts, per-SLO watch state and data-missing warnings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "resolved_at IS NULL"


def upgrade() -> None:
    """Create alert_episode, alert_post, slo_watch and data_warning."""
    op.create_table(
        "alert_episode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slo", sa.String(length=255), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remaining_at_start", sa.Float(), nullable=True),
        sa.Column("below_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=255), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("silenced_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=255), nullable=True),
        sa.Column("ts", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "severity IN ('ticket', 'page')", name=op.f("ck_alert_episode_severity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_episode")),
    )
    op.create_index(op.f("ix_alert_episode_slo"), "alert_episode", ["slo"])
    op.create_index(
        "uq_alert_episode_slo_open",
        "alert_episode",
        ["slo"],
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )
    op.create_table(
        "alert_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('open', 'escalate', 'resolve')", name=op.f("ck_alert_post_kind")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["alert_episode.id"],
            name=op.f("fk_alert_post_episode_id_alert_episode"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_post")),
        sa.UniqueConstraint("episode_id", "kind", name=op.f("uq_alert_post_episode_id_kind")),
    )
    op.create_table(
        "slo_watch",
        sa.Column("slo", sa.String(length=255), nullable=False),
        sa.Column("missing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("missing_warned", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("slo", name=op.f("pk_slo_watch")),
    )
    op.create_table(
        "data_warning",
        sa.Column("slo", sa.String(length=255), nullable=False),
        sa.Column("missing_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("slo", "missing_since", name=op.f("pk_data_warning")),
    )


def downgrade() -> None:
    """Drop data_warning, slo_watch, alert_post and alert_episode."""
    op.drop_table("data_warning")
    op.drop_table("slo_watch")
    op.drop_table("alert_post")
    op.drop_index("uq_alert_episode_slo_open", table_name="alert_episode")
    op.drop_index(op.f("ix_alert_episode_slo"), table_name="alert_episode")
    op.drop_table("alert_episode")
