"""The image storage interface shared by the S3 and local-filesystem adapters.

Callers (API, workers, admin) only see :class:`ImageStorage`; the adapter is chosen from
settings at start-up by :func:`backend.shared.storage.factory.get_storage`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Protocol, runtime_checkable


class StorageError(Exception):
    """A storage operation failed; the base class itself means a reason that may pass
    (network, throttling), its subclasses name the permanent ones."""


class ObjectNotFoundError(StorageError):
    """The requested key does not exist in the bucket."""


class UploadTooLargeError(StorageError):
    """A streamed upload went past the byte limit it was given; nothing was kept."""


class ObjectTooLargeError(StorageError):
    """An object is larger than the caller agreed to read into memory."""


class InvalidObjectKeyError(ValueError):
    """A key that could escape its folder or is not a clean relative path; never retried."""


@dataclass(frozen=True, slots=True)
class PresignedUpload:
    """Everything a browser needs to send the bytes straight to storage."""

    url: str
    method: str
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size_bytes: int
    content_type: str | None
    last_modified: datetime | None


@runtime_checkable
class ImageStorage(Protocol):
    """Where image bytes live. Keys are produced by :func:`image_key`."""

    @property
    def bucket(self) -> str:
        """Bucket (S3) or root label (local) recorded in ``product_images.s3_bucket``."""
        ...

    def presign_upload(
        self, key: str, *, content_type: str, size_bytes: int, expires_in_s: int
    ) -> PresignedUpload:
        """A short-lived URL that accepts one PUT of exactly ``size_bytes`` of ``content_type``."""
        ...

    def presign_download(self, key: str, *, expires_in_s: int) -> str:
        """A short-lived URL that serves the object."""
        ...

    def put_stream(self, key: str, stream: BinaryIO, *, content_type: str, max_bytes: int) -> int:
        """Stream ``stream`` into ``key`` without holding it in memory; return bytes written.

        Raises :class:`UploadTooLargeError` (and keeps nothing) past ``max_bytes``.
        """
        ...

    def read_bytes(self, key: str, *, max_bytes: int) -> bytes:
        """The whole object; :class:`ObjectTooLargeError` past ``max_bytes``.

        Raises :class:`ObjectNotFoundError` when ``key`` does not exist.
        """
        ...

    def iter_chunks(self, key: str, *, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The object as a stream of chunks; :class:`ObjectNotFoundError` is raised at the call,
        before the first chunk, when ``key`` does not exist."""
        ...

    def head(self, key: str) -> ObjectInfo | None:
        """Size and type of ``key``, or ``None`` when it does not exist."""
        ...

    def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""
        ...

    def check(self) -> None:
        """Raise :class:`StorageError` when the store cannot be reached (readiness probe)."""
        ...
