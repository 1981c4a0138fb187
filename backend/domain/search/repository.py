"""Queries over ``image_embeddings`` and the duplicate links of ``analysis_results``."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session, selectinload

from backend.shared.db.models import AnalysisResult, ImageEmbedding, Product, ProductImage

_SelectT = TypeVar("_SelectT", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class VersionStats:
    model_version: str
    count: int
    last_updated: datetime | None


def get_embedding(session: Session, *, image_id: uuid.UUID) -> ImageEmbedding | None:
    return session.scalar(select(ImageEmbedding).where(ImageEmbedding.product_image_id == image_id))


def embeddings_for(
    session: Session, *, image_ids: Collection[uuid.UUID]
) -> Sequence[ImageEmbedding]:
    if not image_ids:
        return []
    return session.scalars(
        select(ImageEmbedding).where(ImageEmbedding.product_image_id.in_(list(image_ids)))
    ).all()


def save_embedding(
    session: Session,
    *,
    image_id: uuid.UUID,
    user_id: uuid.UUID,
    model_version: str,
    vector: bytes,
    dimensions: int,
    perceptual_hash: str,
) -> ImageEmbedding:
    """One row per image: a re-analysis overwrites it."""
    row = get_embedding(session, image_id=image_id)
    if row is None:
        row = ImageEmbedding(product_image_id=image_id, user_id=user_id)
        session.add(row)
    row.model_version = model_version
    row.vector = vector
    row.dimensions = dimensions
    row.perceptual_hash = perceptual_hash
    session.flush()
    return row


def version_stats(session: Session, *, user_id: uuid.UUID) -> list[VersionStats]:
    """Rows per model version and the newest change: the cheap check before each search."""
    rows = session.execute(
        select(
            ImageEmbedding.model_version,
            func.count(),
            func.max(ImageEmbedding.updated_at),
        )
        .where(ImageEmbedding.user_id == user_id)
        .group_by(ImageEmbedding.model_version)
    ).all()
    return [VersionStats(str(version), int(count), last) for version, count, last in rows]


def vectors(
    session: Session,
    *,
    user_id: uuid.UUID,
    model_versions: Collection[str],
    changed_since: datetime | None = None,
    image_ids: Collection[uuid.UUID] | None = None,
) -> Sequence[Row[uuid.UUID, bytes, int, datetime]]:
    query = select(
        ImageEmbedding.product_image_id,
        ImageEmbedding.vector,
        ImageEmbedding.dimensions,
        ImageEmbedding.updated_at,
    ).where(
        ImageEmbedding.user_id == user_id,
        ImageEmbedding.model_version.in_(list(model_versions)),
    )
    if changed_since is not None:
        query = query.where(ImageEmbedding.updated_at >= changed_since)
    if image_ids is not None:
        query = query.where(ImageEmbedding.product_image_id.in_(list(image_ids)))
    return session.execute(query).all()


def image_ids(
    session: Session, *, user_id: uuid.UUID, model_versions: Collection[str]
) -> set[uuid.UUID]:
    return set(
        session.scalars(
            select(ImageEmbedding.product_image_id).where(
                ImageEmbedding.user_id == user_id,
                ImageEmbedding.model_version.in_(list(model_versions)),
            )
        )
    )


def hashes(session: Session, *, image_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not image_ids:
        return {}
    rows = session.execute(
        select(ImageEmbedding.product_image_id, ImageEmbedding.perceptual_hash).where(
            ImageEmbedding.product_image_id.in_(list(image_ids))
        )
    ).all()
    return {image_id: value for image_id, value in rows if value}


def visible_created_at(
    session: Session, *, owner_id: uuid.UUID, image_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, datetime]:
    """When each of the owner's visible images among ``image_ids`` was uploaded (the duplicate
    check needs no more, and loading whole images with their analyses cost it ~6 ms a photo)."""
    if not image_ids:
        return {}
    query = select(ProductImage.id, ProductImage.created_at)
    rows = session.execute(_visible(query, owner_id=owner_id, image_ids=image_ids)).all()
    return dict(rows)


def visible_images(
    session: Session, *, owner_id: uuid.UUID, image_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, ProductImage]:
    """The owner's images among ``image_ids`` that are not deleted (nor their product)."""
    if not image_ids:
        return {}
    query = select(ProductImage).options(
        selectinload(ProductImage.product),
        selectinload(ProductImage.analysis).selectinload(AnalysisResult.defects),
    )
    rows = session.scalars(_visible(query, owner_id=owner_id, image_ids=image_ids)).all()
    return {image.id: image for image in rows}


def _visible(query: _SelectT, *, owner_id: uuid.UUID, image_ids: Collection[uuid.UUID]) -> _SelectT:
    """``query`` narrowed to the owner's images among ``image_ids`` that are not deleted (nor
    their product)."""
    return query.join(Product, Product.id == ProductImage.product_id).where(
        ProductImage.id.in_(list(image_ids)),
        Product.user_id == owner_id,
        Product.deleted_at.is_(None),
        ProductImage.deleted_at.is_(None),
    )


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    image_id: uuid.UUID
    duplicate_of_image_id: uuid.UUID
    kept: bool


def duplicate_links(session: Session, *, owner_id: uuid.UUID) -> list[DuplicateLink]:
    """Every analysis of the owner's visible images that points at another image."""
    rows = session.execute(
        select(
            AnalysisResult.product_image_id,
            AnalysisResult.duplicate_of_image_id,
            AnalysisResult.duplicate_kept_at,
        )
        .join(ProductImage, ProductImage.id == AnalysisResult.product_image_id)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            AnalysisResult.duplicate_of_image_id.is_not(None),
            Product.user_id == owner_id,
            Product.deleted_at.is_(None),
            ProductImage.deleted_at.is_(None),
        )
    ).all()
    return [
        DuplicateLink(image_id=image_id, duplicate_of_image_id=other, kept=kept_at is not None)
        for image_id, other, kept_at in rows
        if other is not None
    ]
