"""Schema pieces shared by every resource."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

PROBLEM_RESPONSE: dict[str, Any] = {
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
}


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str
    errors: list[ValidationIssue] | None = None


class ListPage(BaseModel, Generic[T]):
    data: list[T]
    total: int
    limit: int
    offset: int


class OrmModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Bad request",
        401: "Missing, invalid or expired access token",
        404: "Not found (or owned by someone else)",
        409: "Conflict with the resource's current state",
        413: "Payload too large",
        415: "Unsupported media type",
        422: "Validation error",
        429: "Too many attempts",
        503: "A dependency is temporarily unavailable",
    }
    return {
        status: {"description": descriptions.get(status, "Error"), **PROBLEM_RESPONSE}
        for status in statuses
    }


Limit = Field(default=20, ge=1, le=100)
