from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from backend.domain.analysis import describe
from backend.domain.pagination import PageRequest
from backend.domain.products import service as products_service
from backend.domain.products.repository import ProductFilter
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.products.presenters import product_detail, product_public
from backend.fastapi_app.api.v1.products.schemas import (
    DescriptionRequest,
    ProductCreate,
    ProductDetail,
    ProductPublic,
    ProductSort,
    ProductsPublic,
    ProductStatusFilter,
    ProductUpdate,
)
from backend.fastapi_app.deps import CurrentUser, SessionDep, SettingsDep, StorageDep

router = APIRouter(prefix="/products", tags=["products"])


PRODUCT_LINKS = {
    name: {"operationId": operation, "parameters": {"product_id": "$response.body#/id"}}
    for name, operation in {
        "GetProduct": "get_product",
        "UpdateProduct": "update_product",
        "DeleteProduct": "delete_product",
        "RegenerateDescription": "regenerate_description",
        "ListImages": "list_images",
        "CreateUploadUrl": "create_upload_url",
    }.items()
}


@router.post(
    "",
    response_model=ProductPublic,
    status_code=status.HTTP_201_CREATED,
    responses={201: {"description": "Created", "links": PRODUCT_LINKS}, **problems(401, 422)},
)
def create_product(
    body: ProductCreate,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
) -> ProductPublic:
    product = products_service.create(
        session,
        owner_id=user.id,
        title=body.title,
        description=body.description,
        category=body.category,
        subcategory=body.subcategory,
        metadata=body.metadata,
    )
    return product_public(product, storage=storage, settings=settings)


@router.get("", response_model=ProductsPublic, responses=problems(401, 422))
def list_products(
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    status_filter: Annotated[ProductStatusFilter | None, Query(alias="status")] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the title")] = None,
    sort: ProductSort = "-created_at",
) -> ProductsPublic:
    page = products_service.list_for_owner(
        session,
        owner_id=user.id,
        filters=ProductFilter(status=status_filter, category=category, search=q, sort=sort),
        page=PageRequest(limit=limit, offset=offset),
    )
    return ProductsPublic(
        data=[product_public(p, storage=storage, settings=settings) for p in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{product_id}", response_model=ProductDetail, responses=problems(401, 404, 422))
def get_product(
    product_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
) -> ProductDetail:
    product = products_service.get_or_raise(
        session, owner_id=user.id, product_id=product_id, with_images=True
    )
    return product_detail(product, storage=storage, settings=settings)


@router.patch("/{product_id}", response_model=ProductPublic, responses=problems(401, 404, 422))
def update_product(
    product_id: uuid.UUID,
    body: ProductUpdate,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
) -> ProductPublic:
    product = products_service.update(
        session,
        owner_id=user.id,
        product_id=product_id,
        changes=body.model_dump(exclude_unset=True),
    )
    return product_public(product, storage=storage, settings=settings)


@router.delete(
    "/{product_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 404, 422)
)
def delete_product(product_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> None:
    products_service.delete(session, owner_id=user.id, product_id=product_id)


@router.post(
    "/{product_id}/description",
    response_model=ProductPublic,
    responses=problems(401, 404, 422, 503),
)
def regenerate_description(
    product_id: uuid.UUID,
    body: DescriptionRequest,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
) -> ProductPublic:
    """Write the product's listing description again, with the given tone, length and language."""
    product = describe.regenerate_for_product(
        session,
        owner_id=user.id,
        product_id=product_id,
        settings=settings,
        storage=storage,
        tone=body.tone,
        length=body.length,
        language=body.language,
    )
    return product_public(product, storage=storage, settings=settings)
