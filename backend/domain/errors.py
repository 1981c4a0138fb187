"""Errors raised by services; the API maps each kind to one HTTP status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the platform said no. ``code`` is machine-readable, ``message`` for people."""

    status_code = 400

    def __init__(self, code: str, message: str, *, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class NotFoundError(DomainError):
    status_code = 404


class ConflictError(DomainError):
    status_code = 409


class PermissionDeniedError(DomainError):
    status_code = 403


class AuthenticationError(DomainError):
    status_code = 401


class InvalidInputError(DomainError):
    status_code = 422


class RateLimitedError(DomainError):
    status_code = 429

    def __init__(self, code: str, message: str, *, retry_after_s: int):
        super().__init__(code, message, details={"retry_after": retry_after_s})
        self.retry_after_s = retry_after_s


class PayloadTooLargeError(DomainError):
    status_code = 413


class UnsupportedMediaTypeError(DomainError):
    status_code = 415


def error_for_status(status_code: int, code: str, message: str) -> DomainError:
    """The domain error a lower layer's HTTP-like status maps to."""
    kinds: dict[int, type[DomainError]] = {
        404: NotFoundError,
        409: ConflictError,
        413: PayloadTooLargeError,
        415: UnsupportedMediaTypeError,
        422: InvalidInputError,
    }
    return kinds.get(status_code, InvalidInputError)(code, message)


class ServiceUnavailableError(DomainError):
    """A dependency (e.g. the LLM provider) is temporarily unavailable; try again later."""

    status_code = 503
