"""The signed upload and download URLs of the local image store (embedded mode).

With S3 the browser talks to S3 directly and these routes answer 404.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from backend.domain.errors import (
    DomainError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    UnsupportedMediaTypeError,
)
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.deps import SettingsDep, StorageDep
from backend.shared.storage.base import ImageStorage, UploadTooLargeError
from backend.shared.storage.local import LocalImageStorage, UploadSizeMismatchError
from backend.shared.storage.tokens import (
    ContentTypeMismatchError,
    ExpiredTokenError,
    SignedUrlError,
    verify_download_token,
    verify_upload_token,
)

router = APIRouter(prefix="/storage", tags=["storage"])

RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _local(storage: ImageStorage) -> LocalImageStorage:
    if not isinstance(storage, LocalImageStorage):
        raise NotFoundError("not_found", "This server stores images in S3.")
    return storage


def _token_error(exc: SignedUrlError) -> DomainError:
    if isinstance(exc, ExpiredTokenError):
        return PermissionDeniedError("url_expired", str(exc))
    if isinstance(exc, ContentTypeMismatchError):
        return UnsupportedMediaTypeError("content_type_mismatch", str(exc))
    return PermissionDeniedError("url_invalid", str(exc))


@router.put(
    "/upload/{token}",
    status_code=status.HTTP_200_OK,
    responses=problems(400, 403, 404, 413, 415),
    openapi_extra=RAW_BODY,
)
async def upload_object(
    token: str, request: Request, storage: StorageDep, settings: SettingsDep
) -> Response:
    """Receive the bytes of a presigned upload: exactly the signed size and content type."""
    local = _local(storage)
    try:
        grant = verify_upload_token(
            token, secret=settings.signing_secret, content_type=request.headers.get("content-type")
        )
    except SignedUrlError as exc:
        raise _token_error(exc) from exc
    with tempfile.TemporaryDirectory(prefix="imagineai-upload-") as folder:
        spooled = Path(folder) / "body"
        received = 0
        with spooled.open("wb") as handle:
            async for chunk in request.stream():
                received += len(chunk)
                if received > grant.size_bytes:
                    raise PayloadTooLargeError(
                        "size_mismatch", f"This URL accepts exactly {grant.size_bytes} bytes."
                    )
                handle.write(chunk)
        try:
            with spooled.open("rb") as body:
                await run_in_threadpool(local.receive_upload, grant, body)
        except UploadTooLargeError as exc:
            raise PayloadTooLargeError("size_mismatch", str(exc)) from exc
        except UploadSizeMismatchError as exc:
            raise InvalidInputError("size_mismatch", str(exc)) from exc
    return Response(status_code=status.HTTP_200_OK)


@router.get(
    "/download/{token}",
    response_class=FileResponse,
    responses={200: {"content": {"image/*": {}}}, **problems(403, 404)},
)
def download_object(token: str, storage: StorageDep, settings: SettingsDep) -> FileResponse:
    """Serve a stored image through a signed, expiring URL."""
    local = _local(storage)
    try:
        grant = verify_download_token(token, secret=settings.signing_secret)
    except SignedUrlError as exc:
        raise _token_error(exc) from exc
    info = local.head(grant.key)
    if info is None:
        raise NotFoundError("object_not_found", "The image no longer exists.")
    return FileResponse(
        local.path_for(grant.key),
        media_type=info.content_type or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
