"""Signed local-storage URL tokens: what they grant, and every way a forged one is refused."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from backend.shared.storage.tokens import (
    MAX_TOKEN_CHARS,
    ContentTypeMismatchError,
    DownloadGrant,
    ExpiredTokenError,
    InvalidTokenError,
    SignedUrlError,
    UploadGrant,
    create_download_token,
    create_upload_token,
    verify_download_token,
    verify_upload_token,
)
from tests.support.tokens import flip_last_signature_char

SECRET = b"s" * 48
NOW = 1_800_000_000.0
KEY = "users/u/products/p/i/photo.jpg"


def _upload_token(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "key": KEY,
        "content_type": "image/jpeg",
        "size_bytes": 1234,
        "expires_in_s": 900,
        "secret": SECRET,
        "now": NOW,
    }
    arguments.update(overrides)
    return create_upload_token(**arguments)  # type: ignore[arg-type]


def _reencode(token: str, change: dict[str, object]) -> str:
    """The token with its payload edited but its signature kept, as a forger would."""
    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(change)
    edited = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{edited}.{signature}"


def test_upload_token_grants_key_type_size_and_expiry() -> None:
    grant = verify_upload_token(
        _upload_token(), secret=SECRET, content_type="image/jpeg", now=NOW + 899
    )
    assert grant == UploadGrant(
        key=KEY,
        content_type="image/jpeg",
        size_bytes=1234,
        expires_at=datetime.fromtimestamp(NOW + 900, tz=UTC),
    )


def test_download_token_grants_key_and_expiry() -> None:
    token = create_download_token(key=KEY, expires_in_s=60, secret=SECRET, now=NOW)
    assert verify_download_token(token, secret=SECRET, now=NOW) == DownloadGrant(
        key=KEY, expires_at=datetime.fromtimestamp(NOW + 60, tz=UTC)
    )


def test_content_type_is_compared_as_a_media_type() -> None:
    token = _upload_token(content_type="Image/JPEG")
    grant = verify_upload_token(
        token, secret=SECRET, content_type=" image/jpeg; charset=binary", now=NOW
    )
    assert grant.content_type == "image/jpeg"


@pytest.mark.parametrize("sent", ["image/png", "text/html", "", None])
def test_another_content_type_is_refused(sent: str | None) -> None:
    with pytest.raises(ContentTypeMismatchError) as refused:
        verify_upload_token(_upload_token(), secret=SECRET, content_type=sent, now=NOW)
    assert (refused.value.code, refused.value.http_status) == ("content_type_mismatch", 403)


@pytest.mark.parametrize("later", [900, 901, 10_000])
def test_expired_tokens_are_refused(later: int) -> None:
    with pytest.raises(ExpiredTokenError) as refused:
        verify_upload_token(
            _upload_token(), secret=SECRET, content_type="image/jpeg", now=NOW + later
        )
    assert refused.value.code == "expired_token"
    download = create_download_token(key=KEY, expires_in_s=60, secret=SECRET, now=NOW)
    with pytest.raises(ExpiredTokenError):
        verify_download_token(download, secret=SECRET, now=NOW + 60 + later)


@pytest.mark.parametrize(
    "change",
    [
        {"exp": int(NOW) + 10**6},
        {"sz": 10**9},
        {"ct": "text/html"},
        {"k": "users/other/products/p/i/photo.jpg"},
        {"m": "GET"},
    ],
    ids=["later expiry", "larger size", "other type", "other key", "other method"],
)
def test_edited_payloads_are_refused(change: dict[str, object]) -> None:
    forged = _reencode(_upload_token(), change)
    with pytest.raises(InvalidTokenError):
        verify_upload_token(forged, secret=SECRET, content_type="image/jpeg", now=NOW)


@pytest.mark.parametrize(
    "tamper",
    [
        flip_last_signature_char,
        lambda token: token.split(".")[0] + "." + "A" * 43,
        lambda token: token.split(".")[0],
        lambda token: token + ".x",
        lambda token: token.replace(".", "!", 1),
        lambda token: token + "=",
        lambda token: token[:-2],
        lambda token: "",
        lambda token: "." * 2,
        lambda token: "a" * (MAX_TOKEN_CHARS + 1),
        lambda token: "%2e%2e%2f.abc",
    ],
    ids=[
        "flipped signature",
        "other signature",
        "no signature",
        "extra segment",
        "no separator",
        "padding added",
        "truncated",
        "empty",
        "dots",
        "oversized",
        "url-encoded junk",
    ],
)
def test_tampered_tokens_are_refused(tamper: Callable[[str], str]) -> None:
    forged = tamper(_upload_token())
    with pytest.raises(InvalidTokenError) as refused:
        verify_upload_token(forged, secret=SECRET, content_type="image/jpeg", now=NOW)
    assert (refused.value.code, refused.value.http_status) == ("invalid_token", 403)


def _respelled_signature(token: str) -> str:
    """The same signature bytes with the unused low bit of the last character set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return token[:-1] + alphabet[alphabet.index(token[-1]) | 1]


def test_a_signature_spelled_another_way_is_refused() -> None:
    token = _upload_token()
    respelled = _respelled_signature(token)
    assert respelled != token
    assert base64.urlsafe_b64decode(respelled.split(".")[1] + "=") == base64.urlsafe_b64decode(
        token.split(".")[1] + "="
    )
    with pytest.raises(InvalidTokenError):
        verify_upload_token(respelled, secret=SECRET, content_type="image/jpeg", now=NOW)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidTokenError):
        verify_upload_token(
            _upload_token(secret=b"another secret"),
            secret=SECRET,
            content_type="image/jpeg",
            now=NOW,
        )


def test_download_and_upload_tokens_are_not_interchangeable() -> None:
    download = create_download_token(key=KEY, expires_in_s=60, secret=SECRET, now=NOW)
    with pytest.raises(InvalidTokenError):
        verify_upload_token(download, secret=SECRET, content_type="image/jpeg", now=NOW)
    with pytest.raises(InvalidTokenError):
        verify_download_token(_upload_token(), secret=SECRET, now=NOW)


def test_all_refusals_share_one_base_class() -> None:
    for error in (InvalidTokenError, ExpiredTokenError, ContentTypeMismatchError):
        assert issubclass(error, SignedUrlError)


@pytest.mark.parametrize(
    "overrides",
    [{"expires_in_s": 0}, {"expires_in_s": -5}, {"expires_in_s": 8 * 24 * 3600}, {"secret": b""}],
)
def test_tokens_that_would_be_unsafe_are_not_made(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"expires_in_s|secret"):
        _upload_token(**overrides)


def test_tokens_are_url_safe() -> None:
    token = _upload_token(key="users/ü/products/p/i/商品 photo (1).jpg")
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
