from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class AnalysisSummary(BaseModel):
    status: str
    classification_label: str | None
    classification_confidence: float | None
    defect_count: int
    model_version: str | None
    duplicate_of_image_id: uuid.UUID | None = None


class ImagePublic(BaseModel):
    id: uuid.UUID
    product_id: uuid.UUID
    original_filename: str
    content_type: str
    file_size_bytes: int | None
    width: int | None
    height: int | None
    is_primary: bool
    upload_status: str
    url: str | None = Field(description="Short-lived download URL (uploaded images only)")
    created_at: datetime
    analysis: AnalysisSummary | None
    job_id: uuid.UUID | None = Field(
        default=None, description="The analysis job queued by this request, if any"
    )


class UploadTicketRequest(BaseModel):
    filename: str = Field(min_length=1, max_length=1024, description="Shortened and cleaned")
    content_type: str = Field(min_length=1, max_length=100)
    size_bytes: int = Field(gt=0, description="Exact size of the file that will be PUT")


class UploadTicketPublic(BaseModel):
    image_id: uuid.UUID
    upload_url: str
    method: Literal["PUT", "POST"]
    headers: dict[str, str]
    fields: dict[str, str]
    expires_at: datetime | None


class ImageList(BaseModel):
    data: list[ImagePublic]
    total: int


class DownloadUrl(BaseModel):
    url: str
    expires_at: datetime
