"""JWTs: HS256 only, a ``typ`` claim so a refresh token never passes as an access token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

from backend.domain.errors import AuthenticationError

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "sub", "typ", "jti", "iss"]
TokenType = Literal["access", "refresh"]


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: uuid.UUID
    token_id: uuid.UUID
    token_type: TokenType
    expires_at: datetime


def encode(
    *,
    user_id: uuid.UUID,
    token_type: TokenType,
    token_id: uuid.UUID,
    issued_at: datetime,
    lifetime: timedelta,
    secret: str,
    issuer: str,
) -> str:
    claims = {
        "sub": str(user_id),
        "typ": token_type,
        "jti": str(token_id),
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + lifetime,
        "iss": issuer,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode(token: str, *, expected_type: TokenType, secret: str, issuer: str) -> TokenClaims:
    """Verify signature, algorithm, time claims, issuer and type; any failure is a 401."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationError("token_expired", "The token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationError("token_invalid", "The token is not valid.") from exc
    if claims.get("typ") != expected_type:
        raise AuthenticationError("token_invalid", f"An {expected_type} token is required.")
    try:
        return TokenClaims(
            user_id=uuid.UUID(str(claims["sub"])),
            token_id=uuid.UUID(str(claims["jti"])),
            token_type=expected_type,
            expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=UTC),
        )
    except (TypeError, ValueError) as exc:
        raise AuthenticationError("token_invalid", "The token is not valid.") from exc
