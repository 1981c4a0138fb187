from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from fastapi import APIRouter, Request, status
from starlette.concurrency import run_in_threadpool

from backend.domain.images import service as images_service
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.images.presenters import image_public
from backend.fastapi_app.api.v1.images.schemas import (
    DownloadUrl,
    ImageList,
    ImagePublic,
    UploadTicketPublic,
    UploadTicketRequest,
)
from backend.fastapi_app.deps import (
    CurrentUser,
    DispatcherDep,
    SessionDep,
    SettingsDep,
    StorageDep,
)
from backend.fastapi_app.uploads import spool_file_field

router = APIRouter(prefix="/products/{product_id}/images", tags=["images"])

MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/upload-url",
    response_model=UploadTicketPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 404, 413, 415, 422),
)
def create_upload_url(
    product_id: uuid.UUID,
    body: UploadTicketRequest,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
) -> UploadTicketPublic:
    """A presigned URL for one PUT of the announced file straight to storage; then confirm."""
    ticket = images_service.create_upload_ticket(
        session,
        storage,
        settings,
        owner_id=user.id,
        product_id=product_id,
        filename=body.filename,
        content_type=body.content_type,
        size_bytes=body.size_bytes,
    )
    upload = ticket.upload
    return UploadTicketPublic(
        image_id=ticket.image.id,
        upload_url=upload.url,
        method="POST" if upload.method.upper() == "POST" else "PUT",
        headers=upload.headers,
        fields=upload.fields,
        expires_at=upload.expires_at,
    )


@router.post(
    "/{image_id}/confirm",
    response_model=ImagePublic,
    responses=problems(401, 404, 409, 413, 415, 422),
)
def confirm_upload(
    product_id: uuid.UUID,
    image_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
    dispatcher: DispatcherDep,
) -> ImagePublic:
    """Check the uploaded bytes (type, size, pixels) and queue the analysis."""
    stored = images_service.confirm_upload(
        session,
        storage,
        dispatcher,
        settings,
        owner_id=user.id,
        product_id=product_id,
        image_id=image_id,
    )
    return image_public(
        stored.image,
        storage=storage,
        settings=settings,
        job_id=stored.job.id if stored.job else None,
    )


@router.post(
    "",
    response_model=ImagePublic,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 404, 413, 415, 422),
    openapi_extra=MULTIPART_BODY,
)
async def upload_image(
    product_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
    dispatcher: DispatcherDep,
) -> ImagePublic:
    """Upload through the API (multipart field ``file``), streamed, then queue the analysis."""
    with tempfile.TemporaryDirectory(prefix="imagineai-upload-") as folder:
        spooled = await spool_file_field(
            request, field_name="file", max_bytes=settings.max_upload_bytes, folder=Path(folder)
        )
        stored = await run_in_threadpool(
            images_service.upload_direct,
            session,
            storage,
            dispatcher,
            settings,
            owner_id=user.id,
            product_id=product_id,
            filename=spooled.filename,
            spooled_file=spooled.path,
        )
    return image_public(
        stored.image,
        storage=storage,
        settings=settings,
        job_id=stored.job.id if stored.job else None,
    )


@router.get("", response_model=ImageList, responses=problems(401, 404, 422))
def list_images(
    product_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
) -> ImageList:
    images = images_service.list_for_product(session, owner_id=user.id, product_id=product_id)
    data = [image_public(image, storage=storage, settings=settings) for image in images]
    return ImageList(data=data, total=len(data))


@router.post(
    "/{image_id}/primary", response_model=ImagePublic, responses=problems(401, 404, 409, 422)
)
def set_primary_image(
    product_id: uuid.UUID,
    image_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
) -> ImagePublic:
    image = images_service.set_primary(
        session, owner_id=user.id, product_id=product_id, image_id=image_id
    )
    return image_public(image, storage=storage, settings=settings)


@router.delete(
    "/{image_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 404, 422)
)
def delete_image(
    product_id: uuid.UUID, image_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> None:
    images_service.delete(session, owner_id=user.id, product_id=product_id, image_id=image_id)


@router.get(
    "/{image_id}/download-url", response_model=DownloadUrl, responses=problems(401, 404, 409, 422)
)
def download_url(
    product_id: uuid.UUID,
    image_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
) -> DownloadUrl:
    image = images_service.get_or_raise(
        session, owner_id=user.id, product_id=product_id, image_id=image_id
    )
    link = images_service.download_link_for_uploaded(storage, settings, image)
    return DownloadUrl(url=link.url, expires_at=link.expires_at)
