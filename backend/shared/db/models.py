"""SQLAlchemy models of the spec's tables. Alembic owns the schema; Django maps it unmanaged."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from backend.shared.db.enums import (
    AnalysisStatus,
    DefectType,
    DeliveryStatus,
    JobStatus,
    JobType,
    ProductStatus,
    Severity,
    StepStatus,
    UploadStatus,
    sql_in,
)
from backend.shared.db.types import JSONDocument, UTCDateTime, utc_now_sql, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EMPTY_JSON = text("'{}'")
EMPTY_LIST = text("'[]'")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(primary_key=True, default=uuid.uuid4)


def _created_at() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, server_default=utc_now_sql())


def _updated_at() -> Mapped[datetime]:
    return mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=utc_now_sql()
    )


def _json_column(name: str | None = None) -> Mapped[dict[str, Any]]:
    if name is None:
        return mapped_column(JSONDocument, default=dict, server_default=EMPTY_JSON)
    return mapped_column(name, JSONDocument, default=dict, server_default=EMPTY_JSON)


def _owner_fk(target: str) -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey(target, ondelete="CASCADE"), index=True)


def _enum_check(column: str, values: Any) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({sql_in(values)})", name=f"{column}_valid")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", func.lower(text("email")), unique=True),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    hashed_password: Mapped[str] = mapped_column(String(128))
    full_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime())
    date_joined: Mapped[datetime] = _created_at()
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    products: Mapped[list[Product]] = relationship(
        back_populates="owner", passive_deletes=True, cascade="all, delete-orphan"
    )
    jobs: Mapped[list[ProcessingJob]] = relationship(
        back_populates="owner", passive_deletes=True, cascade="all, delete-orphan"
    )


class RefreshToken(Base):
    """One refresh token; rotations of one login share a ``family_id`` (reuse revokes them all)."""

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = _owner_fk("users.id")
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created_at()


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        _enum_check("status", ProductStatus),
        Index("ix_products_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = _owner_fk("users.id")
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    subcategory: Mapped[str | None] = mapped_column(String(100))
    ai_description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(20), default=ProductStatus.DRAFT, server_default=ProductStatus.DRAFT, index=True
    )
    metadata_: Mapped[dict[str, Any]] = _json_column("metadata")
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    owner: Mapped[User] = relationship(back_populates="products")
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product",
        passive_deletes=True,
        cascade="all, delete-orphan",
        order_by="ProductImage.created_at",
    )


class ProductImage(Base):
    __tablename__ = "product_images"
    __table_args__ = (_enum_check("upload_status", UploadStatus),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    product_id: Mapped[uuid.UUID] = _owner_fk("products.id")
    s3_key: Mapped[str] = mapped_column(String(1024))
    s3_bucket: Mapped[str] = mapped_column(String(255))
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    file_size_bytes: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    upload_status: Mapped[str] = mapped_column(
        String(20), default=UploadStatus.PENDING, server_default=UploadStatus.PENDING, index=True
    )
    created_at: Mapped[datetime] = _created_at()
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    product: Mapped[Product] = relationship(back_populates="images")
    analysis: Mapped[AnalysisResult | None] = relationship(
        back_populates="image",
        passive_deletes=True,
        cascade="all, delete-orphan",
        foreign_keys="AnalysisResult.product_image_id",
    )


class AnalysisResult(Base):
    __tablename__ = "analysis_results"
    __table_args__ = (_enum_check("status", AnalysisStatus),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    product_image_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_images.id", ondelete="CASCADE"), unique=True
    )
    model_version: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(
        String(20),
        default=AnalysisStatus.PENDING,
        server_default=AnalysisStatus.PENDING,
        index=True,
    )
    classification_label: Mapped[str | None] = mapped_column(String(200), index=True)
    classification_confidence: Mapped[float | None] = mapped_column(Float)
    classification_scores: Mapped[dict[str, Any]] = _json_column()
    description_text: Mapped[str | None] = mapped_column(Text)
    description_model: Mapped[str | None] = mapped_column(String(200))
    processing_time_ms: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()
    # Deleting the other image must not delete this analysis: the link is just cleared.
    duplicate_of_image_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("product_images.id", ondelete="SET NULL"), index=True
    )
    # Set when the seller chose to keep a near-duplicate (the link itself stays).
    duplicate_kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    quality_metrics: Mapped[dict[str, Any]] = _json_column()

    image: Mapped[ProductImage] = relationship(
        back_populates="analysis", foreign_keys=[product_image_id]
    )
    duplicate_of_image: Mapped[ProductImage | None] = relationship(
        foreign_keys=[duplicate_of_image_id], viewonly=True
    )
    attributes: Mapped[list[ExtractedAttribute]] = relationship(
        back_populates="analysis",
        passive_deletes=True,
        cascade="all, delete-orphan",
        order_by="ExtractedAttribute.attribute_name",
    )
    defects: Mapped[list[DetectedDefect]] = relationship(
        back_populates="analysis",
        passive_deletes=True,
        cascade="all, delete-orphan",
        order_by="DetectedDefect.confidence.desc()",
    )


class ExtractedAttribute(Base):
    __tablename__ = "extracted_attributes"
    __table_args__ = (
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    analysis_result_id: Mapped[uuid.UUID] = _owner_fk("analysis_results.id")
    attribute_name: Mapped[str] = mapped_column(String(100))
    attribute_value: Mapped[str] = mapped_column(String(500))
    confidence: Mapped[float] = mapped_column(Float)
    metadata_: Mapped[dict[str, Any]] = _json_column("metadata")
    created_at: Mapped[datetime] = _created_at()

    analysis: Mapped[AnalysisResult] = relationship(back_populates="attributes")


class DetectedDefect(Base):
    __tablename__ = "detected_defects"
    __table_args__ = (
        _enum_check("defect_type", DefectType),
        _enum_check("severity", Severity),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    analysis_result_id: Mapped[uuid.UUID] = _owner_fk("analysis_results.id")
    defect_type: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float] = mapped_column(Float)
    bounding_box: Mapped[dict[str, Any]] = _json_column()
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = _created_at()

    analysis: Mapped[AnalysisResult] = relationship(back_populates="defects")


class ProcessingJob(Base):
    __tablename__ = "processing_jobs"
    __table_args__ = (
        _enum_check("job_type", JobType),
        _enum_check("status", JobStatus),
        Index("ix_processing_jobs_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = _owner_fk("users.id")
    job_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(
        String(30), default=JobStatus.PENDING, server_default=JobStatus.PENDING, index=True
    )
    total_images: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    processed_images: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    failed_images: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    celery_task_id: Mapped[str | None] = mapped_column(String(255))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error_message: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[dict[str, Any]] = _json_column("metadata")
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    owner: Mapped[User] = relationship(back_populates="jobs")
    steps: Mapped[list[JobStep]] = relationship(
        back_populates="job",
        passive_deletes=True,
        cascade="all, delete-orphan",
        order_by="JobStep.created_at",
    )


class JobStep(Base):
    __tablename__ = "job_steps"
    __table_args__ = (_enum_check("status", StepStatus),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    job_id: Mapped[uuid.UUID] = _owner_fk("processing_jobs.id")
    step_name: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(
        String(20), default=StepStatus.PENDING, server_default=StepStatus.PENDING, index=True
    )
    product_image_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("product_images.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(Text)
    result_data: Mapped[dict[str, Any]] = _json_column()
    created_at: Mapped[datetime] = _created_at()
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    lease_token: Mapped[uuid.UUID | None] = mapped_column()

    job: Mapped[ProcessingJob] = relationship(back_populates="steps")


class WorkerHeartbeat(Base):
    """The last sign of life of each worker, written by the scheduled health ping."""

    __tablename__ = "worker_heartbeats"

    id: Mapped[uuid.UUID] = _uuid_pk()
    worker_name: Mapped[str] = mapped_column(String(255), unique=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    details: Mapped[dict[str, Any]] = _json_column()


class ImageEmbedding(Base):
    """The backbone's L2-normalised pooled features of an analysed image, for visual search."""

    __tablename__ = "image_embeddings"

    id: Mapped[uuid.UUID] = _uuid_pk()
    product_image_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_images.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[uuid.UUID] = _owner_fk("users.id")
    model_version: Mapped[str] = mapped_column(String(200))
    dimensions: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    perceptual_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()


