"""Scheduled tasks run by Celery Beat: recovery sweep, clean-up and the workers' health ping."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import Task, shared_task

from backend.domain.jobs import recovery
from backend.domain.maintenance import service as maintenance_service
from backend.shared.config import get_settings
from backend.shared.db.session import session_scope
from backend.workers import runtime
from backend.workers.dispatcher import get_dispatcher


@shared_task(name="maintenance.recovery_sweep", ignore_result=True, soft_time_limit=120)
def recovery_sweep() -> dict[str, int]:
    """Re-queue steps left pending or running past their lease; retry passing failures."""
    with session_scope() as session:
        report = recovery.sweep(session, get_dispatcher(), get_settings())
    return asdict(report)


@shared_task(name="maintenance.cleanup", ignore_result=True, soft_time_limit=600)
def cleanup() -> dict[str, int]:
    """Drop abandoned uploads, purge soft-deleted rows and files, expired tokens, temp files."""
    with session_scope() as session:
        report = maintenance_service.cleanup(session, runtime.storage(), get_settings())
    return asdict(report)


@shared_task(name="maintenance.health_ping", bind=True, ignore_result=True, soft_time_limit=30)
def health_ping(self: Task[Any, Any]) -> dict[str, Any]:
    """Record that a worker is alive, for /api/v1/health/ready and ``imagineai status``."""
    return runtime.record_heartbeat(self.request.hostname)
