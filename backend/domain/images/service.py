"""Product images: upload tickets, confirmation, direct uploads, primary image, deletion.

Only bytes that passed :func:`backend.shared.images.validate_image` are ever kept as
``uploaded``: headers and file names from the client are never trusted.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy.orm import Session

from backend.domain.errors import ConflictError, NotFoundError, error_for_status
from backend.domain.images import repository
from backend.domain.jobs import service as jobs_service
from backend.domain.jobs.dispatch import JobDispatcher
from backend.domain.products import service as products_service
from backend.shared.config import Settings
from backend.shared.db.enums import UploadStatus
from backend.shared.db.models import ProcessingJob, ProductImage
from backend.shared.db.types import utcnow
from backend.shared.filenames import with_extension
from backend.shared.images import (
    ALLOWED_CONTENT_TYPES,
    ImageValidationError,
    ValidatedImage,
    validate_image,
)
from backend.shared.storage.base import ImageStorage, PresignedUpload
from backend.shared.storage.factory import image_key, safe_filename

logger = structlog.get_logger(__name__)

COPY_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class UploadTicket:
    image: ProductImage
    upload: PresignedUpload


@dataclass(frozen=True, slots=True)
class StoredImage:
    image: ProductImage
    job: ProcessingJob | None


def create_upload_ticket(
    session: Session,
    storage: ImageStorage,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    product_id: uuid.UUID,
    filename: str,
    content_type: str,
    size_bytes: int,
) -> UploadTicket:
    """Reserve an image row and a short-lived URL that accepts exactly the announced file."""
    product = products_service.get_or_raise(session, owner_id=owner_id, product_id=product_id)
    content_type = content_type.strip().lower()
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise error_for_status(
            415,
            "unsupported_type",
            f"Only {', '.join(sorted(ALLOWED_CONTENT_TYPES))} images are accepted.",
        )
    if size_bytes > settings.max_upload_bytes:
        raise error_for_status(
            413, "too_large", f"Images may be at most {settings.max_upload_bytes} bytes."
        )
    image = _new_image_row(
        session,
        storage,
        owner_id=owner_id,
        product_id=product.id,
        filename=filename,
        content_type=content_type,
    )
    upload = storage.presign_upload(
        image.s3_key,
        content_type=content_type,
        size_bytes=size_bytes,
        expires_in_s=settings.upload_url_expire_seconds,
    )
    return UploadTicket(image=image, upload=upload)


def confirm_upload(
    session: Session,
    storage: ImageStorage,
    dispatcher: JobDispatcher,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    product_id: uuid.UUID,
    image_id: uuid.UUID,
) -> StoredImage:
    """Check what really arrived in storage, keep it only if valid, then queue its analysis."""
    image = get_or_raise(session, owner_id=owner_id, product_id=product_id, image_id=image_id)
    if image.upload_status == UploadStatus.UPLOADED:
        return StoredImage(image=image, job=None)
    if image.upload_status == UploadStatus.REJECTED:
        raise ConflictError("upload_rejected", "This upload was rejected; request a new one.")
    info = storage.head(image.s3_key)
    if info is None:
        raise ConflictError("upload_missing", "Nothing was uploaded for this image yet.")
    with tempfile.TemporaryDirectory(prefix="imagineai-confirm-") as folder:
        local_copy = Path(folder) / "upload"
        try:
            if info.size_bytes > settings.max_upload_bytes:
                raise ImageValidationError(
                    "too_large",
                    f"Images may be at most {settings.max_upload_bytes} bytes.",
                    http_status=413,
                )
            _download(storage, image.s3_key, local_copy)
            validated = validate_image(
                local_copy,
                max_bytes=settings.max_upload_bytes,
                max_pixels=settings.max_image_pixels,
            )
        except ImageValidationError as exc:
            _reject(session, storage, image, reason=exc.code)
            raise error_for_status(exc.http_status, exc.code, exc.message) from exc
    _mark_uploaded(session, image, validated)
    job = jobs_service.analyze_image(session, dispatcher, owner_id=owner_id, image=image)
    return StoredImage(image=image, job=job)


def upload_direct(
    session: Session,
    storage: ImageStorage,
    dispatcher: JobDispatcher,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    product_id: uuid.UUID,
    filename: str,
    spooled_file: Path,
) -> StoredImage:
    """Validate a file the API spooled to disk, stream it into storage, queue its analysis."""
    product = products_service.get_or_raise(session, owner_id=owner_id, product_id=product_id)
    try:
        validated = validate_image(
            spooled_file, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
        )
    except ImageValidationError as exc:
        raise error_for_status(exc.http_status, exc.code, exc.message) from exc
    image = _new_image_row(
        session,
        storage,
        owner_id=owner_id,
        product_id=product.id,
        filename=with_extension(safe_filename(filename), validated.format.file_extension),
        content_type=validated.content_type,
    )
    with spooled_file.open("rb") as stream:
        storage.put_stream(
            image.s3_key,
            stream,
            content_type=validated.content_type,
            max_bytes=settings.max_upload_bytes,
        )
    _mark_uploaded(session, image, validated)
    job = jobs_service.analyze_image(session, dispatcher, owner_id=owner_id, image=image)
    return StoredImage(image=image, job=job)


def get_or_raise(
    session: Session, *, owner_id: uuid.UUID, product_id: uuid.UUID, image_id: uuid.UUID
) -> ProductImage:
    image = repository.get_for_owner(
        session, owner_id=owner_id, image_id=image_id, product_id=product_id
    )
    if image is None:
        raise NotFoundError("image_not_found", "No such image.")
    return image


def list_for_product(
    session: Session, *, owner_id: uuid.UUID, product_id: uuid.UUID
) -> Sequence[ProductImage]:
    products_service.get_or_raise(session, owner_id=owner_id, product_id=product_id)
    return repository.list_for_product(session, owner_id=owner_id, product_id=product_id)


def set_primary(
    session: Session, *, owner_id: uuid.UUID, product_id: uuid.UUID, image_id: uuid.UUID
) -> ProductImage:
    image = get_or_raise(session, owner_id=owner_id, product_id=product_id, image_id=image_id)
    if image.upload_status != UploadStatus.UPLOADED:
        raise ConflictError("image_not_uploaded", "Only an uploaded image can be the primary one.")
    repository.set_primary(session, image)
    session.flush()
    return image


def delete(
    session: Session, *, owner_id: uuid.UUID, product_id: uuid.UUID, image_id: uuid.UUID
) -> None:
    """Hide the image at once; the clean-up task removes the row and the file later."""
    image = get_or_raise(session, owner_id=owner_id, product_id=product_id, image_id=image_id)
    was_primary = image.is_primary
    repository.soft_delete(session, image, when=utcnow())
    session.flush()
    if was_primary:
        successor = next(
            (
                other
                for other in repository.list_for_product(
                    session, owner_id=owner_id, product_id=product_id
                )
                if other.upload_status == UploadStatus.UPLOADED
            ),
            None,
        )
        if successor is not None:
            repository.set_primary(session, successor)
            session.flush()


@dataclass(frozen=True, slots=True)
class DownloadLink:
    url: str
    expires_at: datetime


def download_link_for_uploaded(
    storage: ImageStorage, settings: Settings, image: ProductImage
) -> DownloadLink:
    if image.upload_status != UploadStatus.UPLOADED:
        raise ConflictError("image_not_uploaded", "The image has not been uploaded yet.")
    return download_link(storage, settings, image)


def download_link(storage: ImageStorage, settings: Settings, image: ProductImage) -> DownloadLink:
    lifetime = settings.download_url_expire_seconds
    return DownloadLink(
        url=storage.presign_download(image.s3_key, expires_in_s=lifetime),
        expires_at=utcnow() + timedelta(seconds=lifetime),
    )


def _new_image_row(
    session: Session,
    storage: ImageStorage,
    *,
    owner_id: uuid.UUID,
    product_id: uuid.UUID,
    filename: str,
    content_type: str,
) -> ProductImage:
    image_id = uuid.uuid4()
    name = safe_filename(filename)
    image = ProductImage(
        id=image_id,
        product_id=product_id,
        s3_key=image_key(owner_id, product_id, image_id, name),
        s3_bucket=storage.bucket,
        original_filename=name,
        content_type=content_type,
        upload_status=UploadStatus.PENDING,
    )
    return repository.add(session, image)


def _mark_uploaded(session: Session, image: ProductImage, validated: ValidatedImage) -> None:
    image.upload_status = UploadStatus.UPLOADED
    image.content_type = validated.content_type
    image.original_filename = with_extension(
        image.original_filename, validated.format.file_extension
    )
    image.file_size_bytes = validated.size_bytes
    image.width = validated.width
    image.height = validated.height
    has_primary = any(
        other.is_primary
        for other in repository.list_for_product(
            session, owner_id=_owner_of(image), product_id=image.product_id
        )
        if other.id != image.id
    )
    if not has_primary:
        repository.set_primary(session, image)
    session.flush()


def _owner_of(image: ProductImage) -> uuid.UUID:
    return image.product.user_id


def _reject(session: Session, storage: ImageStorage, image: ProductImage, *, reason: str) -> None:
    """Nothing invalid is kept: drop the object, and record why (committed, as we then fail)."""
    storage.delete(image.s3_key)
    image.upload_status = UploadStatus.REJECTED
    session.commit()
    logger.info("upload_rejected", image_id=str(image.id), reason=reason)


def _download(storage: ImageStorage, key: str, target: Path) -> None:
    with target.open("wb") as handle:
        for chunk in storage.iter_chunks(key, chunk_size=COPY_CHUNK_BYTES):
            handle.write(chunk)
