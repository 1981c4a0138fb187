"""Queries over ``product_images``, scoped through the owning product's ``user_id``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session, selectinload

from backend.shared.db.enums import UploadStatus
from backend.shared.db.models import Product, ProductImage


def _visible(owner_id: uuid.UUID) -> Select[ProductImage]:
    return (
        select(ProductImage)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            Product.user_id == owner_id,
            Product.deleted_at.is_(None),
            ProductImage.deleted_at.is_(None),
        )
    )


def get_for_owner(
    session: Session,
    *,
    owner_id: uuid.UUID,
    image_id: uuid.UUID,
    product_id: uuid.UUID | None = None,
) -> ProductImage | None:
    query = _visible(owner_id).where(ProductImage.id == image_id)
    if product_id is not None:
        query = query.where(ProductImage.product_id == product_id)
    return session.scalar(query.options(selectinload(ProductImage.analysis)))


def get(session: Session, *, image_id: uuid.UUID) -> ProductImage | None:
    """Unscoped lookup for workers, which act on ids the API already checked."""
    return session.get(ProductImage, image_id)


def list_for_product(
    session: Session, *, owner_id: uuid.UUID, product_id: uuid.UUID
) -> Sequence[ProductImage]:
    query = (
        _visible(owner_id)
        .where(ProductImage.product_id == product_id)
        .options(selectinload(ProductImage.analysis))
        .order_by(ProductImage.created_at, ProductImage.id)
    )
    return session.scalars(query).all()


def list_uploaded_for_owner(
    session: Session,
    *,
    owner_id: uuid.UUID,
    image_ids: Sequence[uuid.UUID] = (),
    product_ids: Sequence[uuid.UUID] = (),
) -> Sequence[ProductImage]:
    """Uploaded images of the owner among ``image_ids`` or of ``product_ids`` (all if neither)."""
    query = _visible(owner_id).where(ProductImage.upload_status == UploadStatus.UPLOADED)
    if image_ids and product_ids:
        query = query.where(
            ProductImage.id.in_(image_ids) | ProductImage.product_id.in_(product_ids)
        )
    elif image_ids:
        query = query.where(ProductImage.id.in_(image_ids))
    elif product_ids:
        query = query.where(ProductImage.product_id.in_(product_ids))
    return session.scalars(query.order_by(ProductImage.created_at, ProductImage.id)).all()


def add(session: Session, image: ProductImage) -> ProductImage:
    session.add(image)
    session.flush()
    return image


def set_primary(session: Session, image: ProductImage) -> None:
    session.execute(
        update(ProductImage)
        .where(ProductImage.product_id == image.product_id, ProductImage.id != image.id)
        .values(is_primary=False)
    )
    image.is_primary = True


def soft_delete(session: Session, image: ProductImage, *, when: datetime) -> None:
    image.deleted_at = when
    image.is_primary = False


def stale_pending_uploads(
    session: Session, *, created_before: datetime, limit: int
) -> Sequence[ProductImage]:
    """Upload tickets that were never confirmed."""
    return session.scalars(
        select(ProductImage)
        .where(
            ProductImage.upload_status == UploadStatus.PENDING,
            ProductImage.created_at <= created_before,
        )
        .limit(limit)
    ).all()


def purgeable(session: Session, *, deleted_before: datetime, limit: int) -> Sequence[ProductImage]:
    return session.scalars(
        select(ProductImage)
        .where(ProductImage.deleted_at.is_not(None), ProductImage.deleted_at <= deleted_before)
        .limit(limit)
    ).all()


def purge(session: Session, *, image_ids: Sequence[uuid.UUID]) -> None:
    session.execute(delete(ProductImage).where(ProductImage.id.in_(image_ids)))
