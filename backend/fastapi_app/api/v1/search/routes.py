from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from backend.domain.pagination import PageRequest
from backend.domain.search import duplicates
from backend.domain.search import service as search_service
from backend.domain.search.catalogue import CatalogueIndexes, get_catalogue_indexes
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.images.routes import MULTIPART_BODY
from backend.fastapi_app.api.v1.search.presenters import (
    cluster_public,
    duplicate_status_public,
    photo_query_public,
    similar_public,
)
from backend.fastapi_app.api.v1.search.schemas import (
    DuplicateClustersPublic,
    DuplicateStatusPublic,
    PhotoSearchPublic,
    ReindexPublic,
    SimilarImagesPublic,
)
from backend.fastapi_app.deps import CurrentUser, SessionDep, SettingsDep, StorageDep
from backend.fastapi_app.uploads import spool_file_field
from backend.shared.config import get_settings

router = APIRouter(tags=["search"])

MAX_RESULTS = 50


def _indexes() -> CatalogueIndexes:
    return get_catalogue_indexes(get_settings())


IndexesDep = Annotated[CatalogueIndexes, Depends(_indexes)]
ResultLimit = Annotated[int, Query(ge=1, le=MAX_RESULTS, description="Results wanted")]


@router.get(
    "/images/{image_id}/similar",
    response_model=SimilarImagesPublic,
    responses=problems(401, 404, 409, 422),
)
def similar_images(
    image_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    indexes: IndexesDep,
    storage: StorageDep,
    settings: SettingsDep,
    limit: ResultLimit = 10,
) -> SimilarImagesPublic:
    """The seller's images most like this one (409 until it is analysed)."""
    found = search_service.similar_to_image(
        session, indexes, owner_id=user.id, image_id=image_id, limit=limit
    )
    data = similar_public(found, storage=storage, settings=settings)
    return SimilarImagesPublic(data=data, total=len(data), limit=limit)


@router.post(
    "/search/by-image",
    response_model=PhotoSearchPublic,
    responses=problems(401, 413, 415, 422),
    openapi_extra=MULTIPART_BODY,
)
async def search_by_image(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    indexes: IndexesDep,
    storage: StorageDep,
    settings: SettingsDep,
    limit: ResultLimit = 10,
) -> PhotoSearchPublic:
    """Search the catalogue with a photo (multipart field ``file``); the photo is not kept."""
    with tempfile.TemporaryDirectory(prefix="imagineai-upload-") as folder:
        spooled = await spool_file_field(
            request, field_name="file", max_bytes=settings.max_upload_bytes, folder=Path(folder)
        )
        query, found = await run_in_threadpool(
            search_service.similar_to_photo,
            session,
            indexes,
            settings,
            owner_id=user.id,
            photo=spooled.path,
            limit=limit,
        )
    data = similar_public(found, storage=storage, settings=settings)
    return PhotoSearchPublic(
        query=photo_query_public(query), data=data, total=len(data), limit=limit
    )


@router.get("/duplicates", response_model=DuplicateClustersPublic, responses=problems(401, 422))
def list_duplicates(
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    include_kept: Annotated[
        bool, Query(description="Also list clusters whose duplicates were all kept")
    ] = False,
) -> DuplicateClustersPublic:
    """Clusters of near-duplicate images, newest first."""
    page = duplicates.clusters(
        session,
        owner_id=user.id,
        include_kept=include_kept,
        page=PageRequest(limit=limit, offset=offset),
    )
    return DuplicateClustersPublic(
        data=[cluster_public(item, storage=storage, settings=settings) for item in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/images/{image_id}/duplicate/keep",
    response_model=DuplicateStatusPublic,
    responses=problems(401, 404, 409, 422),
)
def keep_duplicate(
    image_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> DuplicateStatusPublic:
    """Keep this near-duplicate: it stays linked to the other image but leaves the review list."""
    analysis = duplicates.set_kept(session, owner_id=user.id, image_id=image_id, kept=True)
    return duplicate_status_public(analysis)


@router.delete(
    "/images/{image_id}/duplicate/keep",
    response_model=DuplicateStatusPublic,
    responses=problems(401, 404, 409, 422),
)
def unkeep_duplicate(
    image_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> DuplicateStatusPublic:
    """Undo "keep": the duplicate is listed for review again."""
    analysis = duplicates.set_kept(session, owner_id=user.id, image_id=image_id, kept=False)
    return duplicate_status_public(analysis)


@router.post("/search/reindex", response_model=ReindexPublic, responses=problems(401))
def reindex(session: SessionDep, user: CurrentUser, indexes: IndexesDep) -> ReindexPublic:
    """Rebuild your catalogue's search index from the stored embeddings (this API process)."""
    return ReindexPublic(vectors=search_service.rebuild_index(session, indexes, owner_id=user.id))
