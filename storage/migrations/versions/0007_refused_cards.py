"""Incident cards Slack refused: the reason, kept so the card is retried and people told.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add incident_card.refused."""
    with op.batch_alter_table("incident_card") as batch:
        batch.add_column(sa.Column("refused", sa.String(length=255), nullable=True))


def downgrade() -> None:
    """Drop incident_card.refused."""
    with op.batch_alter_table("incident_card") as batch:
        batch.drop_column("refused")
