"""bcrypt password hashing (``$2b$`` hashes, verified by the Django admin too)."""

from __future__ import annotations

import bcrypt

BCRYPT_ROUNDS = 12
BCRYPT_MAX_BYTES = 72

# Verifying against this keeps the time of a login for an unknown e-mail the same as for a
# known one, so response times do not reveal which addresses have accounts.
_TIMING_DUMMY_HASH = bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(BCRYPT_ROUNDS))


class PasswordTooLongError(ValueError):
    """bcrypt only reads 72 bytes; longer passwords are refused rather than silently cut."""


def hash_password(password: str) -> str:
    encoded = password.encode()
    if len(encoded) > BCRYPT_MAX_BYTES:
        raise PasswordTooLongError(f"password must be at most {BCRYPT_MAX_BYTES} bytes")
    return bcrypt.hashpw(encoded, bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def verify_password(password: str, hashed: str | None) -> bool:
    encoded = password.encode()
    if hashed is None or len(encoded) > BCRYPT_MAX_BYTES:
        bcrypt.checkpw(b"timing-equaliser", _TIMING_DUMMY_HASH)
        return False
    try:
        return bcrypt.checkpw(encoded, hashed.encode())
    except ValueError:
        return False
