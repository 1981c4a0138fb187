"""Bulk import: a ZIP of photos (with an optional CSV naming their products) or a CSV of image
URLs becomes products, images and one batch job analysing them all.

Nothing the upload says is trusted: archive entries pass the checks of :mod:`archive`, URLs
those of :mod:`fetch`, and every file the checks of :func:`validate_image` before it is
stored. A file that fails is skipped with its reason; the import fails only when nothing
could be imported or the archive itself is refused.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import structlog
from sqlalchemy.orm import Session

from backend.domain.errors import InvalidInputError
from backend.domain.images import repository as images_repository
from backend.domain.imports import archive as archive_reader
from backend.domain.imports.fetch import FetchError, FetchLimits, fetch_to_file
from backend.domain.imports.manifest import (
    FILENAME_COLUMNS,
    URL_COLUMNS,
    ManifestRow,
    ProductFields,
    parse,
    title_from_name,
)
from backend.domain.jobs import service as jobs_service
from backend.domain.jobs.dispatch import JobDispatcher
from backend.domain.products import service as products_service
from backend.domain.webhooks.outbound import DestinationPolicy, guarded_client
from backend.shared.config import Settings
from backend.shared.db.enums import JobType, UploadStatus
from backend.shared.db.models import ProcessingJob, Product, ProductImage
from backend.shared.images import ImageValidationError, ValidatedImage, validate_image
from backend.shared.storage.base import ImageStorage
from backend.shared.storage.factory import image_key, safe_filename

logger = structlog.get_logger(__name__)

MAPPING_NAMES = ("mapping.csv", "products.csv")
USER_AGENT = "ImagineAI-Import/1"
MAX_REPORTED_SKIPS = 20


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


@dataclass
class ImportReport:
    job: ProcessingJob | None = None
    products: list[Product] = field(default_factory=list)
    images: list[ProductImage] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    name: str  # a label: the archive path or the URL
    path: Path
    product: ProductFields | None


def import_zip(
    session: Session,
    storage: ImageStorage,
    dispatcher: JobDispatcher,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    archive_path: Path,
    archive_name: str,
) -> ImportReport:
    limits = archive_reader.ArchiveLimits(
        max_entries=settings.import_max_entries,
        max_uncompressed_bytes=settings.import_max_uncompressed_bytes,
        max_entry_bytes=settings.max_upload_bytes,
        max_compression_ratio=settings.import_max_compression_ratio,
    )
    skipped: list[Skipped] = []
    with (
        archive_reader.open_archive(archive_path) as archive,
        tempfile.TemporaryDirectory(prefix="imagineai-import-") as folder,
    ):
        infos = archive_reader.check_archive(archive, limits)
        mapping_info = _mapping_entry(infos)
        mapping: dict[str, ProductFields | None] = {}
        if mapping_info is not None:
            infos = [info for info in infos if info is not mapping_info]
            if mapping_info.file_size > settings.import_max_csv_bytes:
                raise InvalidInputError("csv_too_large", "The mapping CSV is too large.")
            rows = parse(
                archive.read(mapping_info),
                source_columns=FILENAME_COLUMNS,
                max_rows=settings.import_max_entries,
            )
            mapping = {row.source: row.product for row in rows}
        candidates = []
        for item in archive_reader.extract(archive, infos, Path(folder), limits):
            if isinstance(item, tuple):
                skipped.append(Skipped(*item))
                continue
            candidates.append(_Candidate(item.name, item.path, _mapped(item.name, mapping)))
        listed = (
            set(mapping)
            - {c.name for c in candidates}
            - {PurePosixPath(c.name).name for c in candidates}
        )
        skipped.extend(Skipped(name, "listed in the CSV but not in the archive") for name in listed)
        return _store(
            session,
            storage,
            dispatcher,
            settings,
            owner_id=owner_id,
            candidates=candidates,
            skipped=skipped,
            source={"kind": "zip", "name": archive_name[:255]},
        )


def _mapping_entry(infos: list[Any]) -> Any | None:
    root_csvs = [
        info
        for info in infos
        if "/" not in info.filename and info.filename.lower().endswith(".csv")
    ]
    if len(root_csvs) <= 1:
        return root_csvs[0] if root_csvs else None
    named = [info for info in root_csvs if info.filename.lower() in MAPPING_NAMES]
    if len(named) == 1:
        return named[0]
    raise InvalidInputError(
        "ambiguous_mapping", "Put one CSV at the archive's top level (mapping.csv)."
    )


def _mapped(name: str, mapping: dict[str, ProductFields | None]) -> ProductFields | None:
    if name in mapping:
        return mapping[name]
    return mapping.get(PurePosixPath(name).name)


def import_urls(
    session: Session,
    storage: ImageStorage,
    dispatcher: JobDispatcher,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    csv_path: Path,
) -> ImportReport:
    if csv_path.stat().st_size > settings.import_max_csv_bytes:
        raise InvalidInputError(
            "csv_too_large", f"The CSV may be at most {settings.import_max_csv_bytes} bytes."
        )
    rows = parse(
        csv_path.read_bytes(), source_columns=URL_COLUMNS, max_rows=settings.import_max_urls
    )
    if not rows:
        raise InvalidInputError("csv_empty", "The CSV lists no image URL.")
    limits = FetchLimits(
        policy=DestinationPolicy.from_cidrs(settings.import_allowed_networks, require_https=False),
        max_bytes=settings.max_upload_bytes,
        max_redirects=settings.import_url_max_redirects,
    )
    skipped: list[Skipped] = []
    with (
        tempfile.TemporaryDirectory(prefix="imagineai-import-") as folder,
        guarded_client(
            limits.policy,
            connect_timeout_s=settings.import_url_connect_timeout_seconds,
            read_timeout_s=settings.import_url_read_timeout_seconds,
            headers={"User-Agent": USER_AGENT, "Accept": "image/*"},
        ) as client,
    ):
        candidates = list(_downloaded(client, rows, Path(folder), limits, skipped))
        return _store(
            session,
            storage,
            dispatcher,
            settings,
            owner_id=owner_id,
            candidates=candidates,
            skipped=skipped,
            source={"kind": "urls", "rows": len(rows)},
        )


def _downloaded(
    client: Any,
    rows: Iterable[ManifestRow],
    folder: Path,
    limits: FetchLimits,
    skipped: list[Skipped],
) -> Iterable[_Candidate]:
    for index, row in enumerate(rows):
        target = folder / f"url-{index:05d}"
        try:
            fetch_to_file(client, row.source, target, limits)
        except FetchError as exc:
            skipped.append(Skipped(row.source, str(exc)))
            continue
        yield _Candidate(row.source, target, row.product)


def _store(
    session: Session,
    storage: ImageStorage,
    dispatcher: JobDispatcher,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    candidates: list[_Candidate],
    skipped: list[Skipped],
    source: dict[str, Any],
) -> ImportReport:
    report = ImportReport(skipped=skipped)
    products: dict[str, Product] = {}
    with_primary: set[str] = set()
    for candidate in candidates:
        try:
            validated = validate_image(
                candidate.path,
                max_bytes=settings.max_upload_bytes,
                max_pixels=settings.max_image_pixels,
            )
        except ImageValidationError as exc:
            report.skipped.append(Skipped(candidate.name, exc.message))
            continue
        fields = candidate.product or ProductFields(title=title_from_name(candidate.name))
        group = fields.title if candidate.product else f"file:{candidate.name}"
        product = products.get(group)
        if product is None:
            product = products_service.create(
                session,
                owner_id=owner_id,
                title=fields.title,
                description=fields.description,
                category=fields.category,
                metadata={"import": source},
            )
            products[group] = product
            report.products.append(product)
        image = _stored_image(session, storage, settings, owner_id, product, candidate, validated)
        if group not in with_primary:
            images_repository.set_primary(session, image)
            with_primary.add(group)
        report.images.append(image)
    if not report.images:
        reasons = "; ".join(f"{s.name}: {s.reason}" for s in report.skipped[:MAX_REPORTED_SKIPS])
        raise InvalidInputError(
            "nothing_imported", f"No image could be imported ({reasons or 'no files'})."
        )
    session.flush()
    job = jobs_service.create(
        session,
        owner_id=owner_id,
        images=report.images,
        job_type=JobType.BATCH,
        metadata={"import": source},
    )
    jobs_service.submit(session, dispatcher, job=job, image_ids=[i.id for i in report.images])
    report.job = job
    logger.info(
        "import_done",
        kind=source["kind"],
        products=len(report.products),
        images=len(report.images),
        skipped=len(report.skipped),
        job_id=str(job.id),
    )
    return report


def _stored_image(
    session: Session,
    storage: ImageStorage,
    settings: Settings,
    owner_id: uuid.UUID,
    product: Product,
    candidate: _Candidate,
    validated: ValidatedImage,
) -> ProductImage:
    image_id = uuid.uuid4()
    name = safe_filename(PurePosixPath(candidate.name.split("?", 1)[0]).name or "image")
    image = images_repository.add(
        session,
        ProductImage(
            id=image_id,
            product_id=product.id,
            s3_key=image_key(owner_id, product.id, image_id, name),
            s3_bucket=storage.bucket,
            original_filename=name,
            content_type=validated.content_type,
            file_size_bytes=validated.size_bytes,
            width=validated.width,
            height=validated.height,
            upload_status=UploadStatus.PENDING,
        ),
    )
    with candidate.path.open("rb") as stream:
        storage.put_stream(
            image.s3_key,
            stream,
            content_type=validated.content_type,
            max_bytes=settings.max_upload_bytes,
        )
    image.upload_status = UploadStatus.UPLOADED
    return image