class ClassificationCorrection(Base):
    """A seller's own label for one image: a correction, or an example of a custom category."""

    __tablename__ = "classification_corrections"
    __table_args__ = (
        UniqueConstraint("user_id", "product_image_id", name="uq_corrections_user_image"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = _owner_fk("users.id")
    product_image_id: Mapped[uuid.UUID] = _owner_fk("product_images.id")
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    image: Mapped[ProductImage] = relationship(viewonly=True)

    @property
    def product_id(self) -> uuid.UUID:
        return self.image.product_id


class CustomClassifier(Base):
    """A seller's few-shot classification head, trained on their corrections."""

    __tablename__ = "custom_classifiers"

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    version: Mapped[str] = mapped_column(String(200))
    labels: Mapped[list[str]] = mapped_column(JSONDocument, default=list, server_default=EMPTY_LIST)
    parameters: Mapped[bytes] = mapped_column(LargeBinary)
    example_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    metrics: Mapped[dict[str, Any]] = _json_column()
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()


class WebhookEndpoint(Base):
    """An HTTPS endpoint of a seller's that receives signed job and analysis events."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = _owner_fk("users.id")
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(128))
    event_types: Mapped[list[str]] = mapped_column(
        JSONDocument, default=list, server_default=EMPTY_LIST
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    description: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()


class WebhookDelivery(Base):
    """One event sent (or to be sent) to an endpoint, with every attempt's outcome."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        _enum_check("status", DeliveryStatus),
        Index("ix_webhook_deliveries_endpoint_id_created_at", "endpoint_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    endpoint_id: Mapped[uuid.UUID] = _owner_fk("webhook_endpoints.id")
    event_type: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]] = _json_column()
    status: Mapped[str] = mapped_column(
        String(20),
        default=DeliveryStatus.PENDING,
        server_default=DeliveryStatus.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()
