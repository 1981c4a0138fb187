"""Listing descriptions from the stored analysis of an image (worker step and API regenerate)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session, selectinload

from backend.domain.analysis import repository
from backend.domain.analysis.recording import DEFECT_STEP_ATTRIBUTES
from backend.domain.errors import ConflictError, InvalidInputError, ServiceUnavailableError
from backend.domain.products import service as products_service
from backend.ml.description_generator import generate_description
from backend.ml.description_types import (
    AttributeFact,
    DefectFact,
    DescriptionOptions,
    DescriptionPermanentError,
    DescriptionTransientError,
    GeneratedDescription,
    Length,
    ProductFacts,
    Tone,
)
from backend.ml.description_types import ProductImage as PhotoForModel
from backend.shared.config import Settings
from backend.shared.db.models import AnalysisResult, Product, ProductImage
from backend.shared.storage.base import ImageStorage


def facts_for(
    product: Product, analysis: AnalysisResult | None, *, photo: PhotoForModel | None = None
) -> ProductFacts:
    if analysis is None:
        return ProductFacts(title=product.title, seller_notes=product.description, image=photo)
    scores = analysis.classification_scores or {}
    condition = next(
        (a for a in analysis.attributes if a.attribute_name in DEFECT_STEP_ATTRIBUTES), None
    )
    return ProductFacts(
        title=product.title,
        seller_notes=product.description,
        category=scores.get("category"),
        subcategory=scores.get("subcategory"),
        category_confidence=analysis.classification_confidence or 0.0,
        attributes=tuple(
            AttributeFact(name=a.attribute_name, value=a.attribute_value, confidence=a.confidence)
            for a in analysis.attributes
            if a.attribute_name not in DEFECT_STEP_ATTRIBUTES
        ),
        defects=tuple(
            DefectFact(defect_type=d.defect_type, severity=d.severity, confidence=d.confidence)
            for d in analysis.defects
        ),
        condition=condition.attribute_value if condition else None,
        condition_confidence=condition.confidence if condition else 1.0,
        image=photo,
    )


def describe_image(
    session: Session,
    *,
    image_id: uuid.UUID,
    settings: Settings,
    storage: ImageStorage | None = None,
    options: DescriptionOptions | None = None,
) -> GeneratedDescription:
    """Write the image's description; the primary image's text becomes the product's."""
    image = session.get(
        ProductImage,
        image_id,
        options=[selectinload(ProductImage.product), selectinload(ProductImage.analysis)],
    )
    if image is None:
        raise ConflictError("image_not_found", "The image no longer exists.")
    analysis = repository.get_or_create_for_image(session, image_id=image_id)
    photo = _photo_for_model(image, settings=settings, storage=storage)
    generated = generate_description(
        facts_for(image.product, analysis, photo=photo), options, settings
    )
    analysis.description_text = generated.description
    analysis.description_model = generated.model
    if image.is_primary or image.product.ai_description is None:
        apply_to_product(image.product, generated)
    return generated


def apply_to_product(product: Product, generated: GeneratedDescription) -> None:
    product.ai_description = generated.description
    listing: dict[str, Any] = {
        "title_suggestion": generated.title_suggestion,
        "highlights": list(generated.highlights),
        "seo_keywords": list(generated.seo_keywords),
        "language": generated.language,
        "model": generated.model,
    }
    product.metadata_ = {**(product.metadata_ or {}), "ai_listing": listing}


def is_transient_provider_error(exc: BaseException) -> bool:
    return isinstance(exc, DescriptionTransientError)


def _photo_for_model(
    image: ProductImage, *, settings: Settings, storage: ImageStorage | None
) -> PhotoForModel | None:
    sends_image = (settings.description_provider == "bedrock" and settings.bedrock_send_image) or (
        settings.description_provider == "openai" and settings.openai_send_image
    )
    if not sends_image or storage is None:
        return None
    data = storage.read_bytes(image.s3_key, max_bytes=settings.max_upload_bytes)
    return PhotoForModel(data=data, media_type=image.content_type)


def regenerate_for_product(
    session: Session,
    *,
    owner_id: uuid.UUID,
    product_id: uuid.UUID,
    settings: Settings,
    storage: ImageStorage,
    tone: str,
    length: str,
    language: str,
) -> Product:
    """Rewrite the product's description now, from its primary image's analysis if it has one."""
    try:
        options = DescriptionOptions(tone=Tone(tone), length=Length(length), language=language)
    except ValueError as exc:
        raise InvalidInputError("invalid_description_options", str(exc)) from exc
    try:
        return _regenerate(
            session,
            owner_id=owner_id,
            product_id=product_id,
            settings=settings,
            storage=storage,
            options=options,
        )
    except DescriptionTransientError as exc:
        raise ServiceUnavailableError(
            "description_provider_unavailable", f"The description service is busy: {exc}"
        ) from exc
    except DescriptionPermanentError as exc:
        raise InvalidInputError("description_failed", str(exc)) from exc


def _regenerate(
    session: Session,
    *,
    owner_id: uuid.UUID,
    product_id: uuid.UUID,
    settings: Settings,
    storage: ImageStorage,
    options: DescriptionOptions,
) -> Product:
    product = products_service.get_or_raise(
        session, owner_id=owner_id, product_id=product_id, with_images=True
    )
    primary = next(
        (image for image in product.images if image.is_primary and image.deleted_at is None), None
    )
    if primary is not None and primary.analysis is not None:
        describe_image(
            session, image_id=primary.id, settings=settings, storage=storage, options=options
        )
    else:
        apply_to_product(product, generate_description(facts_for(product, None), options, settings))
    session.flush()
    return product
