"""Queries over ``products``; every query is scoped to the owner and hides soft-deleted rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from backend.domain.pagination import Page, PageRequest, paginate
from backend.shared.db.models import Product, ProductImage

SORTABLE_COLUMNS = {
    "created_at": Product.created_at,
    "updated_at": Product.updated_at,
    "title": Product.title,
}


@dataclass(frozen=True, slots=True)
class ProductFilter:
    status: str | None = None
    category: str | None = None
    search: str | None = None
    sort: str = "-created_at"


def _visible(owner_id: uuid.UUID) -> Select[Product]:
    return select(Product).where(Product.user_id == owner_id, Product.deleted_at.is_(None))


def get_for_owner(
    session: Session, *, owner_id: uuid.UUID, product_id: uuid.UUID, with_images: bool = False
) -> Product | None:
    query = _visible(owner_id).where(Product.id == product_id)
    if with_images:
        query = query.options(selectinload(Product.images).selectinload(ProductImage.analysis))
    return session.scalar(query)


def list_for_owner(
    session: Session, *, owner_id: uuid.UUID, filters: ProductFilter, page: PageRequest
) -> Page[Product]:
    query = _visible(owner_id)
    if filters.status:
        query = query.where(Product.status == filters.status)
    if filters.category:
        query = query.where(Product.category == filters.category)
    if filters.search:
        for word in filters.search.lower().split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(func.lower(Product.title).like(f"%{escaped}%", escape="\\"))
    descending = filters.sort.startswith("-")
    column = SORTABLE_COLUMNS[filters.sort.lstrip("-")]
    query = query.order_by(column.desc() if descending else column.asc(), Product.id)
    return paginate(session, query, page)


def add(session: Session, product: Product) -> Product:
    session.add(product)
    session.flush()
    return product


def set_status(session: Session, *, product_id: uuid.UUID, status: str) -> None:
    session.execute(update(Product).where(Product.id == product_id).values(status=status))


def soft_delete(session: Session, product: Product, *, when: datetime) -> None:
    product.deleted_at = when
    session.execute(
        update(ProductImage)
        .where(ProductImage.product_id == product.id, ProductImage.deleted_at.is_(None))
        .values(deleted_at=when)
    )


def purgeable(session: Session, *, deleted_before: datetime, limit: int) -> Sequence[Product]:
    return session.scalars(
        select(Product)
        .where(Product.deleted_at.is_not(None), Product.deleted_at <= deleted_before)
        .options(selectinload(Product.images))
        .limit(limit)
    ).all()


def purge(session: Session, *, product_ids: Sequence[uuid.UUID]) -> None:
    session.execute(delete(Product).where(Product.id.in_(product_ids)))
