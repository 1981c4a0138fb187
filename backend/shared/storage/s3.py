"""Image storage on S3 or any S3-protocol server (MinIO, LocalStack), through boto3.

Credentials come from boto3's standard chain (environment, shared config, web identity for
IRSA, instance metadata). ``s3_endpoint_url`` points the client at another server and switches
to path-style addressing, which such servers expect.

Presigned PUT URLs sign ``Content-Type`` and ``Content-Length`` (``X-Amz-SignedHeaders=
content-length;content-type;host``): S3, MinIO and LocalStack then refuse an upload of another
type or size, or after expiry, with 403. Servers that skip signature checks (moto) accept them,
which is why the confirm step re-validates the stored bytes anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, BinaryIO, Final, TypeVar

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from backend.shared.config import Settings
from backend.shared.storage.base import (
    ObjectInfo,
    ObjectNotFoundError,
    ObjectTooLargeError,
    PresignedUpload,
    StorageError,
    UploadTooLargeError,
)

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef, GetObjectOutputTypeDef

logger = structlog.get_logger(__name__)

# S3's smallest multipart part is 5 MiB; one part is all a streamed upload holds in memory.
PART_SIZE_BYTES: Final = 8 * 1024 * 1024
MAX_PRESIGN_SECONDS: Final = 7 * 24 * 3600
_NOT_FOUND_CODES: Final = frozenset({"404", "NoSuchKey", "NotFound"})
T = TypeVar("T")


def build_client(
    *,
    region: str,
    endpoint_url: str | None = None,
    session: boto3.Session | None = None,
) -> S3Client:
    """An S3 client with SigV4, bounded retries and timeouts; path-style for custom endpoints.

    Checksums are only sent where S3 requires them: the default "when supported" adds
    aws-chunked trailers that many S3-protocol servers do not implement.
    """
    config = Config(
        signature_version="s3v4",
        region_name=region,
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
        read_timeout=60,
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    active_session = session or boto3.Session()
    client: S3Client = active_session.client("s3", endpoint_url=endpoint_url, config=config)
    return client


class S3ImageStorage:
    """:class:`~backend.shared.storage.base.ImageStorage` on one S3 bucket."""

    def __init__(
        self, *, bucket: str, client: S3Client, presign_client: S3Client | None = None
    ) -> None:
        self._bucket = bucket
        self._client = client
        # Presigned URLs are signed for the host the browser will use, which may differ.
        self._presign_client = presign_client or client

    @classmethod
    def from_settings(
        cls, settings: Settings, *, session: boto3.Session | None = None
    ) -> S3ImageStorage:
        client = build_client(
            region=settings.s3_region, endpoint_url=settings.s3_endpoint_url, session=session
        )
        presign_client = (
            build_client(
                region=settings.s3_region,
                endpoint_url=settings.s3_public_endpoint_url,
                session=session,
            )
            if settings.s3_public_endpoint_url
            else None
        )
        return cls(bucket=settings.s3_bucket, client=client, presign_client=presign_client)

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def client(self) -> S3Client:
        return self._client

    def presign_upload(
        self, key: str, *, content_type: str, size_bytes: int, expires_in_s: int
    ) -> PresignedUpload:
        _check_expiry(expires_in_s)
        if size_bytes < 0:
            raise ValueError("size_bytes must not be negative")
        issued = datetime.now(tz=UTC)
        url = self._call(
            "presign PUT",
            key,
            lambda: self._presign_client.generate_presigned_url(
                "put_object",
                Params={
                    "Bucket": self._bucket,
                    "Key": key,
                    "ContentType": content_type,
                    "ContentLength": size_bytes,
                },
                ExpiresIn=expires_in_s,
                HttpMethod="PUT",
            ),
        )
        return PresignedUpload(
            url=url,
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=issued.replace(microsecond=0) + timedelta(seconds=expires_in_s),
        )

    def presign_download(self, key: str, *, expires_in_s: int) -> str:
        _check_expiry(expires_in_s)
        return self._call(
            "presign GET",
            key,
            lambda: self._presign_client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": key},
                ExpiresIn=expires_in_s,
            ),
        )

    def put_stream(self, key: str, stream: BinaryIO, *, content_type: str, max_bytes: int) -> int:
        first_part = _read_part(stream)
        if len(first_part) > max_bytes:
            raise UploadTooLargeError(f"the upload went past {max_bytes} bytes")
        if len(first_part) < PART_SIZE_BYTES:
            self._call(
                "put",
                key,
                lambda: self._client.put_object(
                    Bucket=self._bucket, Key=key, Body=first_part, ContentType=content_type
                ),
            )
            return len(first_part)
        return self._put_multipart(
            key, stream, first_part, content_type=content_type, max_bytes=max_bytes
        )

    def read_bytes(self, key: str, *, max_bytes: int) -> bytes:
        response = self._get(key)
        body = response["Body"]
        try:
            if response["ContentLength"] > max_bytes:
                raise ObjectTooLargeError(
                    f"{key} is {response['ContentLength']} bytes, over {max_bytes}"
                )
            data = self._call("read", key, lambda: body.read(max_bytes + 1))
        finally:
            body.close()
        if len(data) > max_bytes:
            raise ObjectTooLargeError(f"{key} is over {max_bytes} bytes")
        return data

    def iter_chunks(self, key: str, *, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        response = self._get(key)
        return _body_chunks(response["Body"], chunk_size, key)

    def head(self, key: str) -> ObjectInfo | None:
        try:
            response = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND_CODES:
                return None
            raise StorageError(f"S3 head {key} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 head {key} failed: {exc}") from exc
        return ObjectInfo(
            key=key,
            size_bytes=response["ContentLength"],
            content_type=response.get("ContentType"),
            last_modified=response.get("LastModified"),
        )

    def delete(self, key: str) -> None:
        self._call("delete", key, lambda: self._client.delete_object(Bucket=self._bucket, Key=key))

    def check(self) -> None:
        self._call("check", "", lambda: self._client.head_bucket(Bucket=self._bucket))

    def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist (development and test servers)."""
        try:
            self._client.head_bucket(Bucket=self._bucket)
            return
        except ClientError as exc:
            if _error_code(exc) not in _NOT_FOUND_CODES | {"NoSuchBucket"}:
                raise StorageError(f"S3 bucket {self._bucket} is not usable: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 is not reachable: {exc}") from exc
        region = self._client.meta.region_name
        if region in (None, "us-east-1"):
            self._call("create bucket", "", lambda: self._client.create_bucket(Bucket=self._bucket))
        else:
            self._call(
                "create bucket",
                "",
                lambda: self._client.create_bucket(
                    Bucket=self._bucket,
                    CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
                ),
            )

    def _get(self, key: str) -> GetObjectOutputTypeDef:
        return self._call("get", key, lambda: self._client.get_object(Bucket=self._bucket, Key=key))

    def _put_multipart(
        self, key: str, stream: BinaryIO, first_part: bytes, *, content_type: str, max_bytes: int
    ) -> int:
        upload_id = self._call(
            "start multipart",
            key,
            lambda: self._client.create_multipart_upload(
                Bucket=self._bucket, Key=key, ContentType=content_type
            ),
        )["UploadId"]
        try:
            parts: list[CompletedPartTypeDef] = []
            total = 0
            part = first_part
            while part:
                total += len(part)
                if total > max_bytes:
                    raise UploadTooLargeError(f"the upload went past {max_bytes} bytes")
                parts.append(self._upload_part(key, upload_id, len(parts) + 1, part))
                part = _read_part(stream)
            self._call(
                "complete multipart",
                key,
                lambda: self._client.complete_multipart_upload(
                    Bucket=self._bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                ),
            )
        except BaseException:
            self._abort_multipart(key, upload_id)
            raise
        return total

    def _upload_part(
        self, key: str, upload_id: str, number: int, data: bytes
    ) -> CompletedPartTypeDef:
        response = self._call(
            "upload part",
            key,
            lambda: self._client.upload_part(
                Bucket=self._bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
            ),
        )
        return {"ETag": response["ETag"], "PartNumber": number}

    def _abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            self._client.abort_multipart_upload(Bucket=self._bucket, Key=key, UploadId=upload_id)
        except (ClientError, BotoCoreError) as exc:
            # The bucket's lifecycle rule for incomplete uploads removes what is left.
            logger.warning("s3_abort_multipart_failed", key=key, error=str(exc))

    def _call(self, action: str, key: str, operation: Callable[[], T]) -> T:
        try:
            return operation()
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND_CODES:
                raise ObjectNotFoundError(key) from exc
            raise StorageError(f"S3 {action} {key} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 {action} {key} failed: {exc}") from exc


def _read_part(stream: BinaryIO) -> bytes:
    """Up to one part's worth of bytes; short only at the end of the stream."""
    chunks: list[bytes] = []
    remaining = PART_SIZE_BYTES
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _body_chunks(body: StreamingBody, chunk_size: int, key: str) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(chunk_size)
    except (ClientError, BotoCoreError) as exc:
        raise StorageError(f"S3 read {key} failed: {exc}") from exc
    finally:
        body.close()


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _check_expiry(expires_in_s: int) -> None:
    if not 0 < expires_in_s <= MAX_PRESIGN_SECONDS:
        raise ValueError(f"presigned URLs live between 1 and {MAX_PRESIGN_SECONDS} seconds")
