from __future__ import annotations

import uuid

from pydantic import BaseModel

from backend.fastapi_app.api.v1.jobs.schemas import JobPublic


class ImportedProduct(BaseModel):
    id: uuid.UUID
    title: str
    image_ids: list[uuid.UUID]


class SkippedFile(BaseModel):
    name: str
    reason: str


class ImportResult(BaseModel):
    job: JobPublic
    products: list[ImportedProduct]
    images_imported: int
    skipped: list[SkippedFile]
