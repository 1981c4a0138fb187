"""Products of a seller's catalogue."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.errors import InvalidInputError, NotFoundError
from backend.domain.pagination import Page, PageRequest
from backend.domain.products import repository
from backend.domain.products.repository import ProductFilter
from backend.shared.db.enums import AnalysisStatus, ProductStatus
from backend.shared.db.models import AnalysisResult, Product, ProductImage
from backend.shared.db.types import utcnow

EDITABLE_FIELDS = frozenset({"title", "description", "category", "subcategory", "metadata"})


def create(
    session: Session,
    *,
    owner_id: uuid.UUID,
    title: str,
    description: str = "",
    category: str | None = None,
    subcategory: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Product:
    product = Product(
        user_id=owner_id,
        title=title.strip(),
        description=description,
        category=category,
        subcategory=subcategory,
        metadata_=metadata or {},
    )
    return repository.add(session, product)


def get_or_raise(
    session: Session, *, owner_id: uuid.UUID, product_id: uuid.UUID, with_images: bool = False
) -> Product:
    product = repository.get_for_owner(
        session, owner_id=owner_id, product_id=product_id, with_images=with_images
    )
    if product is None:
        raise NotFoundError("product_not_found", "No such product.")
    return product


def list_for_owner(
    session: Session, *, owner_id: uuid.UUID, filters: ProductFilter, page: PageRequest
) -> Page[Product]:
    if filters.sort.lstrip("-") not in repository.SORTABLE_COLUMNS:
        raise InvalidInputError("invalid_sort", f"Cannot sort by {filters.sort!r}.")
    return repository.list_for_owner(session, owner_id=owner_id, filters=filters, page=page)


def update(
    session: Session, *, owner_id: uuid.UUID, product_id: uuid.UUID, changes: Mapping[str, Any]
) -> Product:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInputError("not_editable", f"Cannot change {', '.join(sorted(unknown))}.")
    product = get_or_raise(session, owner_id=owner_id, product_id=product_id)
    for name, value in changes.items():
        if name == "metadata":
            product.metadata_ = value or {}
        elif name == "title":
            product.title = str(value).strip()
        else:
            setattr(product, name, value)
    product.updated_at = utcnow()
    session.flush()
    return product


def delete(session: Session, *, owner_id: uuid.UUID, product_id: uuid.UUID) -> None:
    """Hide the product and its images at once; the clean-up task purges rows and files later."""
    product = get_or_raise(session, owner_id=owner_id, product_id=product_id)
    repository.soft_delete(session, product, when=utcnow())
    session.flush()


def refresh_status(session: Session, *, product_id: uuid.UUID) -> None:
    """Derive the product's status from its images' analyses."""
    statuses = set(
        session.scalars(
            select(AnalysisResult.status)
            .join(ProductImage, ProductImage.id == AnalysisResult.product_image_id)
            .where(ProductImage.product_id == product_id, ProductImage.deleted_at.is_(None))
        )
    )
    if statuses & {AnalysisStatus.PENDING, AnalysisStatus.PROCESSING}:
        status = ProductStatus.PROCESSING
    elif AnalysisStatus.COMPLETED in statuses:
        status = ProductStatus.ANALYZED
    elif AnalysisStatus.FAILED in statuses:
        status = ProductStatus.FAILED
    else:
        status = ProductStatus.DRAFT
    repository.set_status(session, product_id=product_id, status=status)
