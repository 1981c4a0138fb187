"""initial schema

Revision ID: 0001_initial_schema
Revises:
Create Date: 2026-11-25 08:06:43.848898
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import backend.shared.db.types

revision: str = "0001_initial_schema"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("hashed_password", sa.String(length=128), nullable=False),
        sa.Column("full_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_staff", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_login", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "date_joined",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_email"), ["email"], unique=True)
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)

    op.create_table(
        "processing_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("job_type", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=30), server_default="pending", nullable=False),
        sa.Column("total_images", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("processed_images", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("failed_images", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("celery_task_id", sa.String(length=255), nullable=True),
        sa.Column("started_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "completed_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
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
            "job_type IN ('single', 'batch')", name=op.f("ck_processing_jobs_job_type_valid")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'completed_with_errors', 'failed', 'cancelled')",
            name=op.f("ck_processing_jobs_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_processing_jobs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_jobs")),
    )
    with op.batch_alter_table("processing_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processing_jobs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_processing_jobs_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "ix_processing_jobs_user_id_created_at", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "products",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("subcategory", sa.String(length=100), nullable=True),
        sa.Column("ai_description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
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
        sa.Column("deleted_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'processing', 'analyzed', 'failed')",
            name=op.f("ck_products_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_products_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "ix_products_user_id_created_at", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "product_images",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("s3_key", sa.String(length=1024), nullable=False),
        sa.Column("s3_bucket", sa.String(length=255), nullable=False),
        sa.Column("original_filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("file_size_bytes", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("upload_status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column(
            "created_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.Column("deleted_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "upload_status IN ('pending', 'uploaded', 'rejected')",
            name=op.f("ck_product_images_upload_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_images_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_images")),
    )
    with op.batch_alter_table("product_images", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_images_deleted_at"), ["deleted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_product_images_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_product_images_upload_status"), ["upload_status"], unique=False
        )

    op.create_table(
        "analysis_results",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_image_id", sa.Uuid(), nullable=False),
        sa.Column("model_version", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("classification_label", sa.String(length=200), nullable=True),
        sa.Column("classification_confidence", sa.Float(), nullable=True),
        sa.Column(
            "classification_scores",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("description_text", sa.Text(), nullable=True),
        sa.Column("description_model", sa.String(length=200), nullable=True),
        sa.Column("processing_time_ms", sa.Integer(), nullable=True),
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
            "status IN ('pending', 'processing', 'completed', 'failed')",
            name=op.f("ck_analysis_results_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["product_image_id"],
            ["product_images.id"],
            name=op.f("fk_analysis_results_product_image_id_product_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_results")),
        sa.UniqueConstraint("product_image_id", name=op.f("uq_analysis_results_product_image_id")),
    )
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analysis_results_classification_label"),
            ["classification_label"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_analysis_results_status"), ["status"], unique=False)

    op.create_table(
        "job_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("step_name", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("product_image_id", sa.Uuid(), nullable=True),
        sa.Column("started_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "completed_at", backend.shared.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "result_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed', 'skipped', 'cancelled')",
            name=op.f("ck_job_steps_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["processing_jobs.id"],
            name=op.f("fk_job_steps_job_id_processing_jobs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_image_id"],
            ["product_images.id"],
            name=op.f("fk_job_steps_product_image_id_product_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_steps")),
    )
    with op.batch_alter_table("job_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_steps_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_job_steps_product_image_id"), ["product_image_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_job_steps_status"), ["status"], unique=False)

    op.create_table(
        "detected_defects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("analysis_result_id", sa.Uuid(), nullable=False),
        sa.Column("defect_type", sa.String(length=30), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column(
            "bounding_box",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "defect_type IN ('scratch', 'crack', 'stain', 'dent', 'tear', 'missing_part', 'discoloration', 'other')",
            name=op.f("ck_detected_defects_defect_type_valid"),
        ),
        sa.CheckConstraint(
            "severity IN ('low', 'medium', 'high')", name=op.f("ck_detected_defects_severity_valid")
        ),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1", name=op.f("ck_detected_defects_confidence_range")
        ),
        sa.ForeignKeyConstraint(
            ["analysis_result_id"],
            ["analysis_results.id"],
            name=op.f("fk_detected_defects_analysis_result_id_analysis_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detected_defects")),
    )
    with op.batch_alter_table("detected_defects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_detected_defects_analysis_result_id"),
            ["analysis_result_id"],
            unique=False,
        )

    op.create_table(
        "extracted_attributes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("analysis_result_id", sa.Uuid(), nullable=False),
        sa.Column("attribute_name", sa.String(length=100), nullable=False),
        sa.Column("attribute_value", sa.String(length=500), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            backend.shared.db.types.UTCDateTime(timezone=True),
            server_default=backend.shared.db.types.utc_now_sql(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1",
            name=op.f("ck_extracted_attributes_confidence_range"),
        ),
        sa.ForeignKeyConstraint(
            ["analysis_result_id"],
            ["analysis_results.id"],
            name=op.f("fk_extracted_attributes_analysis_result_id_analysis_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extracted_attributes")),
    )
    with op.batch_alter_table("extracted_attributes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_extracted_attributes_analysis_result_id"),
            ["analysis_result_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("extracted_attributes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extracted_attributes_analysis_result_id"))

    op.drop_table("extracted_attributes")
    with op.batch_alter_table("detected_defects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_detected_defects_analysis_result_id"))

    op.drop_table("detected_defects")
    with op.batch_alter_table("job_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_steps_status"))
        batch_op.drop_index(batch_op.f("ix_job_steps_product_image_id"))
        batch_op.drop_index(batch_op.f("ix_job_steps_job_id"))

    op.drop_table("job_steps")
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analysis_results_status"))
        batch_op.drop_index(batch_op.f("ix_analysis_results_classification_label"))

    op.drop_table("analysis_results")
    with op.batch_alter_table("product_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_images_upload_status"))
        batch_op.drop_index(batch_op.f("ix_product_images_product_id"))
        batch_op.drop_index(batch_op.f("ix_product_images_deleted_at"))

    op.drop_table("product_images")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_user_id_created_at")
        batch_op.drop_index(batch_op.f("ix_products_user_id"))
        batch_op.drop_index(batch_op.f("ix_products_status"))
        batch_op.drop_index(batch_op.f("ix_products_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_products_category"))

    op.drop_table("products")
    with op.batch_alter_table("processing_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_processing_jobs_user_id_created_at")
        batch_op.drop_index(batch_op.f("ix_processing_jobs_user_id"))
        batch_op.drop_index(batch_op.f("ix_processing_jobs_status"))

    op.drop_table("processing_jobs")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_email"))

    op.drop_table("users")
