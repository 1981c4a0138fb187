"""Signatures: HMAC-SHA256 over timestamp and body, verified in constant time with a window."""

from __future__ import annotations

import hashlib
import hmac

from backend.domain.webhooks import signing

SECRET = "whsec_test-secret"
BODY = b'{"id":"evt_1","type":"job.completed"}'


def test_the_header_is_hmac_sha256_over_timestamp_dot_body() -> None:
    header = signing.signature_header(SECRET, 1_700_000_000, BODY)
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert signing.verify(SECRET, header, BODY, now=1_700_000_100)


def test_tampering_another_secret_or_an_old_timestamp_fail() -> None:
    header = signing.signature_header(SECRET, 1_700_000_000, BODY)
    assert not signing.verify(SECRET, header, BODY + b" ", now=1_700_000_000)
    assert not signing.verify("whsec_other", header, BODY, now=1_700_000_000)
    assert not signing.verify(SECRET, header, BODY, now=1_700_000_000 + 301)
    assert not signing.verify(SECRET, "v1=abc", BODY)
    assert not signing.verify(SECRET, "t=soon,v1=abc", BODY)


def test_secrets_are_long_and_distinct() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    assert first != second
    assert first.startswith("whsec_")
    assert len(first) > 40
