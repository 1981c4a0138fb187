"""Webhook signatures: HMAC-SHA256 over ``<timestamp>.<body>`` with the endpoint's secret.

Every delivery carries ``ImagineAI-Signature: t=<unix seconds>,v1=<hex digest>``. A receiver
recomputes the digest over the timestamp, a dot and the raw request body, compares it in
constant time, and refuses timestamps too far from its clock (replays of old deliveries).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "ImagineAI-Signature"
EVENT_HEADER = "ImagineAI-Event"
DELIVERY_HEADER = "ImagineAI-Delivery"
SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},{SCHEME}={signature(secret, timestamp, body)}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance_s`` of ``now``."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in fields.get(SCHEME, []))
