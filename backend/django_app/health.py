"""The health page's figures: readiness checks, queue depths and every worker's last heartbeat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from backend.django_app.images import current_storage
from backend.django_app.models import WorkerHeartbeat
from backend.domain.health import service as health_service
from backend.domain.health.service import ReadinessReport
from backend.shared.config import get_settings
from backend.shared.db.session import session_scope
from backend.workers.queues import queue_depths


@dataclass(frozen=True, slots=True)
class HeartbeatRow:
    worker_name: str
    last_seen_at: datetime
    age_s: int
    stale: bool
    details: Any


@dataclass(frozen=True, slots=True)
class HealthReport:
    readiness: ReadinessReport
    queue_depths: dict[str, int | None]
    heartbeats: list[HeartbeatRow]
    stale_after_s: int
    checked_at: datetime


def health_report() -> HealthReport:
    settings = get_settings()
    with session_scope() as session:
        readiness = health_service.readiness(
            session=session, storage=current_storage(), settings=settings
        )
    now = timezone.now()
    heartbeats = [
        HeartbeatRow(
            worker_name=beat.worker_name,
            last_seen_at=beat.last_seen_at,
            age_s=int((now - beat.last_seen_at).total_seconds()),
            stale=(now - beat.last_seen_at).total_seconds()
            > settings.worker_heartbeat_stale_seconds,
            details=beat.details,
        )
        for beat in WorkerHeartbeat.objects.order_by("-last_seen_at")[:50]
    ]
    return HealthReport(
        readiness=readiness,
        queue_depths=queue_depths(),
        heartbeats=heartbeats,
        stale_after_s=settings.worker_heartbeat_stale_seconds,
        checked_at=now,
    )
