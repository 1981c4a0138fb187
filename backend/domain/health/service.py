"""Readiness checks shared by the API's health endpoint and ``imagineai status``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from backend.domain.maintenance import service as maintenance_service
from backend.shared.config import Settings
from backend.shared.db.types import utcnow
from backend.shared.storage.base import ImageStorage


@dataclass(frozen=True, slots=True)
class Check:
    ok: bool
    detail: str
    latency_ms: float | None = None


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    status: Literal["ok", "degraded", "unavailable"]
    checks: dict[str, Check] = field(default_factory=dict)


def _timed(probe: Callable[[], None]) -> Check:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported as text
        return Check(ok=False, detail=f"{type(exc).__name__}: {exc}"[:300])
    return Check(ok=True, detail="ok", latency_ms=round((time.perf_counter() - started) * 1000, 2))


def check_database(session: Session) -> Check:
    return _timed(lambda: session.execute(text("SELECT 1")).scalar_one())


def check_storage(storage: ImageStorage) -> Check:
    return _timed(storage.check)


def check_workers(session: Session, settings: Settings) -> Check:
    """A worker answered the scheduled health ping recently."""
    try:
        heartbeat = maintenance_service.latest_heartbeat(session)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return Check(ok=False, detail=f"{type(exc).__name__}: {exc}"[:300])
    if heartbeat is None:
        return Check(ok=False, detail="no worker heartbeat recorded yet")
    age = (utcnow() - heartbeat.last_seen_at).total_seconds()
    ok = age <= settings.worker_heartbeat_stale_seconds
    return Check(
        ok=ok,
        detail=f"{heartbeat.worker_name} last seen {age:.0f}s ago",
        latency_ms=None,
    )


def readiness(*, session: Session, storage: ImageStorage, settings: Settings) -> ReadinessReport:
    """Database and storage are required; a silent worker degrades but does not fail it."""
    required = {"database": check_database(session), "storage": check_storage(storage)}
    checks = {**required, "worker": check_workers(session, settings)}
    if not all(check.ok for check in required.values()):
        status: Literal["ok", "degraded", "unavailable"] = "unavailable"
    elif not checks["worker"].ok:
        status = "degraded"
    else:
        status = "ok"
    return ReadinessReport(status=status, checks=checks)
