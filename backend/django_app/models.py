"""Unmanaged Django models over the tables of ``backend/shared/db/models.py``.

Alembic owns the schema (``managed = False`` everywhere). The admin reads through these
models; every change goes through the shared services on a SQLAlchemy session instead.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models

from backend.django_app.fields import ApiPasswordHashField, UTCDateTimeField
from backend.domain.users.service import normalize_email

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

from backend.shared.db.enums import (
    AnalysisStatus,
    DefectType,
    JobStatus,
    JobType,
    ProductStatus,
    Severity,
    StepStatus,
    UploadStatus,
)

#: Permissions only superusers hold; every other admin permission belongs to all staff.
SUPERUSER_PERMISSIONS = frozenset({"imagineai.manage_accounts"})


def choices(values: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in values]


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))


class User(AbstractBaseUser):
    """A row of ``users``: staff (``is_staff``) may use the admin, with the API's password."""

    products: RelatedManager[Product]
    jobs: RelatedManager[ProcessingJob]
    refresh_tokens: RelatedManager[RefreshToken]

    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    email: models.EmailField[str, str] = models.EmailField(max_length=320, unique=True)
    password: models.CharField[str, str] = ApiPasswordHashField(
        max_length=128, db_column="hashed_password"
    )
    full_name: models.CharField[str, str] = models.CharField(max_length=200, blank=True, default="")
    is_active: models.BooleanField[bool, bool] = models.BooleanField(default=True)
    is_staff: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    is_superuser: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    last_login: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(
        null=True, blank=True
    )
    date_joined: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    updated_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        managed = False
        db_table = "users"
        ordering = ("email",)

    def __str__(self) -> str:
        return self.email

    @property
    def is_admin_user(self) -> bool:
        return bool(self.is_active and self.is_staff)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        if not self.is_admin_user:
            return False
        return self.is_superuser or perm not in SUPERUSER_PERMISSIONS

    def has_perms(self, perm_list: Any, obj: Any = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_admin_user

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ", 1)[0] if self.full_name else self.email


class RefreshToken(models.Model):
    user_id: uuid.UUID
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    user: models.ForeignKey[User] = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, related_name="refresh_tokens"
    )
    family_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField()
    expires_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    used_at: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(null=True)
    revoked_at: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(null=True)
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()

    objects: ClassVar[models.Manager[RefreshToken]] = models.Manager()

    class Meta:
        managed = False
        db_table = "refresh_tokens"


class Product(models.Model):
    owner_id: uuid.UUID
    images: RelatedManager[ProductImage]
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    owner: models.ForeignKey[User] = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="user_id",
        related_name="products",
    )
    title: models.CharField[str, str] = models.CharField(max_length=300)
    description: models.TextField[str, str] = models.TextField(blank=True, default="")
    category: models.CharField[str | None, str | None] = models.CharField(
        max_length=100, null=True, blank=True
    )
    subcategory: models.CharField[str | None, str | None] = models.CharField(
        max_length=100, null=True, blank=True
    )
    ai_description: models.TextField[str | None, str | None] = models.TextField(
        null=True, blank=True
    )
    status: models.CharField[str, str] = models.CharField(
        max_length=20, choices=choices(ProductStatus)
    )
    metadata: models.JSONField[Any, Any] = models.JSONField(default=dict)
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    updated_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    deleted_at: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(
        null=True, blank=True
    )

    objects: ClassVar[models.Manager[Product]] = models.Manager()

    class Meta:
        managed = False
        db_table = "products"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.title


class ProductImage(models.Model):
    product_id: uuid.UUID
    job_steps: RelatedManager[JobStep]
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    product: models.ForeignKey[Product] = models.ForeignKey(
        Product, on_delete=models.DO_NOTHING, db_constraint=False, related_name="images"
    )
    s3_key: models.CharField[str, str] = models.CharField(max_length=1024)
    s3_bucket: models.CharField[str, str] = models.CharField(max_length=255)
    original_filename: models.CharField[str, str] = models.CharField(max_length=255)
    content_type: models.CharField[str, str] = models.CharField(max_length=100)
    file_size_bytes: models.IntegerField[int | None, int | None] = models.IntegerField(null=True)
    width: models.IntegerField[int | None, int | None] = models.IntegerField(null=True)
    height: models.IntegerField[int | None, int | None] = models.IntegerField(null=True)
    is_primary: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    upload_status: models.CharField[str, str] = models.CharField(
        max_length=20, choices=choices(UploadStatus)
    )
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    deleted_at: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(
        null=True, blank=True
    )

    objects: ClassVar[models.Manager[ProductImage]] = models.Manager()

    class Meta:
        managed = False
        db_table = "product_images"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.original_filename


class AnalysisResult(models.Model):
    image_id: uuid.UUID
    attributes: RelatedManager[ExtractedAttribute]
    defects: RelatedManager[DetectedDefect]
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    image: models.OneToOneField[ProductImage] = models.OneToOneField(
        ProductImage,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="product_image_id",
        related_name="analysis",
    )
    model_version: models.CharField[str | None, str | None] = models.CharField(
        max_length=200, null=True
    )
    status: models.CharField[str, str] = models.CharField(
        max_length=20, choices=choices(AnalysisStatus)
    )
    classification_label: models.CharField[str | None, str | None] = models.CharField(
        max_length=200, null=True
    )
    classification_confidence: models.FloatField[float | None, float | None] = models.FloatField(
        null=True
    )
    classification_scores: models.JSONField[Any, Any] = models.JSONField(default=dict)
    description_text: models.TextField[str | None, str | None] = models.TextField(null=True)
    description_model: models.CharField[str | None, str | None] = models.CharField(
        max_length=200, null=True
    )
    processing_time_ms: models.IntegerField[int | None, int | None] = models.IntegerField(null=True)
    error_message: models.TextField[str | None, str | None] = models.TextField(null=True)
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    updated_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()

    objects: ClassVar[models.Manager[AnalysisResult]] = models.Manager()

    class Meta:
        managed = False
        db_table = "analysis_results"
        ordering = ("-updated_at",)
        verbose_name = "analysis result"

    def __str__(self) -> str:
        return f"Analysis of {self.image.original_filename}"


