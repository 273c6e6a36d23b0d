"""Weekly digest claims, one per team and ISO week.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create digest_run."""
    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=100), nullable=False),
        sa.Column("week", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("ts", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_run")),
        sa.UniqueConstraint("team", "week", name=op.f("uq_digest_run_team_week")),
    )


def downgrade() -> None:
    """Drop digest_run."""
    op.drop_table("digest_run")
