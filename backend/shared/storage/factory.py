"""Pick the storage adapter from settings, and build the keys objects are stored under."""

from __future__ import annotations

import threading
import uuid

from backend.shared.config import Settings
from backend.shared.filenames import safe_filename
from backend.shared.storage.base import ImageStorage
from backend.shared.storage.local import LocalImageStorage
from backend.shared.storage.s3 import S3ImageStorage

__all__ = ["clear_storage_cache", "get_storage", "image_key", "safe_filename"]

_cache: dict[tuple[object, ...], ImageStorage] = {}
_cache_lock = threading.Lock()


def get_storage(settings: Settings) -> ImageStorage:
    """The adapter ``settings.storage_backend`` names, built once per distinct configuration
    (an S3 client is costly to build and safe to share between threads)."""
    cache_key = _configuration(settings)
    with _cache_lock:
        storage = _cache.get(cache_key)
        if storage is None:
            storage = _build(settings)
            _cache[cache_key] = storage
        return storage


def clear_storage_cache() -> None:
    """Forget built adapters (tests that change settings call this)."""
    with _cache_lock:
        _cache.clear()


def image_key(
    user_id: uuid.UUID | str,
    product_id: uuid.UUID | str,
    image_id: uuid.UUID | str,
    original_filename: str,
) -> str:
    """``users/<user_id>/products/<product_id>/<image_id>/<safe original name>``.

    The ids must be UUIDs (a ``ValueError`` otherwise), so only the file name is free text,
    and that goes through :func:`safe_filename`.
    """
    return (
        f"users/{_uuid(user_id)}/products/{_uuid(product_id)}/{_uuid(image_id)}/"
        f"{safe_filename(original_filename)}"
    )


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _build(settings: Settings) -> ImageStorage:
    if settings.storage_backend == "s3":
        return S3ImageStorage.from_settings(settings)
    return LocalImageStorage.from_settings(settings)


def _configuration(settings: Settings) -> tuple[object, ...]:
    if settings.storage_backend == "s3":
        return (
            "s3",
            settings.s3_bucket,
            settings.s3_endpoint_url,
            settings.s3_public_endpoint_url,
            settings.s3_region,
        )
    return (
        "local",
        settings.storage_dir.resolve(),
        settings.public_base_url,
        settings.signing_secret,
    )
