from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from backend.fastapi_app.api.v1.common import OrmModel

JobStatusFilter = Literal[
    "pending", "running", "completed", "completed_with_errors", "failed", "cancelled"
]
MAX_IDS_PER_REQUEST = 1000


class JobStepPublic(OrmModel):
    id: uuid.UUID
    step_name: str
    status: str
    product_image_id: uuid.UUID | None
    started_at: datetime | None
    completed_at: datetime | None
    duration_ms: int | None
    error_message: str | None
    result_data: dict[str, Any]


class JobPublic(OrmModel):
    id: uuid.UUID
    job_type: str
    status: str
    total_images: int
    processed_images: int
    failed_images: int
    started_at: datetime | None
    completed_at: datetime | None
    error_message: str | None
    metadata: dict[str, Any] = Field(validation_alias="metadata_")
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def progress(self) -> float:
        """Share of images finished, successfully or not (0..1)."""
        if not self.total_images:
            return 0.0
        return min(1.0, (self.processed_images + self.failed_images) / self.total_images)


class JobDetail(JobPublic):
    steps: list[JobStepPublic]


class JobsPublic(BaseModel):
    data: list[JobPublic]
    total: int
    limit: int
    offset: int


class JobCreate(BaseModel):
    image_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_IDS_PER_REQUEST)
    product_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_IDS_PER_REQUEST)
    only_stale: bool = Field(
        default=False,
        description="Only images without a current analysis (missing, failed, older model)",
    )
