"""Every error leaves the API as RFC 9457 problem details, with the request id and no traces."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, cast

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.domain.errors import DomainError, RateLimitedError
from backend.fastapi_app.middleware import REQUEST_ID_HEADER, request_id_of

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://imagineai.dev/problems/"

logger = structlog.get_logger(__name__)


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": request_id_of(request.scope),
    }
    if errors is not None:
        body["errors"] = errors
    # Set here as well: a 500 is sent from outside the request-id middleware.
    all_headers = {REQUEST_ID_HEADER: body["request_id"], **(headers or {})}
    return JSONResponse(
        jsonable_encoder(body),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=all_headers,
    )


def _slug(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


async def _handle_domain_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(DomainError, exc)
    headers = None
    if isinstance(exc, RateLimitedError):
        headers = {"Retry-After": str(exc.retry_after_s)}
    if exc.status_code == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return problem_response(
        request, status=exc.status_code, code=exc.code, detail=exc.message, headers=headers
    )


async def _handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(StarletteHTTPException, exc)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem_response(
        request,
        status=exc.status_code,
        code=_slug(exc.status_code),
        detail=detail,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(RequestValidationError, exc)
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type")}
        for error in exc.errors()
    ]
    return problem_response(
        request,
        status=422,
        code="validation_error",
        detail="The request is not valid; see errors.",
        errors=errors,
    )


async def _handle_unstorable_value(request: Request, exc: Exception) -> JSONResponse:
    # The database refused a value the schemas let through: PostgreSQL text cannot hold a NUL
    # character (SQLite can), and that is the client's input, not our failure.
    logger.info("unstorable_value", path=request.url.path, error_type=type(exc).__name__)
    return problem_response(
        request,
        status=422,
        code="unstorable_value",
        detail="A value in the request cannot be stored (for example text with a NUL character).",
    )


async def _handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled_error", path=request.url.path, error_type=type(exc).__name__)
    return problem_response(
        request,
        status=500,
        code="internal_error",
        detail="Something went wrong on our side; quote the request id when you report it.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _handle_domain_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(DataError, _handle_unstorable_value)
    app.add_exception_handler(Exception, _handle_unexpected)
