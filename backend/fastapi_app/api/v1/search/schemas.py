from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from backend.fastapi_app.api.v1.images.schemas import ImagePublic


class ProductRef(BaseModel):
    id: uuid.UUID
    title: str


class SimilarImagePublic(BaseModel):
    similarity: float = Field(description="Cosine similarity of the embeddings, -1..1")
    product: ProductRef
    image: ImagePublic


class QueryClassification(BaseModel):
    label: str
    confidence: float
    source: Literal["taxonomy", "custom"]


class PhotoQueryPublic(BaseModel):
    classification: QueryClassification
    model_version: str
    width: int
    height: int


class SimilarImagesPublic(BaseModel):
    data: list[SimilarImagePublic]
    total: int
    limit: int


class PhotoSearchPublic(SimilarImagesPublic):
    query: PhotoQueryPublic


class DuplicateMemberPublic(BaseModel):
    product: ProductRef
    image: ImagePublic
    duplicate_of: uuid.UUID | None = Field(description="The older image this one duplicates")
    similarity: float | None = Field(description="Cosine similarity to duplicate_of")
    kept: bool = Field(description="The seller chose to keep this duplicate")


class DuplicateClusterPublic(BaseModel):
    pending: bool = Field(description="Some duplicate in the cluster is not reviewed yet")
    images: list[DuplicateMemberPublic] = Field(description="The original (oldest) first")


class DuplicateClustersPublic(BaseModel):
    data: list[DuplicateClusterPublic]
    total: int
    limit: int
    offset: int


class DuplicateStatusPublic(BaseModel):
    image_id: uuid.UUID
    duplicate_of: uuid.UUID
    kept: bool
    kept_at: datetime | None


class ReindexPublic(BaseModel):
    vectors: int = Field(description="Embeddings loaded into this process's index")
