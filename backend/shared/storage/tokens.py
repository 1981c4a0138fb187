"""HMAC-signed, expiring tokens for the local store's upload and download URLs.

They play the part of S3's presigned URLs in the embedded mode: an upload token names the
key, the method, the content type and the exact size the PUT must carry, and when it stops
being valid; a download token names the key and its expiry. The token is
``base64url(payload) "." base64url(HMAC-SHA256(secret, domain + payload))``: pure functions,
no state, compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal, TypeGuard

TOKEN_VERSION: Final = 1
MAX_TOKEN_CHARS: Final = 4096
MAX_EXPIRY_SECONDS: Final = 7 * 24 * 3600
_SIGNING_DOMAIN: Final = b"imagineai.storage.v1."
_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]+")

Method = Literal["PUT", "GET"]


class SignedUrlError(Exception):
    """A storage URL token was refused; ``code`` for machines, ``http_status`` for the API."""

    code = "invalid_token"
    http_status = 403


class InvalidTokenError(SignedUrlError):
    """Malformed, tampered with, signed by another key, or made for another method."""

    code = "invalid_token"


class ExpiredTokenError(SignedUrlError):
    """Correctly signed but past its expiry."""

    code = "expired_token"


class ContentTypeMismatchError(SignedUrlError):
    """An upload whose Content-Type differs from the one the token was signed for."""

    code = "content_type_mismatch"


@dataclass(frozen=True, slots=True)
class UploadGrant:
    """What a valid upload token allows: one PUT of exactly ``size_bytes`` to ``key``."""

    key: str
    content_type: str
    size_bytes: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class DownloadGrant:
    key: str
    expires_at: datetime


def normalize_content_type(value: str) -> str:
    """``Image/JPEG; charset=x`` -> ``image/jpeg``: the media type without parameters."""
    return value.split(";", 1)[0].strip().lower()


def create_upload_token(
    *,
    key: str,
    content_type: str,
    size_bytes: int,
    expires_in_s: int,
    secret: bytes,
    now: float | None = None,
) -> str:
    if size_bytes < 0:
        raise ValueError("size_bytes must not be negative")
    claims: dict[str, object] = {
        "m": "PUT",
        "k": key,
        "ct": normalize_content_type(content_type),
        "sz": size_bytes,
    }
    return _sign(claims, expires_in_s=expires_in_s, secret=secret, now=now)


def create_download_token(
    *, key: str, expires_in_s: int, secret: bytes, now: float | None = None
) -> str:
    return _sign({"m": "GET", "k": key}, expires_in_s=expires_in_s, secret=secret, now=now)


def verify_upload_token(
    token: str, *, secret: bytes, content_type: str | None, now: float | None = None
) -> UploadGrant:
    """The grant of a valid upload token, checked against the request's ``Content-Type``.

    Raises :class:`InvalidTokenError`, :class:`ExpiredTokenError` or
    :class:`ContentTypeMismatchError`. The caller must still refuse a body whose length is not
    ``grant.size_bytes`` (:meth:`LocalImageStorage.receive_upload` does).
    """
    claims, expires_at = _verify(token, secret=secret, method="PUT", now=now)
    signed_type = claims.get("ct")
    size_bytes = claims.get("sz")
    if not isinstance(signed_type, str) or not _is_size(size_bytes):
        raise InvalidTokenError("The upload token is malformed.")
    if content_type is None or normalize_content_type(content_type) != signed_type:
        raise ContentTypeMismatchError(
            f"This upload URL accepts only Content-Type {signed_type}, "
            f"not {content_type or 'none'}."
        )
    return UploadGrant(
        key=_key_of(claims), content_type=signed_type, size_bytes=size_bytes, expires_at=expires_at
    )


def verify_download_token(token: str, *, secret: bytes, now: float | None = None) -> DownloadGrant:
    """The grant of a valid download token; raises like :func:`verify_upload_token`."""
    claims, expires_at = _verify(token, secret=secret, method="GET", now=now)
    return DownloadGrant(key=_key_of(claims), expires_at=expires_at)


def _sign(claims: dict[str, object], *, expires_in_s: int, secret: bytes, now: float | None) -> str:
    if not secret:
        raise ValueError("an empty signing secret would make every token forgeable")
    if not 0 < expires_in_s <= MAX_EXPIRY_SECONDS:
        raise ValueError(f"expires_in_s must be between 1 and {MAX_EXPIRY_SECONDS}")
    issued = time.time() if now is None else now
    payload = {"v": TOKEN_VERSION, **claims, "exp": int(issued) + expires_in_s}
    encoded = _b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{encoded}.{_b64encode(_mac(secret, encoded))}"


def _verify(
    token: str, *, secret: bytes, method: Method, now: float | None
) -> tuple[dict[str, object], datetime]:
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise InvalidTokenError("The storage URL token is malformed.")
    encoded, signature = token.split(".")
    if not (_BASE64URL.fullmatch(encoded) and _BASE64URL.fullmatch(signature)):
        raise InvalidTokenError("The storage URL token is malformed.")
    mac = _b64decode(signature)
    # The last base64 character of a 32-byte MAC carries two unused bits: a decoder ignores them,
    # so without this check one signature would have four spellings (and a flipped last
    # character would sometimes still verify).
    if _b64encode(mac) != signature:
        raise InvalidTokenError("The storage URL token is malformed.")
    if not hmac.compare_digest(mac, _mac(secret, encoded)):
        raise InvalidTokenError("The storage URL signature does not match.")
    claims = _decode_claims(encoded)
    if claims.get("v") != TOKEN_VERSION or claims.get("m") != method:
        raise InvalidTokenError(f"This storage URL is not valid for {method}.")
    expires = claims.get("exp")
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise InvalidTokenError("The storage URL token is malformed.")
    current = time.time() if now is None else now
    if current >= expires:
        raise ExpiredTokenError("The storage URL has expired.")
    return claims, datetime.fromtimestamp(expires, tz=UTC)


def _decode_claims(encoded: str) -> dict[str, object]:
    try:
        claims = json.loads(_b64decode(encoded))
    except ValueError as exc:
        raise InvalidTokenError("The storage URL token is malformed.") from exc
    if not isinstance(claims, dict):
        raise InvalidTokenError("The storage URL token is malformed.")
    return claims


def _key_of(claims: dict[str, object]) -> str:
    key = claims.get("k")
    if not isinstance(key, str) or not key:
        raise InvalidTokenError("The storage URL token is malformed.")
    return key


def _is_size(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _mac(secret: bytes, encoded_payload: str) -> bytes:
    return hmac.new(secret, _SIGNING_DOMAIN + encoded_payload.encode(), hashlib.sha256).digest()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Decode text already checked against ``_BASE64URL``; a stray length is malformed."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise InvalidTokenError("The storage URL token is malformed.") from exc
