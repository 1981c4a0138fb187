"""Django's bcrypt hasher, verifying through the API's own password code."""

from __future__ import annotations

from django.contrib.auth.hashers import BCryptPasswordHasher

from backend.domain.users.passwords import BCRYPT_MAX_BYTES, PasswordTooLongError, verify_password


class ApiBCryptPasswordHasher(BCryptPasswordHasher):
    """Hashes look like ``bcrypt$$2b$12$...`` to Django (see ``ApiPasswordHashField``).

    Verification goes through :func:`backend.domain.users.passwords.verify_password`, which
    refuses passwords over 72 bytes instead of raising (bcrypt 5 raises ``ValueError``).
    """

    def encode(self, password: str, salt: str) -> str:
        if len(password.encode()) > BCRYPT_MAX_BYTES:
            raise PasswordTooLongError(f"password must be at most {BCRYPT_MAX_BYTES} bytes")
        encoded: str = super().encode(password, salt)
        return encoded

    def verify(self, password: str, encoded: str) -> bool:
        algorithm, hashed = encoded.split("$", 1)
        return algorithm == self.algorithm and verify_password(password, hashed)

    def must_update(self, encoded: str) -> bool:
        # The API owns the cost factor; the admin never rewrites a hash on its own.
        return False
