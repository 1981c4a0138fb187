"""Image storage in a local folder (the embedded mode), with HMAC-signed upload/download URLs.

Objects live at ``<root>/<key>``; their content type at ``<root>/.meta/<key>.json`` (key
segments never start with a dot, so the two trees cannot meet). Every write goes to a temporary
file in the target folder and is renamed into place, so readers see the old object or the new
one, never half of one. The URLs point at the API's own routes:
``{public_base_url}/api/v1/storage/upload/{token}`` (PUT) and ``.../download/{token}`` (GET),
whose handlers call :func:`~backend.shared.storage.tokens.verify_upload_token` /
:func:`~backend.shared.storage.tokens.verify_download_token` and then
:meth:`LocalImageStorage.receive_upload` / :meth:`LocalImageStorage.path_for`.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Final

from backend.shared.config import Settings
from backend.shared.storage.base import (
    InvalidObjectKeyError,
    ObjectInfo,
    ObjectNotFoundError,
    ObjectTooLargeError,
    PresignedUpload,
    StorageError,
    UploadTooLargeError,
)
from backend.shared.storage.tokens import (
    UploadGrant,
    create_download_token,
    create_upload_token,
)

UPLOAD_ROUTE: Final = "/api/v1/storage/upload/"
DOWNLOAD_ROUTE: Final = "/api/v1/storage/download/"
COPY_CHUNK_BYTES: Final = 1 << 20
MAX_KEY_BYTES: Final = 1024
_META_DIR: Final = ".meta"
_TEMP_PREFIX: Final = ".tmp-"


class UploadSizeMismatchError(StorageError):
    """A signed upload whose body was shorter than the size it was signed for."""


def validate_key(key: str) -> tuple[str, ...]:
    """The segments of a clean relative key, or :class:`InvalidObjectKeyError`.

    Refused: empty keys, absolute paths, backslashes, empty, ``.`` or ``..`` segments, segments
    starting with a dot, control characters, and keys over 1024 UTF-8 bytes (S3's own limit).
    """
    if not key or len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidObjectKeyError("storage keys must be 1 to 1024 bytes long")
    if "\\" in key or any(ord(char) < 32 or ord(char) == 127 for char in key):
        raise InvalidObjectKeyError("storage keys must not contain backslashes or control chars")
    segments = tuple(key.split("/"))
    if any(not segment or segment.startswith(".") for segment in segments):
        raise InvalidObjectKeyError(
            "storage keys are relative paths without empty, '.', '..' or dot-prefixed segments"
        )
    return segments


class LocalImageStorage:
    """:class:`~backend.shared.storage.base.ImageStorage` on a local folder."""

    def __init__(
        self,
        root: Path,
        *,
        public_base_url: str,
        signing_secret: bytes,
        bucket_label: str = "local",
    ) -> None:
        if not signing_secret:
            raise ValueError("the local store needs a signing secret for its URLs")
        self._root = root.resolve()
        self._meta_root = self._root / _META_DIR
        self._base_url = public_base_url.rstrip("/")
        self._secret = signing_secret
        self._label = bucket_label

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalImageStorage:
        return cls(
            settings.storage_dir,
            public_base_url=settings.public_base_url,
            signing_secret=settings.signing_secret,
        )

    @property
    def bucket(self) -> str:
        return self._label

    @property
    def root(self) -> Path:
        return self._root

    def path_for(self, key: str) -> Path:
        """Where ``key``'s bytes are (or would be); always inside the root folder."""
        path = self._root.joinpath(*validate_key(key))
        if not path.resolve().is_relative_to(self._root):
            raise InvalidObjectKeyError("storage key leaves the storage folder")
        return path

    def presign_upload(
        self, key: str, *, content_type: str, size_bytes: int, expires_in_s: int
    ) -> PresignedUpload:
        validate_key(key)
        issued = time.time()
        token = create_upload_token(
            key=key,
            content_type=content_type,
            size_bytes=size_bytes,
            expires_in_s=expires_in_s,
            secret=self._secret,
            now=issued,
        )
        return PresignedUpload(
            url=f"{self._base_url}{UPLOAD_ROUTE}{token}",
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=datetime.fromtimestamp(int(issued) + expires_in_s, tz=UTC),
        )

    def presign_download(self, key: str, *, expires_in_s: int) -> str:
        validate_key(key)
        token = create_download_token(key=key, expires_in_s=expires_in_s, secret=self._secret)
        return f"{self._base_url}{DOWNLOAD_ROUTE}{token}"

    def put_stream(self, key: str, stream: BinaryIO, *, content_type: str, max_bytes: int) -> int:
        return self._write(key, stream, content_type=content_type, max_bytes=max_bytes)

    def receive_upload(self, grant: UploadGrant, stream: BinaryIO) -> int:
        """Store the body of a signed PUT: exactly ``grant.size_bytes``, or nothing at all.

        Raises :class:`UploadTooLargeError` past the signed size (answer 413) and
        :class:`UploadSizeMismatchError` when the body is shorter (answer 400).
        """
        return self._write(
            grant.key,
            stream,
            content_type=grant.content_type,
            max_bytes=grant.size_bytes,
            exact_bytes=grant.size_bytes,
        )

    def read_bytes(self, key: str, *, max_bytes: int) -> bytes:
        path = self.path_for(key)
        try:
            with path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > max_bytes:
                    raise ObjectTooLargeError(f"{key} is {size} bytes, over {max_bytes}")
                data = handle.read(max_bytes + 1)
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise ObjectNotFoundError(key) from exc
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc}") from exc
        if len(data) > max_bytes:
            raise ObjectTooLargeError(f"{key} grew past {max_bytes} bytes while being read")
        return data

    def iter_chunks(self, key: str, *, chunk_size: int = COPY_CHUNK_BYTES) -> Iterator[bytes]:
        try:
            handle = self.path_for(key).open("rb")
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise ObjectNotFoundError(key) from exc
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc}") from exc
        return _chunks(handle, chunk_size)

    def head(self, key: str) -> ObjectInfo | None:
        path = self.path_for(key)
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not path.is_file():
            return None
        return ObjectInfo(
            key=key,
            size_bytes=stat.st_size,
            content_type=self._read_content_type(key),
            last_modified=datetime.fromtimestamp(stat.st_mtime, tz=UTC),
        )

    def delete(self, key: str) -> None:
        path = self.path_for(key)
        meta = self._meta_path(key)
        try:
            path.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete {key}: {exc}") from exc
        _prune_empty_parents(path.parent, stop=self._root)
        _prune_empty_parents(meta.parent, stop=self._meta_root)

    def check(self) -> None:
        try:
            self._root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self._root, prefix=_TEMP_PREFIX) as probe:
                probe.write(b"ok")
        except OSError as exc:
            raise StorageError(f"local storage at {self._root} is not writable: {exc}") from exc

    def ensure_bucket(self) -> None:
        """Create the root folder (the local counterpart of creating the S3 bucket)."""
        self.check()

    def _meta_path(self, key: str) -> Path:
        segments = validate_key(key)
        return self._meta_root.joinpath(*segments[:-1], f"{segments[-1]}.json")

    def _read_content_type(self, key: str) -> str | None:
        try:
            stored = json.loads(self._meta_path(key).read_text())
        except (OSError, ValueError):
            return None
        content_type = stored.get("content_type") if isinstance(stored, dict) else None
        return content_type if isinstance(content_type, str) else None

    def _write(
        self,
        key: str,
        stream: BinaryIO,
        *,
        content_type: str,
        max_bytes: int,
        exact_bytes: int | None = None,
    ) -> int:
        """Copy ``stream`` to a temporary file beside the target, then rename it into place.

        Errors reading ``stream`` (a client that went away) propagate as they are; errors of
        the file system become :class:`StorageError`.
        """
        target = self.path_for(key)
        meta = self._meta_path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            meta.parent.mkdir(parents=True, exist_ok=True)
            descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=_TEMP_PREFIX)
        except OSError as exc:
            raise StorageError(f"cannot write {key}: {exc}") from exc
        temporary = Path(name)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                written = _copy(stream, handle, max_bytes=max_bytes)
                _storage_call(key, lambda: os.fsync(handle.fileno()))
            if exact_bytes is not None and written != exact_bytes:
                raise UploadSizeMismatchError(
                    f"the upload carried {written} bytes; it was signed for {exact_bytes}"
                )
            metadata = json.dumps({"content_type": content_type}).encode()
            _storage_call(key, lambda: _atomic_write_bytes(meta, metadata))
            _storage_call(key, lambda: os.replace(temporary, target))
            _storage_call(key, lambda: _fsync_directory(target.parent))
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return written


def _copy(stream: BinaryIO, handle: BinaryIO, *, max_bytes: int) -> int:
    written = 0
    while chunk := stream.read(COPY_CHUNK_BYTES):
        written += len(chunk)
        if written > max_bytes:
            raise UploadTooLargeError(f"the upload went past {max_bytes} bytes")
        _storage_call("upload", lambda: handle.write(chunk))
    _storage_call("upload", handle.flush)
    return written


def _storage_call(key: str, operation: Callable[[], object]) -> None:
    try:
        operation()
    except OSError as exc:
        raise StorageError(f"cannot write {key}: {exc}") from exc


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _fsync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _chunks(handle: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(chunk_size):
            yield chunk


def _prune_empty_parents(folder: Path, *, stop: Path) -> None:
    """Remove folders left empty by a delete, up to (not including) ``stop``; another writer
    may fill one at the same moment, which simply ends the walk."""
    current = folder
    while current != stop and current.is_relative_to(stop):
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent
