from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from backend.fastapi_app.api.v1.jobs.schemas import JobStepPublic


class ScoredLabel(BaseModel):
    label: str
    score: float


class Classification(BaseModel):
    label: str | None
    category: str | None
    subcategory: str | None
    confidence: float | None
    top_k: list[ScoredLabel]
    source: Literal["taxonomy", "custom", "correction"] = Field(
        default="taxonomy",
        description="Who answered: the base taxonomy, the seller's custom head, "
        "or the seller's own correction of this image",
    )


class AttributePublic(BaseModel):
    name: str
    value: str
    confidence: float
    metadata: dict[str, Any]


class BoundingBox(BaseModel):
    x: int
    y: int
    width: int
    height: int


class DefectPublic(BaseModel):
    defect_type: str
    severity: str
    confidence: float
    bounding_box: BoundingBox
    description: str


class DuplicateOf(BaseModel):
    image_id: uuid.UUID
    product_id: uuid.UUID
    kept: bool = Field(description="The seller chose to keep this near-duplicate")


class AnalysisPublic(BaseModel):
    id: uuid.UUID
    image_id: uuid.UUID
    status: str
    model_version: str | None
    classification: Classification
    attributes: list[AttributePublic]
    defects: list[DefectPublic]
    description_text: str | None
    description_model: str | None
    processing_time_ms: int | None
    error_message: str | None
    steps: list[JobStepPublic]
    duplicate_of: DuplicateOf | None = Field(
        default=None, description="An older image of yours that this photo nearly duplicates"
    )
    created_at: datetime
    updated_at: datetime
