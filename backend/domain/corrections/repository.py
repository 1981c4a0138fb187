"""Queries over ``classification_corrections`` and ``custom_classifiers``, scoped to the seller."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from backend.domain.pagination import Page, PageRequest, paginate
from backend.shared.db.models import (
    ClassificationCorrection,
    CustomClassifier,
    ImageEmbedding,
    Product,
    ProductImage,
)


def _visible(owner_id: uuid.UUID) -> Select[ClassificationCorrection]:
    """The seller's corrections of images that are not deleted."""
    return (
        select(ClassificationCorrection)
        .join(ProductImage, ProductImage.id == ClassificationCorrection.product_image_id)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            ClassificationCorrection.user_id == owner_id,
            Product.user_id == owner_id,
            Product.deleted_at.is_(None),
            ProductImage.deleted_at.is_(None),
        )
    )


def get(
    session: Session, *, owner_id: uuid.UUID, image_id: uuid.UUID
) -> ClassificationCorrection | None:
    return session.scalar(
        select(ClassificationCorrection).where(
            ClassificationCorrection.user_id == owner_id,
            ClassificationCorrection.product_image_id == image_id,
        )
    )


def save(
    session: Session, *, owner_id: uuid.UUID, image_id: uuid.UUID, label: str
) -> ClassificationCorrection:
    correction = get(session, owner_id=owner_id, image_id=image_id)
    if correction is None:
        correction = ClassificationCorrection(
            user_id=owner_id, product_image_id=image_id, label=label
        )
        session.add(correction)
    correction.label = label
    session.flush()
    return correction


def remove(session: Session, correction: ClassificationCorrection) -> None:
    session.delete(correction)
    session.flush()


def list_for_owner(
    session: Session, *, owner_id: uuid.UUID, label: str | None, page: PageRequest
) -> Page[ClassificationCorrection]:
    query = _visible(owner_id)
    if label is not None:
        query = query.where(ClassificationCorrection.label == label)
    query = query.order_by(ClassificationCorrection.updated_at.desc(), ClassificationCorrection.id)
    return paginate(session, query, page)


def label_counts(session: Session, *, owner_id: uuid.UUID) -> dict[str, int]:
    subquery = _visible(owner_id).subquery()
    rows = session.execute(select(subquery.c.label, func.count()).group_by(subquery.c.label)).all()
    return {str(label): int(count) for label, count in rows}


def changed_since(session: Session, *, owner_id: uuid.UUID, when: datetime | None) -> int:
    query = _visible(owner_id)
    if when is not None:
        query = query.where(ClassificationCorrection.updated_at > when)
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


@dataclass(frozen=True, slots=True)
class TrainingRow:
    image_id: uuid.UUID
    label: str
    model_version: str
    dimensions: int
    vector: bytes


def training_rows(session: Session, *, owner_id: uuid.UUID) -> list[TrainingRow]:
    """Corrected images that have an embedding (analysed at least once)."""
    subquery = _visible(owner_id).subquery()
    rows = session.execute(
        select(
            subquery.c.product_image_id,
            subquery.c.label,
            ImageEmbedding.model_version,
            ImageEmbedding.dimensions,
            ImageEmbedding.vector,
        ).join(ImageEmbedding, ImageEmbedding.product_image_id == subquery.c.product_image_id)
    ).all()
    return [TrainingRow(*row) for row in rows]


def get_classifier(session: Session, *, owner_id: uuid.UUID) -> CustomClassifier | None:
    return session.scalar(select(CustomClassifier).where(CustomClassifier.user_id == owner_id))


def head_version(session: Session, *, owner_id: uuid.UUID) -> str | None:
    return session.scalar(
        select(CustomClassifier.version).where(CustomClassifier.user_id == owner_id)
    )


def save_classifier(
    session: Session,
    *,
    owner_id: uuid.UUID,
    version: str,
    labels: Sequence[str],
    parameters: bytes,
    example_count: int,
    metrics: dict[str, object],
    trained_at: datetime,
) -> CustomClassifier:
    classifier = get_classifier(session, owner_id=owner_id)
    if classifier is None:
        classifier = CustomClassifier(user_id=owner_id)
        session.add(classifier)
    classifier.version = version
    classifier.labels = list(labels)
    classifier.parameters = parameters
    classifier.example_count = example_count
    classifier.metrics = metrics
    classifier.trained_at = trained_at
    session.flush()
    return classifier


def delete_classifier(session: Session, *, owner_id: uuid.UUID) -> bool:
    result = session.execute(delete(CustomClassifier).where(CustomClassifier.user_id == owner_id))
    return bool(getattr(result, "rowcount", 0))
