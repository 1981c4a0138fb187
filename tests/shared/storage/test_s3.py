"""The S3 adapter against a real S3-protocol server process (tests/support/s3_server.py).

Presigned URLs are exercised with a plain HTTP client (httpx), as a browser would use them.
The refusals of a wrong type, a wrong size, a tampered signature and an expired URL are the
server's to make: they run against LocalStack (``strict_s3_server``), which checks SigV4 like
S3 and MinIO do; moto checks none of them.
"""

from __future__ import annotations

import io
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest

from backend.shared.config import get_settings
from backend.shared.storage.base import (
    ImageStorage,
    ObjectNotFoundError,
    ObjectTooLargeError,
    StorageError,
    UploadTooLargeError,
)
from backend.shared.storage.factory import clear_storage_cache, get_storage, image_key
from backend.shared.storage.s3 import PART_SIZE_BYTES, S3ImageStorage, build_client
from tests.support.s3_server import S3Bucket, S3TestServer

JPEG_BYTES = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40


def _key(name: str = "photo.jpg") -> str:
    return image_key(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), name)


def _offline_storage() -> S3ImageStorage:
    session = boto3.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="eu-west-1"
    )
    client = build_client(region="eu-west-1", endpoint_url="http://127.0.0.1:9", session=session)
    return S3ImageStorage(bucket="images", client=client)


def test_presigned_put_signs_content_type_and_length() -> None:
    upload = _offline_storage().presign_upload(
        "users/u/products/p/i/a b.jpg", content_type="image/jpeg", size_bytes=4321, expires_in_s=300
    )
    query = parse_qs(urlsplit(upload.url).query)
    assert query["X-Amz-SignedHeaders"] == ["content-length;content-type;host"]
    assert query["X-Amz-Expires"] == ["300"]
    assert not any(name.lower().startswith("x-amz-checksum") for name in query)
    assert urlsplit(upload.url).path == "/images/users/u/products/p/i/a%20b.jpg"
    assert (upload.method, upload.headers) == ("PUT", {"Content-Type": "image/jpeg"})


def test_presigned_urls_use_the_public_endpoint_when_set(s3_bucket: S3Bucket) -> None:
    settings = get_settings().model_copy(
        update={
            "storage_backend": "s3",
            "s3_bucket": s3_bucket.name,
            "s3_endpoint_url": s3_bucket.server.endpoint_url,
            "s3_public_endpoint_url": "http://images.example.test:9000",
        }
    )
    storage = S3ImageStorage.from_settings(settings)
    key = _key()
    upload = storage.presign_upload(
        key, content_type="image/jpeg", size_bytes=len(JPEG_BYTES), expires_in_s=60
    )
    assert urlsplit(upload.url).netloc == "images.example.test:9000"
    assert urlsplit(storage.presign_download(key, expires_in_s=60)).netloc == (
        "images.example.test:9000"
    )
    storage.put_stream(key, io.BytesIO(JPEG_BYTES), content_type="image/jpeg", max_bytes=10**6)
    assert storage.read_bytes(key, max_bytes=10**6) == JPEG_BYTES


@pytest.mark.parametrize("seconds", [0, -1, 7 * 24 * 3600 + 1])
def test_presigned_urls_have_a_sane_lifetime(seconds: int) -> None:
    storage = _offline_storage()
    with pytest.raises(ValueError, match="seconds"):
        storage.presign_download("k", expires_in_s=seconds)
    with pytest.raises(ValueError, match="seconds"):
        storage.presign_upload("k", content_type="image/png", size_bytes=1, expires_in_s=seconds)


@pytest.mark.services
def test_presigned_round_trip_with_a_plain_http_client(s3_bucket: S3Bucket) -> None:
    storage = s3_bucket.storage()
    assert isinstance(storage, ImageStorage)
    key = _key("Produktfoto café.jpg")
    upload = storage.presign_upload(
        key, content_type="image/jpeg", size_bytes=len(JPEG_BYTES), expires_in_s=60
    )
    put = httpx.put(upload.url, content=JPEG_BYTES, headers=upload.headers)
    assert put.status_code == 200, put.text
    info = storage.head(key)
    assert info is not None
    assert (info.key, info.size_bytes, info.content_type) == (key, len(JPEG_BYTES), "image/jpeg")
    assert info.last_modified is not None
    got = httpx.get(storage.presign_download(key, expires_in_s=60))
    assert (got.status_code, got.content) == (200, JPEG_BYTES)
    assert storage.read_bytes(key, max_bytes=len(JPEG_BYTES)) == JPEG_BYTES
    assert b"".join(storage.iter_chunks(key, chunk_size=1000)) == JPEG_BYTES
    storage.delete(key)
    assert storage.head(key) is None
    assert httpx.get(storage.presign_download(key, expires_in_s=60)).status_code == 404
    storage.delete(key)


@pytest.mark.services
def test_put_stream_single_request(s3_bucket: S3Bucket) -> None:
    storage = s3_bucket.storage()
    key = _key()
    written = storage.put_stream(
        key, io.BytesIO(JPEG_BYTES), content_type="image/jpeg", max_bytes=len(JPEG_BYTES)
    )
    assert written == len(JPEG_BYTES)
    assert storage.read_bytes(key, max_bytes=written) == JPEG_BYTES