class ExtractedAttribute(models.Model):
    analysis_id: uuid.UUID
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    analysis: models.ForeignKey[AnalysisResult] = models.ForeignKey(
        AnalysisResult,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="analysis_result_id",
        related_name="attributes",
    )
    attribute_name: models.CharField[str, str] = models.CharField(max_length=100)
    attribute_value: models.CharField[str, str] = models.CharField(max_length=500)
    confidence: models.FloatField[float, float] = models.FloatField()
    metadata: models.JSONField[Any, Any] = models.JSONField(default=dict)
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()

    objects: ClassVar[models.Manager[ExtractedAttribute]] = models.Manager()

    class Meta:
        managed = False
        db_table = "extracted_attributes"
        ordering = ("attribute_name",)

    def __str__(self) -> str:
        return f"{self.attribute_name}: {self.attribute_value}"


class DetectedDefect(models.Model):
    analysis_id: uuid.UUID
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    analysis: models.ForeignKey[AnalysisResult] = models.ForeignKey(
        AnalysisResult,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="analysis_result_id",
        related_name="defects",
    )
    defect_type: models.CharField[str, str] = models.CharField(
        max_length=30, choices=choices(DefectType)
    )
    severity: models.CharField[str, str] = models.CharField(
        max_length=10, choices=choices(Severity)
    )
    confidence: models.FloatField[float, float] = models.FloatField()
    bounding_box: models.JSONField[Any, Any] = models.JSONField(default=dict)
    description: models.TextField[str, str] = models.TextField(blank=True, default="")
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()

    objects: ClassVar[models.Manager[DetectedDefect]] = models.Manager()

    class Meta:
        managed = False
        db_table = "detected_defects"
        ordering = ("-confidence",)

    def __str__(self) -> str:
        return f"{self.defect_type} ({self.severity})"


class ProcessingJob(models.Model):
    owner_id: uuid.UUID
    steps: RelatedManager[JobStep]
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    owner: models.ForeignKey[User] = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="user_id",
        related_name="jobs",
    )
    job_type: models.CharField[str, str] = models.CharField(max_length=10, choices=choices(JobType))
    status: models.CharField[str, str] = models.CharField(max_length=30, choices=choices(JobStatus))
    total_images: models.IntegerField[int, int] = models.IntegerField(default=0)
    processed_images: models.IntegerField[int, int] = models.IntegerField(default=0)
    failed_images: models.IntegerField[int, int] = models.IntegerField(default=0)
    celery_task_id: models.CharField[str | None, str | None] = models.CharField(
        max_length=255, null=True
    )
    started_at: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(null=True)
    completed_at: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(
        null=True
    )
    error_message: models.TextField[str | None, str | None] = models.TextField(null=True)
    metadata: models.JSONField[Any, Any] = models.JSONField(default=dict)
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    updated_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()

    objects: ClassVar[models.Manager[ProcessingJob]] = models.Manager()

    class Meta:
        managed = False
        db_table = "processing_jobs"
        ordering = ("-created_at",)
        verbose_name = "processing job"

    def __str__(self) -> str:
        return f"{self.job_type} job {str(self.id)[:8]}"


class JobStep(models.Model):
    job_id: uuid.UUID
    image_id: uuid.UUID | None
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    job: models.ForeignKey[ProcessingJob] = models.ForeignKey(
        ProcessingJob, on_delete=models.DO_NOTHING, db_constraint=False, related_name="steps"
    )
    step_name: models.CharField[str, str] = models.CharField(max_length=50)
    status: models.CharField[str, str] = models.CharField(
        max_length=20, choices=choices(StepStatus)
    )
    image: models.ForeignKey[ProductImage | None] = models.ForeignKey(
        ProductImage,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="product_image_id",
        null=True,
        related_name="job_steps",
    )
    started_at: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(null=True)
    completed_at: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(
        null=True
    )
    duration_ms: models.IntegerField[int | None, int | None] = models.IntegerField(null=True)
    error_message: models.TextField[str | None, str | None] = models.TextField(null=True)
    result_data: models.JSONField[Any, Any] = models.JSONField(default=dict)
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    attempts: models.IntegerField[int, int] = models.IntegerField(default=0)
    lease_token: models.UUIDField[uuid.UUID | None, uuid.UUID | None] = models.UUIDField(null=True)

    objects: ClassVar[models.Manager[JobStep]] = models.Manager()

    class Meta:
        managed = False
        db_table = "job_steps"
        ordering = ("created_at",)

    def __str__(self) -> str:
        return f"{self.step_name} ({self.status})"


class WorkerHeartbeat(models.Model):
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    worker_name: models.CharField[str, str] = models.CharField(max_length=255, unique=True)
    last_seen_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    details: models.JSONField[Any, Any] = models.JSONField(default=dict)

    objects: ClassVar[models.Manager[WorkerHeartbeat]] = models.Manager()

    class Meta:
        managed = False
        db_table = "worker_heartbeats"
        ordering = ("-last_seen_at",)

    def __str__(self) -> str:
        return self.worker_name
