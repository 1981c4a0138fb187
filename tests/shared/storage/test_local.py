"""The local-folder adapter: atomic writes, safe keys, and signed URLs that refuse tampering."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from backend.shared.storage.base import (
    ImageStorage,
    InvalidObjectKeyError,
    ObjectNotFoundError,
    ObjectTooLargeError,
    StorageError,
    UploadTooLargeError,
)
from backend.shared.storage.local import (
    DOWNLOAD_ROUTE,
    UPLOAD_ROUTE,
    LocalImageStorage,
    UploadSizeMismatchError,
)
from backend.shared.storage.tokens import (
    ContentTypeMismatchError,
    ExpiredTokenError,
    InvalidTokenError,
    UploadGrant,
    verify_download_token,
    verify_upload_token,
)
from tests.support.tokens import flip_last_signature_char

SECRET = b"local-signing-secret-for-tests"
BASE_URL = "http://api.example.test:8000/"
KEY = "users/u1/products/p1/i1/photo.jpg"


@pytest.fixture
def storage(tmp_path: Path) -> LocalImageStorage:
    return LocalImageStorage(tmp_path / "store", public_base_url=BASE_URL, signing_secret=SECRET)


def _leftovers(root: Path) -> list[str]:
    return sorted(path.name for path in root.rglob(".tmp-*"))


class FailingStream(io.BytesIO):
    """Gives its bytes, then fails as a dropped connection would."""

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if not chunk:
            raise ConnectionResetError("client went away")
        return chunk


def test_it_is_an_image_storage(storage: LocalImageStorage) -> None:
    assert isinstance(storage, ImageStorage)
    assert storage.bucket == "local"


def test_round_trip(storage: LocalImageStorage) -> None:
    data = bytes(range(256)) * 5000
    written = storage.put_stream(
        KEY, io.BytesIO(data), content_type="image/jpeg", max_bytes=len(data)
    )
    assert written == len(data)
    assert storage.read_bytes(KEY, max_bytes=len(data)) == data
    assert b"".join(storage.iter_chunks(KEY, chunk_size=4096)) == data
    info = storage.head(KEY)
    assert info is not None
    assert (info.key, info.size_bytes, info.content_type) == (KEY, len(data), "image/jpeg")
    assert info.last_modified is not None
    assert abs((datetime.now(tz=UTC) - info.last_modified).total_seconds()) < 60
    assert storage.path_for(KEY).read_bytes() == data
    storage.delete(KEY)
    assert storage.head(KEY) is None
    assert list(storage.root.rglob("*.jpg")) == []
    assert not (storage.root / "users").exists(), "empty folders are pruned"


def test_over_the_limit_nothing_is_kept(storage: LocalImageStorage) -> None:
    with pytest.raises(UploadTooLargeError):
        storage.put_stream(KEY, io.BytesIO(b"x" * 101), content_type="image/png", max_bytes=100)
    assert storage.head(KEY) is None
    assert _leftovers(storage.root) == []


def test_a_failed_overwrite_keeps_the_old_object(storage: LocalImageStorage) -> None:
    storage.put_stream(KEY, io.BytesIO(b"old"), content_type="image/png", max_bytes=10)
    broken = FailingStream(b"new new new")
    with pytest.raises(ConnectionResetError):
        storage.put_stream(KEY, broken, content_type="image/jpeg", max_bytes=10**6)
    assert storage.read_bytes(KEY, max_bytes=10) == b"old"
    info = storage.head(KEY)
    assert info is not None
    assert info.content_type == "image/png"
    assert _leftovers(storage.root) == []


def test_reads_refuse_missing_and_oversized_objects(storage: LocalImageStorage) -> None:
    with pytest.raises(ObjectNotFoundError):
        storage.read_bytes(KEY, max_bytes=10)
    with pytest.raises(ObjectNotFoundError):
        storage.iter_chunks(KEY)
    storage.put_stream(KEY, io.BytesIO(b"0123456789"), content_type="image/png", max_bytes=10)
    with pytest.raises(ObjectTooLargeError):
        storage.read_bytes(KEY, max_bytes=9)
    storage.delete("users/u1/products/p1/i1/never-existed.jpg")


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../outside.jpg",
        "users/../../outside.jpg",
        "users/./x.jpg",
        "/etc/passwd",
        "users//x.jpg",
        "users\\..\\x.jpg",
        "users/x.jpg/",
        ".meta/users/x.jpg.json",
        "users/.hidden",
        "users/x\x00.jpg",
        "users/x\n.jpg",
        "users/" + "a" * 1100,
    ],
)
def test_unsafe_keys_are_refused_everywhere(storage: LocalImageStorage, key: str) -> None:
    stream = io.BytesIO(b"data")
    operations: list[Callable[[], object]] = [
        lambda: storage.put_stream(key, stream, content_type="image/png", max_bytes=10),
        lambda: storage.read_bytes(key, max_bytes=10),
        lambda: storage.iter_chunks(key),
        lambda: storage.head(key),
        lambda: storage.delete(key),
        lambda: storage.presign_download(key, expires_in_s=60),
        lambda: storage.presign_upload(
            key, content_type="image/png", size_bytes=4, expires_in_s=60
        ),
    ]
    for operation in operations:
        with pytest.raises(InvalidObjectKeyError):
            operation()
    assert not (storage.root.parent / "outside.jpg").exists()


def test_a_symlink_cannot_lead_out_of_the_store(storage: LocalImageStorage, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    storage.root.mkdir(parents=True)
    (storage.root / "users").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidObjectKeyError):
        storage.put_stream(KEY, io.BytesIO(b"x"), content_type="image/png", max_bytes=10)
    assert list(outside.iterdir()) == []


def test_upload_url_carries_a_token_for_key_type_size_and_expiry(
    storage: LocalImageStorage,
) -> None:
    before = time.time()
    upload = storage.presign_upload(
        KEY, content_type="image/webp", size_bytes=321, expires_in_s=600
    )
    assert upload.method == "PUT"
    assert upload.headers == {"Content-Type": "image/webp"}
    assert upload.url.startswith("http://api.example.test:8000" + UPLOAD_ROUTE)
    token = urlsplit(upload.url).path.removeprefix(UPLOAD_ROUTE)
    grant = verify_upload_token(token, secret=SECRET, content_type="image/webp")
    assert (grant.key, grant.content_type, grant.size_bytes) == (KEY, "image/webp", 321)
    assert grant.expires_at == upload.expires_at
    assert upload.expires_at is not None
    assert before + 599 <= upload.expires_at.timestamp() <= time.time() + 600
    with pytest.raises(ContentTypeMismatchError):
        verify_upload_token(token, secret=SECRET, content_type="image/svg+xml")
    with pytest.raises(ExpiredTokenError):
        verify_upload_token(token, secret=SECRET, content_type="image/webp", now=before + 601)
    with pytest.raises(InvalidTokenError):
        verify_upload_token(
            flip_last_signature_char(token), secret=SECRET, content_type="image/webp"
        )
    with pytest.raises(InvalidTokenError):
        verify_upload_token(token, secret=b"not the server's secret", content_type="image/webp")


def test_download_url_carries_a_token_for_the_key(storage: LocalImageStorage) -> None:
    url = storage.presign_download(KEY, expires_in_s=120)
    assert url.startswith("http://api.example.test:8000" + DOWNLOAD_ROUTE)
    token = urlsplit(url).path.removeprefix(DOWNLOAD_ROUTE)
    assert verify_download_token(token, secret=SECRET).key == KEY
    with pytest.raises(ExpiredTokenError):
        verify_download_token(token, secret=SECRET, now=time.time() + 121)
    with pytest.raises(InvalidTokenError):
        verify_download_token("A" + token[1:], secret=SECRET)


def _grant(size: int) -> UploadGrant:
    return UploadGrant(
        key=KEY, content_type="image/png", size_bytes=size, expires_at=datetime.now(tz=UTC)
    )


def test_receive_upload_takes_exactly_the_signed_size(storage: LocalImageStorage) -> None:
    assert storage.receive_upload(_grant(5), io.BytesIO(b"12345")) == 5
    info = storage.head(KEY)
    assert info is not None
    assert (info.size_bytes, info.content_type) == (5, "image/png")


@pytest.mark.parametrize(
    ("body", "error"), [(b"1234", UploadSizeMismatchError), (b"123456", UploadTooLargeError)]
)
def test_receive_upload_keeps_nothing_of_another_size(
    storage: LocalImageStorage, body: bytes, error: type[StorageError]
) -> None:
    with pytest.raises(error):
        storage.receive_upload(_grant(5), io.BytesIO(body))
    assert storage.head(KEY) is None
    assert _leftovers(storage.root) == []


def test_check_reports_an_unusable_folder(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    storage = LocalImageStorage(blocked, public_base_url=BASE_URL, signing_secret=SECRET)
    with pytest.raises(StorageError):
        storage.check()
    LocalImageStorage(tmp_path / "fine", public_base_url=BASE_URL, signing_secret=SECRET).check()


def test_concurrent_writers_leave_one_whole_object(storage: LocalImageStorage) -> None:
    import threading

    payloads = [bytes([index]) * 300_000 for index in range(8)]

    def write(payload: bytes) -> None:
        storage.put_stream(KEY, io.BytesIO(payload), content_type="image/png", max_bytes=10**6)

    threads = [threading.Thread(target=write, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert storage.read_bytes(KEY, max_bytes=10**6) in payloads
    assert _leftovers(storage.root) == []


def test_an_empty_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="secret"):
        LocalImageStorage(tmp_path, public_base_url=BASE_URL, signing_secret=b"")
