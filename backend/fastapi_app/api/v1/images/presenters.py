"""ORM rows to API schemas (download URLs need the storage adapter)."""

from __future__ import annotations

import uuid

from backend.domain.images import service as images_service
from backend.fastapi_app.api.v1.images.schemas import AnalysisSummary, ImagePublic
from backend.shared.config import Settings
from backend.shared.db.enums import UploadStatus
from backend.shared.db.models import ProductImage
from backend.shared.storage.base import ImageStorage


def image_public(
    image: ProductImage,
    *,
    storage: ImageStorage,
    settings: Settings,
    job_id: uuid.UUID | None = None,
) -> ImagePublic:
    analysis = image.analysis
    summary = (
        AnalysisSummary(
            status=analysis.status,
            classification_label=analysis.classification_label,
            classification_confidence=analysis.classification_confidence,
            defect_count=len(analysis.defects),
            model_version=analysis.model_version,
            duplicate_of_image_id=analysis.duplicate_of_image_id,
        )
        if analysis is not None
        else None
    )
    url = (
        images_service.download_link(storage, settings, image).url
        if image.upload_status == UploadStatus.UPLOADED
        else None
    )
    return ImagePublic(
        id=image.id,
        product_id=image.product_id,
        original_filename=image.original_filename,
        content_type=image.content_type,
        file_size_bytes=image.file_size_bytes,
        width=image.width,
        height=image.height,
        is_primary=image.is_primary,
        upload_status=image.upload_status,
        url=url,
        created_at=image.created_at,
        analysis=summary,
        job_id=job_id,
    )
