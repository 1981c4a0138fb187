"""The values of every enum-like column; the database enforces them with check constraints."""

from __future__ import annotations

from enum import StrEnum


class ProductStatus(StrEnum):
    DRAFT = "draft"
    PROCESSING = "processing"
    ANALYZED = "analyzed"
    FAILED = "failed"


class UploadStatus(StrEnum):
    PENDING = "pending"
    UPLOADED = "uploaded"
    REJECTED = "rejected"


class AnalysisStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class DefectType(StrEnum):
    SCRATCH = "scratch"
    CRACK = "crack"
    STAIN = "stain"
    DENT = "dent"
    TEAR = "tear"
    MISSING_PART = "missing_part"
    DISCOLORATION = "discoloration"
    OTHER = "other"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class JobType(StrEnum):
    SINGLE = "single"
    BATCH = "batch"


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self not in (JobStatus.PENDING, JobStatus.RUNNING)


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class StepName(StrEnum):
    """The analysis steps of one image, in the order the spec runs them."""

    PREPROCESS = "preprocess"
    CLASSIFY = "classify"
    EXTRACT_FEATURES = "extract_features"
    DETECT_DEFECTS = "detect_defects"
    GENERATE_DESCRIPTION = "generate_description"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def sql_in(values: type[StrEnum]) -> str:
    """``'a', 'b', 'c'`` for a check constraint over the enum's values."""
    return ", ".join(f"'{member.value}'" for member in values)
