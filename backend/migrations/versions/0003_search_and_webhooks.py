"""search corrections webhooks

Revision ID: 0003_search_and_webhooks
Revises: 0002_auth_and_worker_state
Create Date: 2026-11-25 09:02:19.014250
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.shared.db.types

revision: str = "0003_search_and_webhooks"
down_revision: str | None = "0002_auth_and_worker_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_classifiers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.String(length=200), nullable=False),
        sa.Column(
            "labels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column("parameters", sa.LargeBinary(), nullable=False),
        sa.Column("example_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "metrics",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("trained_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_custom_classifiers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_classifiers")),
        sa.UniqueConstraint("user_id", name=op.f("uq_custom_classifiers_user_id")),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column(
            "event_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("description", sa.String(length=300), server_default="", nullable=False),
        sa.Column(
            "created_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_webhook_endpoints_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_endpoints_user_id"), ["user_id"], unique=False)

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "next_attempt_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "last_attempt_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'succeeded', 'failed')",
            name=op.f("ck_webhook_deliveries_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_endpoint_id"), ["endpoint_id"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_deliveries_endpoint_id_created_at",
            ["endpoint_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_webhook_deliveries_status"), ["status"], unique=False)

    op.create_table(
        "classification_corrections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("product_image_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["product_image_id"],
            ["product_images.id"],
            name=op.f("fk_classification_corrections_product_image_id_product_images"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_classification_corrections_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classification_corrections")),
        sa.UniqueConstraint("user_id", "product_image_id", name="uq_corrections_user_image"),
    )
    with op.batch_alter_table("classification_corrections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_classification_corrections_product_image_id"),
            ["product_image_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_classification_corrections_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "image_embeddings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_image_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("model_version", sa.String(length=200), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("perceptual_hash", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["product_image_id"],
            ["product_images.id"],
            name=op.f("fk_image_embeddings_product_image_id_product_images"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_image_embeddings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image_embeddings")),
        sa.UniqueConstraint("product_image_id", name=op.f("uq_image_embeddings_product_image_id")),
    )
    with op.batch_alter_table("image_embeddings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_image_embeddings_perceptual_hash"), ["perceptual_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_image_embeddings_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_of_image_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "quality_metrics",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                server_default=sa.text("'{}'"),
                nullable=False,
            )
        )
        batch_op.create_index(
            batch_op.f("ix_analysis_results_duplicate_of_image_id"),
            ["duplicate_of_image_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_analysis_results_duplicate_of_image_id_product_images"),
            "product_images",
            ["duplicate_of_image_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_analysis_results_duplicate_of_image_id_product_images"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_analysis_results_duplicate_of_image_id"))
        batch_op.drop_column("quality_metrics")
        batch_op.drop_column("duplicate_of_image_id")

    with op.batch_alter_table("image_embeddings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_image_embeddings_user_id"))
        batch_op.drop_index(batch_op.f("ix_image_embeddings_perceptual_hash"))

    op.drop_table("image_embeddings")
    with op.batch_alter_table("classification_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classification_corrections_user_id"))
        batch_op.drop_index(batch_op.f("ix_classification_corrections_product_image_id"))

    op.drop_table("classification_corrections")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_status"))
        batch_op.drop_index("ix_webhook_deliveries_endpoint_id_created_at")
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_endpoint_id"))

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_user_id"))

    op.drop_table("webhook_endpoints")
    op.drop_table("custom_classifiers")
