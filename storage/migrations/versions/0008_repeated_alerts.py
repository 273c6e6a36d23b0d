"""Alert episodes whose opening post may not have arrived: posted again once, marked.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add alert_episode.repeated."""
    with op.batch_alter_table("alert_episode") as batch:
        batch.add_column(
            sa.Column("repeated", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Drop alert_episode.repeated."""
    with op.batch_alter_table("alert_episode") as batch:
        batch.drop_column("repeated")
