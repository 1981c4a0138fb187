from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from backend.fastapi_app.api.v1.common import OrmModel


class CorrectionIn(BaseModel):
    label: str = Field(
        min_length=1,
        max_length=200,
        description="A taxonomy label (category/subcategory) or your own category name",
    )


class CorrectionPublic(OrmModel):
    image_id: uuid.UUID = Field(validation_alias="product_image_id")
    product_id: uuid.UUID
    label: str
    created_at: datetime
    updated_at: datetime


class CorrectionsPublic(BaseModel):
    data: list[CorrectionPublic]
    total: int
    limit: int
    offset: int


class LabelCount(BaseModel):
    label: str
    examples: int = Field(description="Corrected, analysed images with this label")
    in_head: bool = Field(description="The trained head knows this label")


class ClassifierPublic(BaseModel):
    trained: bool
    version: str | None = Field(description="In model_version of analyses: <backbone>+<version>")
    labels: list[str] = Field(description="Labels the trained head answers with")
    example_count: int
    trained_at: datetime | None
    metrics: dict[str, Any]
    label_counts: list[LabelCount]
    trainable_labels: list[str] = Field(description="Labels with enough examples to train")
    min_examples_per_label: int
    corrections_since_training: int
    training_queued: bool = False
