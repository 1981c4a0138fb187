"""auth tokens and worker state

Revision ID: 0002_auth_and_worker_state
Revises: 0001_initial_schema
Create Date: 2026-11-25 08:18:15.862993
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.shared.db.types

revision: str = "0002_auth_and_worker_state"
down_revision: str | None = "0001_initial_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeats",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("worker_name", sa.String(length=255), nullable=False),
        sa.Column(
            "last_seen_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_heartbeats")),
        sa.UniqueConstraint("worker_name", name=op.f("uq_worker_heartbeats_worker_name")),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_refresh_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_family_id"), ["family_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refresh_tokens_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("job_steps", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(sa.Column("lease_token", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_steps", schema=None) as batch_op:
        batch_op.drop_column("lease_token")
        batch_op.drop_column("attempts")

    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_user_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_family_id"))

    op.drop_table("refresh_tokens")
    op.drop_table("worker_heartbeats")
