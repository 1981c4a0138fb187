from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class CheckResult(BaseModel):
    ok: bool
    detail: str
    latency_ms: float | None = None


class Readiness(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    checks: dict[str, CheckResult]
