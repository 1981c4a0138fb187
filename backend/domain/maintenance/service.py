"""Scheduled housekeeping: abandoned uploads, purges after soft delete, expired tokens."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.domain.images import repository as images_repository
from backend.domain.products import repository as products_repository
from backend.shared.config import Settings
from backend.shared.db.models import RefreshToken, WorkerHeartbeat
from backend.shared.db.types import utcnow
from backend.shared.storage.base import ImageStorage, StorageError

logger = structlog.get_logger(__name__)

PURGE_BATCH = 500
TEMP_PREFIXES = ("imagineai-upload-", "imagineai-confirm-")
TEMP_MAX_AGE_S = 24 * 3600


@dataclass(frozen=True, slots=True)
class CleanupReport:
    abandoned_uploads: int
    purged_products: int
    purged_images: int
    expired_tokens: int
    temp_dirs: int


def cleanup(
    session: Session, storage: ImageStorage, settings: Settings, *, now: datetime | None = None
) -> CleanupReport:
    now = now or utcnow()
    abandoned = images_repository.stale_pending_uploads(
        session,
        created_before=now - timedelta(hours=settings.unconfirmed_upload_max_age_hours),
        limit=PURGE_BATCH,
    )
    retention_cutoff = now - timedelta(days=settings.deleted_retention_days)
    products = products_repository.purgeable(
        session, deleted_before=retention_cutoff, limit=PURGE_BATCH
    )
    images = images_repository.purgeable(
        session, deleted_before=retention_cutoff, limit=PURGE_BATCH
    )
    keys = {image.s3_key for image in abandoned} | {image.s3_key for image in images}
    keys |= {image.s3_key for product in products for image in product.images}
    failed_keys = _delete_objects(storage, keys)
    # Rows whose file could not be deleted stay, so the next run tries again.
    images_repository.purge(
        session,
        image_ids=[i.id for i in [*abandoned, *images] if i.s3_key not in failed_keys],
    )
    products_repository.purge(
        session,
        product_ids=[p.id for p in products if not {i.s3_key for i in p.images} & failed_keys],
    )
    expired = session.execute(delete(RefreshToken).where(RefreshToken.expires_at <= now))
    session.commit()
    report = CleanupReport(
        abandoned_uploads=len(abandoned),
        purged_products=len(products),
        purged_images=len(images),
        expired_tokens=int(getattr(expired, "rowcount", 0) or 0),
        temp_dirs=_remove_stale_temp_dirs(),
    )
    logger.info("cleanup", **asdict(report))
    return report


def _delete_objects(storage: ImageStorage, keys: set[str]) -> set[str]:
    failed: set[str] = set()
    for key in keys:
        try:
            storage.delete(key)
        except StorageError as exc:
            logger.warning("cleanup_delete_failed", key=key, error=str(exc))
            failed.add(key)
    return failed


def _remove_stale_temp_dirs() -> int:
    """Upload spool folders left by a process that died mid-request."""
    removed = 0
    cutoff = time.time() - TEMP_MAX_AGE_S
    for folder in Path(tempfile.gettempdir()).iterdir():
        if folder.name.startswith(TEMP_PREFIXES) and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def record_heartbeat(
    session: Session, *, worker_name: str, details: dict[str, Any], now: datetime | None = None
) -> None:
    now = now or utcnow()
    heartbeat = session.scalar(
        select(WorkerHeartbeat).where(WorkerHeartbeat.worker_name == worker_name)
    )
    if heartbeat is None:
        session.add(WorkerHeartbeat(worker_name=worker_name, last_seen_at=now, details=details))
    else:
        heartbeat.last_seen_at = now
        heartbeat.details = details
    session.commit()


def latest_heartbeat(session: Session) -> WorkerHeartbeat | None:
    return session.scalar(
        select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen_at.desc()).limit(1)
    )
