from __future__ import annotations

from backend.fastapi_app.api.v1.images.presenters import image_public
from backend.fastapi_app.api.v1.products.schemas import ProductDetail, ProductPublic
from backend.shared.config import Settings
from backend.shared.db.enums import UploadStatus
from backend.shared.db.models import Product
from backend.shared.storage.base import ImageStorage


def product_public(product: Product, *, storage: ImageStorage, settings: Settings) -> ProductPublic:
    visible = [
        image
        for image in product.images
        if image.deleted_at is None and image.upload_status == UploadStatus.UPLOADED
    ]
    primary = next((image for image in visible if image.is_primary), None)
    return ProductPublic(
        id=product.id,
        title=product.title,
        description=product.description,
        category=product.category,
        subcategory=product.subcategory,
        ai_description=product.ai_description,
        status=product.status,
        metadata=product.metadata_,
        image_count=len(visible),
        primary_image=image_public(primary, storage=storage, settings=settings)
        if primary
        else None,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def product_detail(product: Product, *, storage: ImageStorage, settings: Settings) -> ProductDetail:
    summary = product_public(product, storage=storage, settings=settings)
    images = [
        image_public(image, storage=storage, settings=settings)
        for image in product.images
        if image.deleted_at is None and image.upload_status != UploadStatus.REJECTED
    ]
    return ProductDetail(**summary.model_dump(), images=images)
