"""duplicate kept

A seller can keep an image that the analysis found to be a near-duplicate of another: the link
stays (it is a fact about the photos), and this marks it as reviewed.

Revision ID: 0004_duplicate_kept
Revises: 0003_search_and_webhooks
Create Date: 2026-11-25 09:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.shared.db.types

revision: str = "0004_duplicate_kept"
down_revision: str | None = "0003_search_and_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "duplicate_kept_at",
                backend.shared.db.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.drop_column("duplicate_kept_at")