@pytest.mark.services
def test_put_stream_multipart_streams_parts(s3_bucket: S3Bucket) -> None:
    storage = s3_bucket.storage()
    key = _key("big.png")
    size = 2 * PART_SIZE_BYTES + 12345
    data = bytes(range(251)) * (size // 251) + bytes(size % 251)
    written = storage.put_stream(key, io.BytesIO(data), content_type="image/png", max_bytes=size)
    assert written == size
    info = storage.head(key)
    assert info is not None
    assert (info.size_bytes, info.content_type) == (size, "image/png")
    assert b"".join(storage.iter_chunks(key)) == data


@pytest.mark.services
@pytest.mark.parametrize("size", [1000, PART_SIZE_BYTES + 1000], ids=["single", "multipart"])
def test_put_stream_over_the_limit_keeps_nothing(s3_bucket: S3Bucket, size: int) -> None:
    storage = s3_bucket.storage()
    key = _key()
    with pytest.raises(UploadTooLargeError):
        storage.put_stream(
            key, io.BytesIO(bytes(size)), content_type="image/png", max_bytes=size - 1
        )
    assert storage.head(key) is None
    pending = storage.client.list_multipart_uploads(Bucket=s3_bucket.name)
    assert pending.get("Uploads", []) == []


@pytest.mark.services
def test_reads_refuse_missing_and_oversized_objects(s3_bucket: S3Bucket) -> None:
    storage = s3_bucket.storage()
    key = _key()
    assert storage.head(key) is None
    with pytest.raises(ObjectNotFoundError):
        storage.read_bytes(key, max_bytes=10)
    with pytest.raises(ObjectNotFoundError):
        storage.iter_chunks(key)
    storage.delete(key)
    storage.put_stream(key, io.BytesIO(b"0123456789"), content_type="image/png", max_bytes=10)
    with pytest.raises(ObjectTooLargeError):
        storage.read_bytes(key, max_bytes=9)


@pytest.mark.services
def test_check_reports_a_missing_bucket_and_an_unreachable_server(s3_server: S3TestServer) -> None:
    bucket = s3_server.create_bucket()
    s3_server.storage(bucket).check()
    with pytest.raises(StorageError):
        s3_server.storage(f"missing-{uuid.uuid4().hex[:12]}").check()
    closed = S3ImageStorage(
        bucket=bucket,
        client=build_client(
            region=s3_server.region, endpoint_url="http://127.0.0.1:9", session=s3_server.session()
        ),
    )
    with pytest.raises(StorageError):
        closed.check()


@pytest.mark.services
def test_get_storage_uses_settings_and_the_standard_credential_chain(
    s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3_bucket.server.settings_env(s3_bucket.name).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    clear_storage_cache()
    try:
        storage = get_storage(get_settings())
        assert isinstance(storage, S3ImageStorage)
        assert storage.bucket == s3_bucket.name
        key = _key()
        storage.put_stream(key, io.BytesIO(b"abc"), content_type="image/webp", max_bytes=3)
        assert s3_bucket.storage().read_bytes(key, max_bytes=3) == b"abc"
    finally:
        get_settings.cache_clear()
        clear_storage_cache()


def _upload(storage: S3ImageStorage, *, expires_in_s: int = 60) -> tuple[str, str]:
    key = _key()
    upload = storage.presign_upload(
        key, content_type="image/jpeg", size_bytes=len(JPEG_BYTES), expires_in_s=expires_in_s
    )
    return key, upload.url


@pytest.mark.services
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (JPEG_BYTES, "text/html"),
        (JPEG_BYTES, "image/png"),
        (JPEG_BYTES + b"more", "image/jpeg"),
        (JPEG_BYTES[:-1], "image/jpeg"),
    ],
    ids=["html type", "other image type", "longer body", "shorter body"],
)
def test_the_server_refuses_another_type_or_size(
    strict_s3_server: S3TestServer, body: bytes, content_type: str
) -> None:
    storage = strict_s3_server.storage(strict_s3_server.create_bucket())
    key, url = _upload(storage)
    refused = httpx.put(url, content=body, headers={"Content-Type": content_type})
    assert refused.status_code == 403
    assert "SignatureDoesNotMatch" in refused.text
    assert storage.head(key) is None


@pytest.mark.services
def test_the_server_refuses_a_tampered_signature(strict_s3_server: S3TestServer) -> None:
    storage = strict_s3_server.storage(strict_s3_server.create_bucket())
    key, url = _upload(storage)
    signature = parse_qs(urlsplit(url).query)["X-Amz-Signature"][0]
    forged = url.replace(signature, signature[::-1])
    refused = httpx.put(forged, content=JPEG_BYTES, headers={"Content-Type": "image/jpeg"})
    assert refused.status_code == 403
    longer_key = url.replace("/photo.jpg?", "/photo.jpg.html?")
    refused = httpx.put(longer_key, content=JPEG_BYTES, headers={"Content-Type": "image/jpeg"})
    assert refused.status_code == 403
    assert storage.head(key) is None


@pytest.mark.services
def test_the_server_refuses_expired_urls(strict_s3_server: S3TestServer) -> None:
    storage = strict_s3_server.storage(strict_s3_server.create_bucket())
    key, url = _upload(storage, expires_in_s=1)
    stored_key, stored_url = _upload(storage)
    stored = httpx.put(stored_url, content=JPEG_BYTES, headers={"Content-Type": "image/jpeg"})
    assert stored.status_code == 200
    download = storage.presign_download(stored_key, expires_in_s=1)
    time.sleep(2.1)
    refused = httpx.put(url, content=JPEG_BYTES, headers={"Content-Type": "image/jpeg"})
    assert refused.status_code == 403
    assert "expired" in refused.text
    assert storage.head(key) is None
    assert httpx.get(download).status_code == 403
    assert httpx.get(storage.presign_download(stored_key, expires_in_s=60)).status_code == 200
