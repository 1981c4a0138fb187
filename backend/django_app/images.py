"""Image thumbnails for the admin: short-lived storage URLs and defect boxes drawn over them."""

from __future__ import annotations

import structlog
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from backend.django_app.models import AnalysisResult, DetectedDefect, ProductImage
from backend.django_app.presentation import overlay
from backend.domain.images.service import download_link
from backend.shared.config import get_settings
from backend.shared.db import models as db
from backend.shared.db.enums import UploadStatus
from backend.shared.storage.base import ImageStorage, StorageError
from backend.shared.storage.factory import get_storage

logger = structlog.get_logger(__name__)


def current_storage() -> ImageStorage:
    return get_storage(get_settings())


def image_url(image: ProductImage) -> str | None:
    """A short-lived URL to the stored bytes, or ``None`` when there is nothing to show."""
    if image.upload_status != UploadStatus.UPLOADED or image.deleted_at is not None:
        return None
    # The images service signs from the SQLAlchemy row; a detached copy of the key is enough.
    row = db.ProductImage(id=image.id, s3_key=image.s3_key, s3_bucket=image.s3_bucket)
    try:
        return download_link(current_storage(), get_settings(), row).url
    except StorageError as exc:
        logger.warning("admin_thumbnail_unavailable", image_id=str(image.id), error=str(exc))
        return None


def analysis_of(image: ProductImage) -> AnalysisResult | None:
    analysis: AnalysisResult | None = getattr(image, "analysis", None)
    return analysis


def annotated_image(image: ProductImage, *, size: str = "medium") -> SafeString:
    """The image with its analysis' defect boxes in an SVG laid exactly over it."""
    analysis = analysis_of(image)
    defects: list[DetectedDefect] = list(analysis.defects.all()) if analysis else []
    context = {
        "image": image,
        "url": image_url(image),
        "overlay": overlay(defects, image_width=image.width, image_height=image.height),
        "size": size,
    }
    html = render_to_string("imagineai_admin/includes/annotated_image.html", context)
    return mark_safe(html)  # noqa: S308 - the template escapes every value it inserts


def thumbnail(image: ProductImage) -> SafeString:
    return annotated_image(image, size="small")
