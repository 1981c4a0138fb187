from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from backend.fastapi_app.api.v1.images.schemas import ImagePublic

MAX_METADATA_KEYS = 50
# Every product list carries the metadata: without a size cap one 5 MB value made each page of
# 20 products a 100 MB answer.
MAX_METADATA_JSON_CHARS = 16_384
METADATA_DESCRIPTION = (
    f"Your own fields: at most {MAX_METADATA_KEYS} keys and {MAX_METADATA_JSON_CHARS} characters "
    "as JSON"
)


def _metadata_within_size(metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    if metadata is not None and len(json.dumps(metadata)) > MAX_METADATA_JSON_CHARS:
        raise ValueError(f"metadata may be at most {MAX_METADATA_JSON_CHARS} characters as JSON")
    return metadata


class ProductBase(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    category: str | None = Field(default=None, max_length=100)
    subcategory: str | None = Field(default=None, max_length=100)
    metadata: dict[str, Any] = Field(
        default_factory=dict, max_length=MAX_METADATA_KEYS, description=METADATA_DESCRIPTION
    )

    _metadata_size = field_validator("metadata")(_metadata_within_size)


class ProductCreate(ProductBase):
    pass


class ProductUpdate(BaseModel):
    """Only the fields sent change; ``category``/``subcategory`` may be cleared with null."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    category: str | None = Field(default=None, max_length=100)
    subcategory: str | None = Field(default=None, max_length=100)
    metadata: dict[str, Any] | None = Field(
        default=None, max_length=MAX_METADATA_KEYS, description=METADATA_DESCRIPTION
    )

    _metadata_size = field_validator("metadata")(_metadata_within_size)

    @model_validator(mode="after")
    def _required_fields_not_null(self) -> ProductUpdate:
        for name in ("title", "description", "metadata"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ProductPublic(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    category: str | None
    subcategory: str | None
    ai_description: str | None
    status: str
    metadata: dict[str, Any]
    image_count: int
    primary_image: ImagePublic | None
    created_at: datetime
    updated_at: datetime


class ProductDetail(ProductPublic):
    images: list[ImagePublic]


class ProductsPublic(BaseModel):
    data: list[ProductPublic]
    total: int
    limit: int
    offset: int


ProductSort = Literal["created_at", "-created_at", "updated_at", "-updated_at", "title", "-title"]
ProductStatusFilter = Literal["draft", "processing", "analyzed", "failed"]


class DescriptionRequest(BaseModel):
    tone: Literal["professional", "friendly", "luxury", "casual"] = "professional"
    length: Literal["short", "medium", "long"] = "medium"
    language: str = Field(default="en", min_length=2, max_length=35, description="BCP 47 tag")
