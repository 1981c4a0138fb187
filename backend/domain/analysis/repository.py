"""Queries over ``analysis_results`` and its child rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from backend.shared.db.models import (
    AnalysisResult,
    DetectedDefect,
    ExtractedAttribute,
    Product,
    ProductImage,
)


def get_for_owner(
    session: Session, *, owner_id: uuid.UUID, image_id: uuid.UUID
) -> AnalysisResult | None:
    query = (
        select(AnalysisResult)
        .join(ProductImage, ProductImage.id == AnalysisResult.product_image_id)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            AnalysisResult.product_image_id == image_id,
            Product.user_id == owner_id,
            Product.deleted_at.is_(None),
            ProductImage.deleted_at.is_(None),
        )
        .options(selectinload(AnalysisResult.attributes), selectinload(AnalysisResult.defects))
    )
    return session.scalar(query)


def get_by_image(session: Session, *, image_id: uuid.UUID) -> AnalysisResult | None:
    return session.scalar(select(AnalysisResult).where(AnalysisResult.product_image_id == image_id))


def get_or_create_for_image(session: Session, *, image_id: uuid.UUID) -> AnalysisResult:
    """The image's one analysis row (1:1), created on first use."""
    existing = get_by_image(session, image_id=image_id)
    if existing is not None:
        return existing
    analysis = AnalysisResult(product_image_id=image_id)
    session.add(analysis)
    session.flush()
    return analysis


def replace_attributes(
    session: Session,
    *,
    analysis_id: uuid.UUID,
    names: Iterable[str],
    attributes: Iterable[ExtractedAttribute],
) -> None:
    """Swap the attributes called ``names`` for ``attributes``: a re-run never duplicates."""
    session.execute(
        delete(ExtractedAttribute).where(
            ExtractedAttribute.analysis_result_id == analysis_id,
            ExtractedAttribute.attribute_name.in_(list(names)),
        )
    )
    for attribute in attributes:
        attribute.analysis_result_id = analysis_id
        session.add(attribute)


def replace_defects(
    session: Session, *, analysis_id: uuid.UUID, defects: Iterable[DetectedDefect]
) -> None:
    session.execute(delete(DetectedDefect).where(DetectedDefect.analysis_result_id == analysis_id))
    for defect in defects:
        defect.analysis_result_id = analysis_id
        session.add(defect)
